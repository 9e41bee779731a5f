import { Controller, Get, Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { formatMoney } from '../../common/money.js';
import type { Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { HouseholdsService } from '../registry/households.service.js';
import { DisbursementsRepository } from './disbursements.repository.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

export class HouseholdPaymentDto {
  @ApiProperty() lineId!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty() batchId!: string;
  @ApiProperty() batchNo!: string;
  @ApiProperty() batchStatus!: string;
  @ApiProperty() policyCode!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) personId!: string | null;
  @ApiProperty({ type: [String], example: ['2026-10', '2026-11'] }) periods!: string[];
  @ApiProperty({ example: '340.00' }) amount!: string;
  @ApiProperty({ example: 'PAID', description: 'PENDING, PAID, FAILED or CANCELLED' }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) bankRef!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) settledAt!: string | null;
}

export class HouseholdPaymentsDto {
  @ApiProperty({ type: [HouseholdPaymentDto] }) items!: HouseholdPaymentDto[];
}

/**
 * What a household was paid (or is being paid), for the household page of any role that may see
 * the household: the lines of its batches with period, amount, status and the bank's reference.
 * The auditor's trace (GET /audit/trace/households/:id) adds the ledger transfers behind each line.
 */
@Injectable()
export class HouseholdPaymentsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly households: HouseholdsService,
  ) {}

  async list(actor: Actor, householdId: string): Promise<HouseholdPaymentsDto> {
    // Out of the caller's region: the household's own 404, never its payments.
    await this.households.get(householdId, actor);
    const rows = await this.repository.householdPayments(this.transactions.dataSource.manager, householdId);
    return {
      items: rows.map((row) => ({
        lineId: row.id,
        lineNo: row.line_no,
        batchId: row.batch_id,
        batchNo: row.batch_no,
        batchStatus: row.batch_status,
        policyCode: row.policy_code,
        personId: row.person_id,
        periods: row.periods,
        amount: formatMoney(row.amount),
        status: row.status,
        bankRef: row.bank_ref,
        reason: row.reason,
        settledAt: row.settled_at?.toISOString() ?? null,
      })),
    };
  }
}

@ApiTags(TAGS.disbursements)
@Controller('households/:id/payments')
export class HouseholdPaymentsController {
  constructor(private readonly payments: HouseholdPaymentsService) {}

  @Get()
  @Roles()
  @ApiOkResponse({ type: HouseholdPaymentsDto, description: "The household's payment lines, oldest batch first" })
  @ApiSummary('一户的发放记录（期别、金额、状态、银行流水）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  list(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<HouseholdPaymentsDto> {
    return this.payments.list(actor, id);
  }
}
