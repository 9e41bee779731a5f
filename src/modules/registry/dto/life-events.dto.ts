import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { HukouType, Relation, Sex } from '../household-snapshot.js';
import { HUKOU_TYPES } from '../household-rules.js';
import { EVENT_TYPES, type EventType } from './household.dto.js';

/**
 * One request class per life event type (SPEC.md "Life events", API.md): the body keeps the shape
 * `{type, personId?, date, data?}`, and `type` chooses the class `data` is validated against. The
 * OpenAPI document names each class (`oneOf` with a `discriminator` on `type`).
 */
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = localized('date');
const JOINING_RELATIONS: readonly Relation[] = ['SPOUSE', 'CHILD', 'PARENT', 'OTHER'];

// --- data of each type ---------------------------------------------------------------------------

/** Events that carry no data: `data` is absent or `{}`. */
export class NoEventDataDto {}

/** A new child (BIRTH, ADOPTION), as a member of POST /households. */
export class NewChildDataDto {
  @ApiProperty({ example: '410102201003070016' }) @IsString() idNumber!: string;
  @ApiProperty({ example: '张小明' }) @IsString() @Length(1, 50) name!: string;
  @ApiProperty({ enum: HUKOU_TYPES }) @IsIn(HUKOU_TYPES) hukouType!: HukouType;
  @ApiPropertyOptional({ enum: ['CHILD'], description: 'Always CHILD' })
  @IsOptional()
  @IsIn(['CHILD'])
  relation?: 'CHILD';

  @ApiPropertyOptional({ minimum: 1, maximum: 20, description: 'Default: the next birth order of the household' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  birthOrder?: number;

  @ApiPropertyOptional({ description: 'Derived from the ID number; refused when it disagrees' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  birthDate?: string;

  @ApiPropertyOptional({ enum: ['M', 'F'] }) @IsOptional() @IsIn(['M', 'F']) sex?: Sex;
  @ApiPropertyOptional({ minimum: 1, maximum: 4 }) @IsOptional() @IsInt() @Min(1) @Max(4) disabilityGrade?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 3 }) @IsOptional() @IsInt() @Min(1) @Max(3) complicationGrade?: number;
  @ApiPropertyOptional({ description: "The child's mother by resident ID (default: the household's HEAD or SPOUSE)" })
  @IsOptional()
  @IsString()
  motherIdNumber?: string;

  @ApiPropertyOptional({ description: "The child's father by resident ID" })
  @IsOptional()
  @IsString()
  fatherIdNumber?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() motherPersonId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() fatherPersonId?: string;
}

/**
 * The person who joins (MEMBER_JOINED): a new person, or one already registered in another
 * household of the city (named by `idNumber`), who then moves: left there from the date.
 */
export class JoiningMemberDto {
  @ApiProperty({ example: '410102198602010025' }) @IsString() idNumber!: string;
  @ApiProperty({ example: '李芳', description: 'A registered person: must be the registered name' })
  @IsString()
  @Length(1, 50)
  name!: string;

  @ApiProperty({ enum: JOINING_RELATIONS, description: 'Never HEAD' })
  @IsIn(JOINING_RELATIONS)
  relation!: Relation;

  @ApiPropertyOptional({ enum: HUKOU_TYPES, description: 'Required for a person not yet registered' })
  @IsOptional()
  @IsIn(HUKOU_TYPES)
  hukouType?: HukouType;

  @ApiPropertyOptional({ minimum: 1, maximum: 20 }) @IsOptional() @IsInt() @Min(1) @Max(20) birthOrder?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE, DATE_MESSAGE) birthDate?: string;
  @ApiPropertyOptional({ enum: ['M', 'F'] }) @IsOptional() @IsIn(['M', 'F']) sex?: Sex;
  @ApiPropertyOptional({ minimum: 1, maximum: 4 }) @IsOptional() @IsInt() @Min(1) @Max(4) disabilityGrade?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 3 }) @IsOptional() @IsInt() @Min(1) @Max(3) complicationGrade?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() motherIdNumber?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() fatherIdNumber?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() motherPersonId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() fatherPersonId?: string;
}

