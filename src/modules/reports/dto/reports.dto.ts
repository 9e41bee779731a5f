import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { POLICY_CODES } from '../../policies/policy-codes.js';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;

export class ReportQuery {
  @ApiProperty({ example: 2012 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  fiscalYear!: number;

  @ApiPropertyOptional({ example: '410122', description: 'One county; default: every county in your region' })
  @IsOptional()
  @Matches(/^\d{6}$/, localized('county'))
  countyCode?: string;

  @ApiPropertyOptional({ enum: POLICY_CODES })
  @IsOptional()
  @IsIn(POLICY_CODES)
  policyCode?: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format: (typeof REPORT_FORMATS)[number] = 'json';
}
