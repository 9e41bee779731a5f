import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { POLICY_CODES, type PolicyCode } from '../../policies/policy-codes.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class EligibilityQuery {
  @ApiProperty({ example: '2012-12-31' })
  @Matches(DATE, localized('date'))
  asOf!: string;
}

export class PeriodAmountQuery {
  @ApiProperty({ enum: POLICY_CODES })
  @IsIn(POLICY_CODES)
  policyCode!: PolicyCode;

  @ApiProperty({ example: '2012', description: 'YYYY or YYYY-MM' })
  @Matches(/^\d{4}(-\d{2})?$/, localized('periodIs'))
  period!: string;

  @ApiPropertyOptional({ description: 'The beneficiary (omit for household benefits)' })
  @IsOptional()
  @IsUUID()
  personId?: string;
}

/** Any JSON value (a fact's value is a number, a date string, a boolean, null, or a group's object). */
const ANY_JSON = {
  nullable: true,
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: {} },
  ],
};

export class ReasonDto {
  @ApiProperty({ example: 'person.ageAtYearEnd >= 60' }) condition!: string;
  @ApiProperty({
    example: '本人年龄（按出生年份）：实际59周岁，要求≥60周岁',
    description: 'The condition in Chinese, with the value and the requirement',
  })
  label!: string;
  @ApiProperty({ description: "The fact's value (for a group, the values of its facts)", ...ANY_JSON })
  actual!: unknown;
  @ApiProperty({ example: '>= 60' }) expected!: string;
  @ApiProperty() passed!: boolean;
}

export class DecisionDto {
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiProperty({ nullable: true, type: String }) personId!: string | null;
  @ApiProperty() eligible!: boolean;
  @ApiProperty({ nullable: true, type: String, example: '960.00' }) amount!: string | null;
  @ApiProperty({ nullable: true, type: String }) versionId!: string | null;
  @ApiProperty({ type: [ReasonDto] }) reasons!: ReasonDto[];
}

export class EligibilityDto {
  @ApiProperty() householdId!: string;
  @ApiProperty() asOf!: string;
  @ApiProperty({ type: [DecisionDto] }) decisions!: DecisionDto[];
}

export class CreateEntitlementDto {
  @ApiProperty({ enum: ['EXAM_BONUS', 'ELDER_CARE_PRIORITY', 'HOUSING_PRIORITY', 'FP_INSURANCE'] })
  @IsIn(POLICY_CODES)
  policyCode!: PolicyCode;

  @ApiPropertyOptional({ description: 'The beneficiary, for benefits per person' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({ example: '2012-06-01', description: 'Decision date (default: today, China time)' })
  @IsOptional()
  @Matches(DATE, localized('date'))
  asOf?: string;
}

export class EntitlementDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'EXB-410122-2012-000123' }) entitlementNo!: string;
  @ApiProperty() policyCode!: string;
  @ApiProperty() policyVersionId!: string;
  @ApiProperty() householdId!: string;
  @ApiProperty({ nullable: true, type: String }) personId!: string | null;
  @ApiProperty({ description: 'YYYY for annual cover, ONCE, or STANDING' }) period!: string;
  @ApiProperty() asOf!: string;
  @ApiProperty({ type: DecisionDto }) decision!: DecisionDto;
  @ApiProperty() createdAt!: string;
}