export class MemberJoinedDataDto {
  @ApiProperty({ type: JoiningMemberDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => JoiningMemberDto)
  member!: JoiningMemberDto;
}

export class DisabilityDataDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 4, description: '1 most severe; null lifts it' })
  @ValidateIf((data: DisabilityDataDto) => data.grade !== null)
  @IsInt()
  @Min(1)
  @Max(4)
  grade!: number | null;
}

export class ComplicationDataDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 3, description: '1 most severe; null lifts it' })
  @ValidateIf((data: ComplicationDataDto) => data.grade !== null)
  @IsInt()
  @Min(1)
  @Max(3)
  grade!: number | null;
}

export class CertificateIssuedDataDto {
  @ApiProperty({ example: 'ZZ-2012-0001', description: '1-40 letters, digits or dashes' })
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,40}$/, localized('certificateNo'))
  certificateNo!: string;
}

export class ViolationDataDto {
  @ApiProperty({ example: 1995, minimum: 1949 }) @IsInt() @Min(1949) @Max(2200) year!: number;
}

export class HukouChangeDataDto {
  @ApiProperty({ enum: HUKOU_TYPES }) @IsIn(HUKOU_TYPES) hukouType!: HukouType;
}

export class MoveDataDto {
  @ApiProperty({ example: '410122101201', description: 'The village or community moved to (12 digits)' })
  @IsString()
  @Matches(/^\d{12}$/, localized('moveVillage'))
  regionCode!: string;

  @ApiPropertyOptional({ description: 'Default: the address so far' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;
}

export class BankAccountChangeDataDto {
  @ApiProperty({ example: '102' }) @IsString() bankCode!: string;
  @ApiProperty({ example: '6222021234567890128' }) @IsString() accountNo!: string;
  @ApiProperty({ format: 'uuid', description: 'An adult, living member' }) @IsUUID() holderPersonId!: string;
}

export class MoveInDataDto {
  @ApiProperty({ example: '洛阳市', description: 'Where the hukou came from (1-100 characters)' })
  @IsString()
  @Matches(/\S/, localized('fromPlace'))
  @Length(1, 100)
  fromPlace!: string;
}

export const CORRECTABLE_FIELDS = ['name', 'address', 'deathDate'] as const;
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];

export class CorrectionDataDto {
  @ApiPropertyOptional({ example: '1024', description: 'The event withdrawn as recorded in error (any type)' })
  @ValidateIf((data: CorrectionDataDto) => data.withdrawsEventId !== undefined || data.field === undefined)
  @IsString()
  @Matches(/^\d{1,18}$/, localized('withdrawsEventId'))
  withdrawsEventId?: string;

  @ApiPropertyOptional({
    enum: CORRECTABLE_FIELDS,
    description: 'A mistyped name or death date (with personId), or the address',
  })
  @ValidateIf((data: CorrectionDataDto) => data.field !== undefined || data.withdrawsEventId === undefined)
  @IsIn(CORRECTABLE_FIELDS)
  field?: CorrectableField;

  @ApiPropertyOptional({ description: 'The corrected value (with field)' })
  @ValidateIf((data: CorrectionDataDto) => data.field !== undefined)
  @IsString()
  @Length(1, 200)
  value?: string;

  @ApiProperty({ example: '误报死亡，本人健在', description: 'Why (1-500 characters)' })
  @IsString()
  @Matches(/\S/, localized('correctionReason'))
  @Length(1, 500)
  reason!: string;
}

// --- the events ----------------------------------------------------------------------------------

/** What every event has. `type` is the discriminator. */
export abstract class LifeEventBaseDto {
  abstract type: EventType;

  @ApiProperty({ example: '2012-03-01', description: 'Effective date; never in the future' })
  @Matches(DATE, DATE_MESSAGE)
  date!: string;
}

/** Events about one member: `personId` is required. */
abstract class PersonEventDto extends LifeEventBaseDto {
  @ApiProperty({ format: 'uuid', description: 'The member the event is about' })
  @IsUUID()
  personId!: string;
}

/** Events about the household: `personId` may name a member (checked) but is not used. */
abstract class HouseholdEventDto extends LifeEventBaseDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  personId?: string;
}

