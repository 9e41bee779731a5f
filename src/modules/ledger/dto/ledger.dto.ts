import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import { FUNDING_LEVELS, POLICY_CODES } from '../../policies/policy-codes.js';
import { ACCOUNT_CODES, TRANSFER_CODES } from '../ledger.types.js';

/** The budget-line key as optional filters, shared by the ledger's accounts and the budgets list. */
export class BudgetLineFilterQuery extends PageQuery {
  @ApiPropertyOptional({ example: 2012 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  fiscalYear?: number;

  @ApiPropertyOptional({ enum: POLICY_CODES })
  @IsOptional()
  @IsIn(POLICY_CODES)
  policyCode?: string;

  @ApiPropertyOptional({ enum: FUNDING_LEVELS })
  @IsOptional()
  @IsIn(FUNDING_LEVELS)
  fundingLevel?: string;

  @ApiPropertyOptional({ example: '410122' })
  @IsOptional()
  @Matches(/^\d{6}$/, localized('county'))
  countyCode?: string;
}

export class ListAccountsQuery extends BudgetLineFilterQuery {
  @ApiPropertyOptional({ enum: ACCOUNT_CODES })
  @IsOptional()
  @IsIn(ACCOUNT_CODES)
  code?: string;
}

export class ListTransfersQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  batchId?: string;

  @ApiPropertyOptional({ example: '12' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, localized('accountId'))
  accountId?: string;

  @ApiPropertyOptional({ enum: TRANSFER_CODES })
  @IsOptional()
  @IsIn(TRANSFER_CODES)
  code?: string;
}

export class AccountRefDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ACCOUNT_CODES }) code!: string;
  @ApiProperty({ nullable: true, type: Number }) fiscalYear!: number | null;
  @ApiProperty({ nullable: true, type: String }) policyCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) fundingLevel!: string | null;
  @ApiProperty({ nullable: true, type: String }) countyCode!: string | null;
}

export class AccountDto extends AccountRefDto {
  @ApiProperty({ type: [String], example: ['DEBITS_MUST_NOT_EXCEED_CREDITS'] }) flags!: string[];
  @ApiProperty({ example: '960.00' }) debitsPosted!: string;
  @ApiProperty({ example: '960.00' }) creditsPosted!: string;
  @ApiProperty({ example: '0.00', description: 'debits - credits for FUNDING, credits - debits otherwise' })
  balance!: string;
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountDto] }) items!: AccountDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TransferDto {
  @ApiProperty() id!: string;
  @ApiProperty() idempotencyId!: string;
  @ApiProperty({ enum: TRANSFER_CODES }) code!: string;
  @ApiProperty({ example: '960.00' }) amount!: string;
  @ApiProperty({ type: AccountRefDto }) debitAccount!: AccountRefDto;
  @ApiProperty({ type: AccountRefDto }) creditAccount!: AccountRefDto;
  @ApiProperty({ nullable: true, type: String }) batchId!: string | null;
  @ApiProperty({ nullable: true, type: String }) lineId!: string | null;
  @ApiProperty({ nullable: true, type: String }) reversesTransferId!: string | null;
  @ApiProperty() blockSeq!: string;
  @ApiProperty() createdAt!: string;
}

export class TransferPageDto {
  @ApiProperty({ type: [TransferDto] }) items!: TransferDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class VerifyProblemDto {
  @ApiPropertyOptional() block?: number;
  @ApiPropertyOptional() transferId?: string;
  @ApiPropertyOptional() accountId?: string;
  @ApiProperty() problem!: string;
}

export class VerifyHeadDto {
  @ApiProperty() seq!: number;
  @ApiProperty() hash!: string;
}

export class VerifyResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() blocks!: number;
  @ApiProperty() transfers!: number;
  @ApiPropertyOptional({ description: 'The first block whose content or link does not verify' })
  firstBadBlock?: number;
  @ApiPropertyOptional({ type: [VerifyProblemDto] }) problems?: VerifyProblemDto[];
  @ApiProperty({ type: VerifyHeadDto }) head!: VerifyHeadDto;
}
