import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import type { HukouType, Relation, Sex } from '../household-snapshot.js';
import { HUKOU_TYPES, MAX_MEMBERS, RELATIONS } from '../household-rules.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = localized('date');

export class MemberInputDto {
  @ApiProperty({ example: '410102198001010018', description: 'GB 11643 resident ID; a lowercase x is stored as X' })
  @IsString()
  idNumber!: string;

  @ApiProperty({ example: '张三' })
  @IsString()
  name!: string;

  @ApiProperty({ enum: RELATIONS })
  @IsIn(RELATIONS)
  relation!: Relation;

  @ApiProperty({ enum: HUKOU_TYPES })
  @IsIn(HUKOU_TYPES)
  hukouType!: HukouType;

  @ApiPropertyOptional({ description: 'Children: 1 for the first child, 2 for the second, ...' })
  @IsOptional()
  @IsInt()
  birthOrder?: number;

  @ApiPropertyOptional({ description: 'Children: adopted rather than biological' })
  @IsOptional()
  @IsBoolean()
  adopted?: boolean;

  @ApiPropertyOptional({ description: 'Adopted children: the adoption date' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  adoptedOn?: string;

  @ApiPropertyOptional({ description: 'Derived from the ID number; refused when it disagrees' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  birthDate?: string;

  @ApiPropertyOptional({ enum: ['M', 'F'], description: 'Derived from the ID number; refused when it disagrees' })
  @IsOptional()
  @IsIn(['M', 'F'])
  sex?: Sex;

  @ApiPropertyOptional({
    example: '410102198001010026',
    description:
      "The member's own mother, by resident ID: a member of this household or anyone registered in the city. A CHILD without links is linked to the household's HEAD and SPOUSE by their sex.",
  })
  @IsOptional()
  @IsString()
  motherIdNumber?: string;

  @ApiPropertyOptional({
    example: '410102198001010018',
    description: "The member's own father, by resident ID (as motherIdNumber)",
  })
  @IsOptional()
  @IsString()
  fatherIdNumber?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The mother by person id (instead of motherIdNumber)' })
  @IsOptional()
  @IsUUID()
  motherPersonId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The father by person id (instead of fatherIdNumber)' })
  @IsOptional()
  @IsUUID()
  fatherPersonId?: string;

  @ApiPropertyOptional({ description: 'For a member who has already died (an only child who died, say)' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  deathDate?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4 })
  @IsOptional()
  @IsInt()
  disabilityGrade?: number;

  @ApiPropertyOptional({ description: 'When the grade was assessed; omitted: it holds from the start of the record' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  disabilityAssessedOn?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3 })
  @IsOptional()
  @IsInt()
  complicationGrade?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  complicationAssessedOn?: string;
}

export class CertificateInputDto {
  @ApiProperty() @IsString() certificateNo!: string;
  @ApiProperty() @Matches(DATE, DATE_MESSAGE) issuedOn!: string;
}

export class InitialBankAccountDto {
  @ApiProperty({ example: '102' }) @IsString() bankCode!: string;
  @ApiProperty({ example: '6222021234567890128' }) @IsString() accountNo!: string;
  @ApiProperty({ description: 'ID number of the holder, an adult member of this household' })
  @IsString()
  holderIdNumber!: string;
}

export class CreateHouseholdDto {
  @ApiProperty({ example: 'ZM-0001' })
  @IsString()
  householdNo!: string;

  @ApiProperty({ example: '410122101201', description: 'A village or community (12 digits) in your township' })
  @IsString()
  regionCode!: string;

  @ApiProperty({ example: '韩寺村3组12号' })
  @IsString()
  address!: string;

  @ApiProperty({ type: [MemberInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MEMBERS)
  @ValidateNested({ each: true })
  @Type(() => MemberInputDto)
  members!: MemberInputDto[];

  @ApiPropertyOptional({ type: CertificateInputDto, description: 'Only-child parents’ certificate already held' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CertificateInputDto)
  certificate?: CertificateInputDto;

  @ApiPropertyOptional({ type: [Number], description: 'Years of recorded family-planning violations' })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  violationYears?: number[];

  @ApiPropertyOptional({ description: 'Date of a voluntary waiver of the second-child quota' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  quotaWaivedOn?: string;

  @ApiPropertyOptional({ type: InitialBankAccountDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => InitialBankAccountDto)
  bankAccount?: InitialBankAccountDto;
}

export class HouseholdQuery {
  @ApiPropertyOptional({ description: 'State on this date (YYYY-MM-DD); default today' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  asOf?: string;
}

export class SearchHouseholdsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Region (prefix) inside your scope; default your whole scope' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  regionCode?: string;

  @ApiPropertyOptional({ description: 'Household number, part of a member’s name, or an exact ID number' })
  @IsOptional()
  @IsString()
  q?: string;
}

export class BankAccountDto {
  @ApiProperty({ example: '102' }) @IsString() bankCode!: string;
  @ApiProperty({ example: '6222021234567890128', description: '16-19 digits passing the Luhn check' })
  @IsString()
  accountNo!: string;

  @ApiProperty({ description: 'An adult, living member of the household' })
  @IsUUID()
  holderPersonId!: string;
}

export const EVENT_TYPES = [
  'BIRTH',
  'DEATH',
  'ADOPTION',
  'DISABILITY_ASSESSED',
  'COMPLICATION_ASSESSED',
  'CERTIFICATE_ISSUED',
  'CERTIFICATE_REVOKED',
  'VIOLATION_RECORDED',
  'QUOTA_WAIVED',
  'HUKOU_CHANGE',
  'MOVE',
  'BANK_ACCOUNT_CHANGE',
  'COLLEGE_ADMITTED',
  'MOVE_IN',
  'MOVE_OUT',
  'MEMBER_JOINED',
  'MEMBER_LEFT',
  'CORRECTION',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