const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };
const typeOf = (type: EventType, description: string) =>
  apply([ApiProperty({ enum: [type], example: type, description: `${type}: ${description}` }), IsIn([type])]);
/** `data` of a type with no data. */
const noData = () => [
  ApiPropertyOptional({ type: NoEventDataDto, description: 'No data: absent or {}' }),
  IsOptional(),
  IsObject(),
  ValidateNested(),
  Type(() => NoEventDataDto),
];
const dataOf = (cls: new () => object) => [
  ApiProperty({ type: cls }),
  IsDefined(),
  IsObject(),
  ValidateNested(),
  Type(() => cls),
];

export class BirthEventDto extends HouseholdEventDto {
  @typeOf('BIRTH', 'a child born into the household on the date (the ID number gives the birth date)')
  type!: 'BIRTH';
  @apply(dataOf(NewChildDataDto)) data!: NewChildDataDto;
}

export class AdoptionEventDto extends HouseholdEventDto {
  @typeOf('ADOPTION', 'a child adopted on the date') type!: 'ADOPTION';
  @apply(dataOf(NewChildDataDto)) data!: NewChildDataDto;
}

export class DeathEventDto extends PersonEventDto {
  @typeOf('DEATH', 'the member died on the date') type!: 'DEATH';
  @apply(noData()) data?: NoEventDataDto;
}

export class DisabilityAssessedEventDto extends PersonEventDto {
  @typeOf('DISABILITY_ASSESSED', 'disability grade from the date') type!: 'DISABILITY_ASSESSED';
  @apply(dataOf(DisabilityDataDto)) data!: DisabilityDataDto;
}

export class ComplicationAssessedEventDto extends PersonEventDto {
  @typeOf('COMPLICATION_ASSESSED', 'surgery complication grade from the date') type!: 'COMPLICATION_ASSESSED';
  @apply(dataOf(ComplicationDataDto)) data!: ComplicationDataDto;
}

export class CertificateIssuedEventDto extends HouseholdEventDto {
  @typeOf('CERTIFICATE_ISSUED', "the only-child parents' certificate issued") type!: 'CERTIFICATE_ISSUED';
  @apply(dataOf(CertificateIssuedDataDto)) data!: CertificateIssuedDataDto;
}

export class CertificateRevokedEventDto extends HouseholdEventDto {
  @typeOf('CERTIFICATE_REVOKED', 'the certificate in force revoked') type!: 'CERTIFICATE_REVOKED';
  @apply(noData()) data?: NoEventDataDto;
}

export class ViolationRecordedEventDto extends HouseholdEventDto {
  @typeOf('VIOLATION_RECORDED', 'a family-planning violation of a year') type!: 'VIOLATION_RECORDED';
  @apply(dataOf(ViolationDataDto)) data!: ViolationDataDto;
}

export class QuotaWaivedEventDto extends HouseholdEventDto {
  @typeOf('QUOTA_WAIVED', 'voluntary waiver of the second-child quota') type!: 'QUOTA_WAIVED';
  @apply(noData()) data?: NoEventDataDto;
}

export class HukouChangeEventDto extends PersonEventDto {
  @typeOf('HUKOU_CHANGE', 'rural or urban hukou from the date') type!: 'HUKOU_CHANGE';
  @apply(dataOf(HukouChangeDataDto)) data!: HukouChangeDataDto;
}

export class MoveEventDto extends HouseholdEventDto {
  @typeOf('MOVE', 'the household moves to another village or community') type!: 'MOVE';
  @apply(dataOf(MoveDataDto)) data!: MoveDataDto;
}

export class BankAccountChangeEventDto extends HouseholdEventDto {
  @typeOf('BANK_ACCOUNT_CHANGE', 'the one-card account from the date') type!: 'BANK_ACCOUNT_CHANGE';
  @apply(dataOf(BankAccountChangeDataDto)) data!: BankAccountChangeDataDto;
}

