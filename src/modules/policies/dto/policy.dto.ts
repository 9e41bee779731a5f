import { localized } from '../../../common/http/validation.js';
import { PageQuery } from '../../../common/pagination.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { POLICY_CATEGORIES } from '../policy-model.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET_SHARE_DESCRIPTION =
  'The most an offset may take of each cash line, to recover overpayments: "0.00" to "1.00" (default "0.50")';

export class CreatePolicyVersionDto {
  @ApiProperty({ example: '2012-01-01', description: 'The new version takes over from this date' })
  @Matches(DATE, localized('date'))
  effectiveFrom!: string;

  @ApiProperty({
    type: Object,
    description: 'Eligibility rule: {all|any:[...]}, {not}, {fact, op, value}; facts from the catalogue',
    example: { all: [{ fact: 'person.ageAtYearEnd', op: 'ge', value: 60 }] },
  })
  @IsObject()
  rule!: Record<string, unknown>;

  @ApiProperty({
    type: Object,
    description: '{kind:"FIXED", amount} | {kind:"TABLE", fact, cases:[{equals, amount}]} | {kind:"NONE", benefit}',
    example: { kind: 'FIXED', amount: '960.00' },
  })
  @IsObject()
  amount!: Record<string, unknown>;

  @ApiProperty({ type: Object, example: { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' } })
  @IsObject()
  fundingShares!: Record<string, unknown>;

  @ApiPropertyOptional({ example: '0.50', description: OFFSET_SHARE_DESCRIPTION })
  @IsOptional()
  @IsString()
  offsetShare?: string;
}

export class AmendPolicyVersionDto {
  @ApiProperty({ type: Object }) @IsObject() rule!: Record<string, unknown>;
  @ApiProperty({ type: Object }) @IsObject() amount!: Record<string, unknown>;
  @ApiProperty({ type: Object }) @IsObject() fundingShares!: Record<string, unknown>;
  @ApiPropertyOptional({ example: '0.25', description: `${OFFSET_SHARE_DESCRIPTION}; omitted: unchanged` })
  @IsOptional()
  @IsString()
  offsetShare?: string;
}

export class PolicyListQuery extends PageQuery {
  @ApiPropertyOptional({
    example: '2012-06-01',
    description: 'Which version is "current" (default: today, China time)',
  })
  @IsOptional()
  @Matches(DATE, localized('date'))
  asOf?: string;
}

export class PolicyVersionDto {
  @ApiProperty() id!: string;
  @ApiProperty() policyCode!: string;
  @ApiProperty() versionNo!: number;
  @ApiProperty() effectiveFrom!: string;
  @ApiProperty({ nullable: true, type: String }) effectiveTo!: string | null;
  @ApiProperty({ type: Object }) rule!: unknown;
  @ApiProperty({ type: Object }) amount!: unknown;
  @ApiProperty({ type: Object }) fundingShares!: unknown;
  @ApiProperty({ example: '0.50', description: OFFSET_SHARE_DESCRIPTION }) offsetShare!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When a payment first used this version' })
  usedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Last day of the latest period paid with it' })
  paidThrough!: string | null;
  @ApiProperty() createdAt!: string;
}

export class PolicyDto {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: POLICY_CATEGORIES }) category!: string;
  @ApiProperty({ enum: ['CASH', 'NON_CASH'] }) benefitKind!: string;
  @ApiProperty({ enum: ['HOUSEHOLD', 'PERSON'] }) unit!: string;
  @ApiProperty({ enum: ['HOUSEHOLD', 'PARENTS', 'CHILDREN', 'MEMBERS'] }) beneficiaries!: string;
  @ApiProperty({ enum: ['MONTHLY', 'ANNUAL', 'ONE_TIME', 'STANDING'] }) frequency!: string;
  @ApiProperty({ nullable: true, type: String }) entitlementPrefix!: string | null;
}

export class PolicySummaryDto extends PolicyDto {
  @ApiProperty({ type: PolicyVersionDto, nullable: true, description: 'The version in force on asOf' })
  currentVersion!: PolicyVersionDto | null;
}

export class PolicyDetailDto extends PolicyDto {
  @ApiProperty({ type: [PolicyVersionDto] }) versions!: PolicyVersionDto[];
}

export class FactDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['household', 'person'] }) scope!: string;
  @ApiProperty({ enum: ['integer', 'boolean', 'date', 'enum'] }) type!: string;
  @ApiPropertyOptional({ type: [String] }) values?: readonly string[];
  @ApiProperty() nullable!: boolean;
  @ApiProperty() description!: string;
  @ApiProperty({ example: '本人年龄（按出生年份）', description: 'What a clerk reads (zh-CN)' }) label!: string;
  @ApiPropertyOptional({ example: '周岁', description: 'The unit an integer is counted in' }) unit?: string;
}
