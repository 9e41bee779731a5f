import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HUKOU_TYPES, RELATIONS } from '../household-rules.js';

/** OpenAPI shapes of what the registry answers (the types live in household-view.ts). */
export class MemberViewDto {
  @ApiProperty() personId!: string;
  @ApiProperty({ description: 'Masked (410102**********18) unless the caller is the township clerk' })
  idNumber!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['M', 'F'] }) sex!: string;
  @ApiProperty({ example: '1980-01-01' }) birthDate!: string;
  @ApiProperty({ nullable: true, type: String }) deathDate!: string | null;
  @ApiProperty({ enum: HUKOU_TYPES }) hukouType!: string;
  @ApiProperty({ enum: RELATIONS }) relation!: string;
  @ApiProperty({ nullable: true, type: Number }) birthOrder!: number | null;
  @ApiProperty() adopted!: boolean;
  @ApiProperty({ nullable: true, type: String }) adoptedOn!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: '1 (most severe) to 4' }) disabilityGrade!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '1 to 3' }) complicationGrade!: number | null;
  @ApiProperty({ nullable: true, type: String }) collegeAdmittedOn!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The person's own mother (person id), if known" })
  motherId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The person's own father (person id), if known" })
  fatherId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Set when the member left the household (MEMBER_LEFT)' })
  leftOn!: string | null;
  @ApiProperty({ description: "Holds the city's hukou on asOf (false after MOVE_OUT, before MOVE_IN)" })
  resident!: boolean;
}

export class ChildViewDto {
  @ApiProperty() personId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() birthDate!: string;
  @ApiProperty({ nullable: true, type: Number }) birthOrder!: number | null;
  @ApiProperty() adopted!: boolean;
  @ApiProperty({ nullable: true, type: String }) adoptedOn!: string | null;
  @ApiProperty({ nullable: true, type: String }) deathDate!: string | null;
}

export class CertificateViewDto {
  @ApiProperty() certificateNo!: string;
  @ApiProperty() issuedOn!: string;
  @ApiProperty({ nullable: true, type: String }) revokedOn!: string | null;
}

export class BankAccountViewDto {
  @ApiProperty() bankCode!: string;
  @ApiProperty({ description: 'Masked unless the caller is the township clerk or finance' }) accountNo!: string;
  @ApiProperty() holderPersonId!: string;
}

export class HouseholdViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() householdNo!: string;
  @ApiProperty({ description: 'Village or community on asOf' }) regionCode!: string;
  @ApiProperty() address!: string;
  @ApiProperty({ description: 'The date this view describes' }) asOf!: string;
  @ApiProperty({ type: [MemberViewDto] }) members!: MemberViewDto[];
  @ApiProperty({ type: [ChildViewDto] }) children!: ChildViewDto[];
  @ApiProperty({ type: CertificateViewDto, nullable: true }) certificate!: CertificateViewDto | null;
  @ApiProperty({ type: [Number] }) violationYears!: number[];
  @ApiProperty({ nullable: true, type: String }) quotaWaivedOn!: string | null;
  @ApiProperty({ type: BankAccountViewDto, nullable: true }) bankAccount!: BankAccountViewDto | null;
  @ApiProperty() idNumbersMasked!: boolean;
  @ApiProperty() accountNumbersMasked!: boolean;
}

export class HouseholdHeadDto {
  @ApiProperty() personId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Always masked in lists' }) idNumber!: string;
}

export class HouseholdListItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() householdNo!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() address!: string;
  @ApiProperty({ type: HouseholdHeadDto, nullable: true }) head!: HouseholdHeadDto | null;
  @ApiProperty() memberCount!: number;
}

export class HouseholdPageDto {
  @ApiProperty({ type: [HouseholdListItemDto] }) items!: HouseholdListItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class HouseholdEventViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ nullable: true, type: String }) personId!: string | null;
  @ApiProperty() date!: string;
  @ApiProperty({ type: Object }) data!: Record<string, unknown>;
  @ApiProperty() recordedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) recordedBy?: string | null;
}

export class HouseholdEventPageDto {
  @ApiProperty({ type: [HouseholdEventViewDto] }) items!: HouseholdEventViewDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class LifeEventResultDto extends HouseholdEventViewDto {
  @ApiProperty() householdId!: string;
  @ApiProperty({ type: HouseholdViewDto, description: 'The household after the event' }) household!: HouseholdViewDto;
}

export class ImportResultDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() households!: number;
  @ApiProperty() persons!: number;
}
