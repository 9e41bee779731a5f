import { ApiProperty } from '@nestjs/swagger';
import { ApiDate, ApiMoney, ApiNullableString, PERIOD_PATTERN } from '../../../common/openapi/properties.js';
import { POLICY_CODES } from '../../policies/policy-codes.js';
import { ReasonDto } from './eligibility.dto.js';

export class PeriodMonthView {
  @ApiProperty({ pattern: '^\\d{4}-\\d{2}$', example: '2012-03' }) month!: string;
  @ApiDate({ description: 'The date whose snapshot and version decided' }) decidedOn!: string;
  @ApiProperty() eligible!: boolean;
  @ApiMoney({ nullable: true, description: 'null when not eligible or non-cash' }) amount!: string | null;
  @ApiNullableString({ format: 'uuid' }) versionId!: string | null;
  @ApiProperty({ type: [ReasonDto] }) reasons!: ReasonDto[];
}

/** GET /households/{id}/benefit-amounts: what one beneficiary is owed for a period, month by month. */
export class PeriodAmountView {
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiProperty({ pattern: PERIOD_PATTERN, example: '2012' }) period!: string;
  @ApiMoney({ nullable: true, description: "The eligible months' sum; null for a non-cash benefit" })
  total!: string | null;
  @ApiProperty({ type: [PeriodMonthView] }) months!: PeriodMonthView[];
}
