import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_APPROPRIATION, MAX_APPROPRIATION_DIGITS } from '../../../common/money.js';
import { MAX_PAGE_SIZE } from '../../../common/pagination.js';
import { FUNDING_LEVELS, POLICY_CODES, type FundingLevel, type PolicyCode } from '../../policies/policy-codes.js';
import { BudgetLineFilterQuery } from '../../ledger/dto/ledger.dto.js';

export class AppropriationDto {
  @ApiProperty({ example: 2012 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  fiscalYear!: number;

  @ApiProperty({ enum: POLICY_CODES, example: 'RURAL_REWARD' })
  @IsIn(POLICY_CODES)
  policyCode!: PolicyCode;

  @ApiProperty({ enum: FUNDING_LEVELS, example: 'CENTRAL' })
  @IsIn(FUNDING_LEVELS)
  fundingLevel!: FundingLevel;

  @ApiProperty({ example: '410122', description: 'A county-level unit (6 digits) of the city' })
  @IsString()
  @Matches(/^\d{6}$/, localized('county'))
  countyCode!: string;

  @ApiProperty({
    example: '1000000.00',
    description: `Yuan, a decimal string with up to two places, > 0 and at most ${MAX_APPROPRIATION}`,
  })
  @IsString()
  @Matches(
    new RegExp(`^(?!0+(\\.0+)?$)\\d{1,${MAX_APPROPRIATION_DIGITS}}(\\.\\d{1,2})?$`),
    localized('appropriation', { max: MAX_APPROPRIATION }),
  )
  amount!: string;
}

export class AppropriationViewDto {
  @ApiProperty({ description: 'The ledger transfer that made (or reversed) the appropriation' })
  transferId!: string;
  @ApiProperty({ enum: ['APPROPRIATION', 'REVERSAL'] }) code!: string;
  @ApiProperty() fiscalYear!: number;
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiProperty({ enum: FUNDING_LEVELS }) fundingLevel!: string;
  @ApiProperty() countyCode!: string;
  @ApiProperty({ example: '1000000.00' }) amount!: string;
  @ApiProperty({ nullable: true, type: String }) reversesTransferId!: string | null;
  @ApiProperty() blockSeq!: string;
  @ApiProperty() createdAt!: string;
}

export class ListBudgetsQuery extends BudgetLineFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  override limit = MAX_PAGE_SIZE;
}

export class BudgetLineDto {
  @ApiProperty() fiscalYear!: number;
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiProperty({ enum: FUNDING_LEVELS }) fundingLevel!: string;
  @ApiProperty() countyCode!: string;
  @ApiProperty({ example: '1000.00' }) appropriated!: string;
  @ApiProperty({ example: '300.00' }) committed!: string;
  @ApiProperty({ example: '200.00' }) spent!: string;
  @ApiProperty({ example: '500.00', description: 'appropriated = committed + spent + available + receivable' })
  available!: string;
  @ApiProperty({
    example: '0.00',
    description: 'paid, found not owed (overpayment claims), and not yet recovered or written off',
  })
  receivable!: string;
}

export class BudgetLinePageDto {
  @ApiProperty({ type: [BudgetLineDto] }) items!: BudgetLineDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
