import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import { POLICY_CODES } from '../../policies/policy-codes.js';
import { BATCH_STATUSES } from '../disbursements.repository.js';

export class CreateBatchDto {
  @ApiProperty({ enum: POLICY_CODES, example: 'RURAL_REWARD' })
  @IsIn(POLICY_CODES)
  policyCode!: string;

  @ApiProperty({ example: '2012', description: 'YYYY (annual, or a whole year of a monthly benefit) or YYYY-MM' })
  @Matches(/^\d{4}(-(0[1-9]|1[0-2]))?$/, localized('periodMust'))
  period!: string;

  @ApiProperty({ example: '410122' })
  @Matches(/^\d{6}$/, localized('county'))
  countyCode!: string;
}

export class RejectBatchDto {
  @ApiProperty()
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class CancelBatchDto {
  @ApiPropertyOptional({ description: 'Why the batch is given up (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class ListBatchesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: POLICY_CODES })
  @IsOptional()
  @IsIn(POLICY_CODES)
  policyCode?: string;

  @ApiPropertyOptional({ enum: BATCH_STATUSES })
  @IsOptional()
  @IsIn(BATCH_STATUSES)
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\d{4}(-(0[1-9]|1[0-2]))?$/)
  period?: string;
}

export class LinesQuery extends PageQuery {}
