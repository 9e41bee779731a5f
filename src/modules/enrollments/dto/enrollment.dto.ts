import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import { POLICY_CODES } from '../../policies/policy-codes.js';
import { ENROLLMENT_STATUSES } from '../enrollment-state.js';

export class CreateEnrollmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  householdId!: string;

  @ApiProperty({ enum: POLICY_CODES })
  @IsIn(POLICY_CODES)
  policyCode!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for person benefits; omitted for household ones' })
  @IsOptional()
  @IsUUID()
  beneficiaryPersonId?: string;

  @ApiPropertyOptional({
    example: '2012-01-10',
    description:
      'The day the family applied (a paper application entered later); default today. Nothing is owed for a fiscal year before its year.',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, localized('date'))
  appliedOn?: string;
}

export class TransitionReasonDto {
  @ApiProperty({ example: 'The only child is over 18' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class BulkIdsDto {
  @ApiProperty({ type: [String], maxItems: 1000 })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  ids!: string[];
}

export class ListEnrollmentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: POLICY_CODES })
  @IsOptional()
  @IsIn(POLICY_CODES)
  policyCode?: string;

  @ApiPropertyOptional({ enum: ENROLLMENT_STATUSES })
  @IsOptional()
  @IsIn(ENROLLMENT_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: '410122101' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  regionCode?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  householdId?: string;
}

export class PublicityListQuery {
  @ApiProperty({ example: '410122101', description: 'Township (9 digits)' })
  @Matches(/^\d{9}$/, localized('township'))
  townshipCode!: string;

  @ApiProperty({ example: '2026-11-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, localized('dateShort'))
  from!: string;

  @ApiProperty({ example: '2026-11-30' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, localized('dateShort'))
  to!: string;
}

export class RecheckDto {
  @ApiProperty({ example: '2026-12-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, localized('dateShort'))
  asOf!: string;

  @ApiPropertyOptional({ example: '410122', description: 'Defaults to your own region' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  regionCode?: string;
}