export class CollegeAdmittedEventDto extends PersonEventDto {
  @typeOf('COLLEGE_ADMITTED', 'the member was admitted to college') type!: 'COLLEGE_ADMITTED';
  @apply(noData()) data?: NoEventDataDto;
}

export class MoveInEventDto extends PersonEventDto {
  @typeOf('MOVE_IN', "the member holds the city's hukou from the date, not before") type!: 'MOVE_IN';
  @apply(dataOf(MoveInDataDto)) data!: MoveInDataDto;
}

export class MoveOutEventDto extends PersonEventDto {
  @typeOf('MOVE_OUT', "the member's hukou moved out of the city") type!: 'MOVE_OUT';
  @apply(noData()) data?: NoEventDataDto;
}

export class MemberJoinedEventDto extends HouseholdEventDto {
  @typeOf('MEMBER_JOINED', 'a person joins (a new one, or one registered elsewhere in the city, who moves)')
  type!: 'MEMBER_JOINED';
  @apply(dataOf(MemberJoinedDataDto)) data!: MemberJoinedDataDto;
}

export class MemberLeftEventDto extends PersonEventDto {
  @typeOf('MEMBER_LEFT', 'the member leaves the household') type!: 'MEMBER_LEFT';
  @apply(noData()) data?: NoEventDataDto;
}

export class CorrectionEventDto extends HouseholdEventDto {
  @typeOf('CORRECTION', 'withdraws an event recorded in error, or corrects a mistyped field') type!: 'CORRECTION';
  @apply(dataOf(CorrectionDataDto)) data!: CorrectionDataDto;
}

/** The class of each type: the discriminator's map, and the OpenAPI document's. */
export const LIFE_EVENT_DTOS = {
  BIRTH: BirthEventDto,
  DEATH: DeathEventDto,
  ADOPTION: AdoptionEventDto,
  DISABILITY_ASSESSED: DisabilityAssessedEventDto,
  COMPLICATION_ASSESSED: ComplicationAssessedEventDto,
  CERTIFICATE_ISSUED: CertificateIssuedEventDto,
  CERTIFICATE_REVOKED: CertificateRevokedEventDto,
  VIOLATION_RECORDED: ViolationRecordedEventDto,
  QUOTA_WAIVED: QuotaWaivedEventDto,
  HUKOU_CHANGE: HukouChangeEventDto,
  MOVE: MoveEventDto,
  BANK_ACCOUNT_CHANGE: BankAccountChangeEventDto,
  COLLEGE_ADMITTED: CollegeAdmittedEventDto,
  MOVE_IN: MoveInEventDto,
  MOVE_OUT: MoveOutEventDto,
  MEMBER_JOINED: MemberJoinedEventDto,
  MEMBER_LEFT: MemberLeftEventDto,
  CORRECTION: CorrectionEventDto,
} as const satisfies Record<EventType, new () => LifeEventBaseDto>;

/** A validated request: one of the classes above. */
export type LifeEventRequest = InstanceType<(typeof LIFE_EVENT_DTOS)[EventType]>;
/** The request of one type. */
export type LifeEventOf<T extends EventType> = InstanceType<(typeof LIFE_EVENT_DTOS)[T]>;

/**
 * The envelope every event shares, for clients (the console) that build a body before choosing its
 * type. Only documented: the route validates each body against the class of its `type` above.
 */
export class LifeEventDto {
  @ApiProperty({ enum: EVENT_TYPES }) type!: EventType;
  @ApiPropertyOptional({ format: 'uuid' }) personId?: string;
  @ApiProperty({ example: '2012-03-01' }) date!: string;
  @ApiPropertyOptional({ type: Object, description: 'The data of the type: see the class of each type' })
  data?: Record<string, unknown>;
}

/** Wraps the body so class-transformer's discriminator picks the class by `type`. */
export class LifeEventEnvelope {
  @IsDefined()
  @ValidateNested()
  @Type(() => LifeEventBaseDto, {
    discriminator: {
      property: 'type',
      subTypes: Object.entries(LIFE_EVENT_DTOS).map(([name, value]) => ({ name, value })),
    },
    keepDiscriminatorProperty: true,
  })
  event!: LifeEventRequest;
}
