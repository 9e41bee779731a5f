import { Controller, Get, Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Decimal } from 'decimal.js';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { formatMoney, fromFen, money, toFen } from '../../common/money.js';
import type { Actor } from '../../common/request-context.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { Transactions } from '../../database/transactions.js';
import { BudgetsService } from '../budgets/budgets.service.js';
import { shareSplitter } from '../budgets/share-split.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';
import { DisbursementsRepository } from './disbursements.repository.js';
import { DisbursementsService, groupByShares } from './disbursements.service.js';

export class BudgetImpactLevelDto {
  @ApiProperty({ enum: FUNDING_LEVELS }) fundingLevel!: string;
  @ApiProperty({ example: '480.00', description: "This level's part of the batch's payable lines" })
  amount!: string;
  @ApiProperty({ example: '480.00', description: 'What approving would commit on this line now (0 unless SUBMITTED)' })
  toCommit!: string;
  @ApiProperty({ description: 'Whether the budget line was ever appropriated' }) budgetLineExists!: boolean;
  @ApiProperty({ example: '1000.00' }) appropriated!: string;
  @ApiProperty({ example: '1000.00' }) availableBefore!: string;
  @ApiProperty({ example: '520.00', description: 'availableBefore - toCommit (negative: short)' })
  availableAfter!: string;
  @ApiProperty({ example: '0.00', description: 'How much the line lacks for this approval' }) shortfall!: string;
}

export class BudgetImpactDto {
  @ApiProperty() batchId!: string;
  @ApiProperty() status!: string;
  @ApiProperty() fiscalYear!: number;
  @ApiProperty() policyCode!: string;
  @ApiProperty() countyCode!: string;
  @ApiProperty({ example: '960.00', description: 'Sum of the payable lines (pending, paid or failed)' })
  total!: string;
  @ApiProperty({ description: 'Whether every budget line can take what approving would commit' })
  sufficient!: boolean;
  @ApiProperty({ type: [BudgetImpactLevelDto] }) levels!: BudgetImpactLevelDto[];
}

const PAYABLE = ['PENDING', 'PAID', 'FAILED'] as const;

/**
 * What approving a batch does to the budget, read before approving: the batch's lines split by the
 * funding shares of the versions that decided them, exactly as approval splits them (largest
 * remainder, per line), against each budget line's available money now. Read-only; the approval
 * itself still decides (another approval may take the money first).
 */
@Injectable()
export class BudgetImpactService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly batches: DisbursementsService,
    private readonly budgets: BudgetsService,
  ) {}

  async impact(actor: Actor, id: string): Promise<BudgetImpactDto> {
    const manager = this.transactions.dataSource.manager;
    const batch = await this.batches.inScope(manager, actor, id);
    const policy = await this.batches.policy(batch.policy_code, manager);
    const lines = await this.repository.lineAmounts(manager, id, [...PAYABLE]);
    const pendingIds = new Set((await this.repository.lineAmounts(manager, id, ['PENDING'])).map((line) => line.id));
    const approving = batch.status === 'SUBMITTED';
    const amount = new Map<FundingLevel, bigint>(FUNDING_LEVELS.map((level) => [level, 0n]));
    const toCommit = new Map<FundingLevel, bigint>(FUNDING_LEVELS.map((level) => [level, 0n]));
    let total = money(0);
    for (const group of groupByShares(policy, lines)) {
      const split = shareSplitter(group.shares);
      for (const line of group.lines) {
        total = total.plus(line.amount);
        const parts = split(toFen(money(line.amount)));
        for (const level of FUNDING_LEVELS) {
          amount.set(level, amount.get(level)! + parts[level]);
          if (approving && pendingIds.has(line.id)) toCommit.set(level, toCommit.get(level)! + parts[level]);
        }
      }
    }
    const budget = await this.budgets.listLines(
      actor,
      { fiscalYear: batch.fiscal_year, policyCode: batch.policy_code, countyCode: batch.county_code },
      { limit: FUNDING_LEVELS.length },
    );
    const levels = FUNDING_LEVELS.filter((level) => amount.get(level)! > 0n).map((level) => {
      const line = budget.items.find((item) => item.fundingLevel === level);
      const before = money(line?.available ?? 0);
      const commit = fromFen(toCommit.get(level)!);
      const after = before.minus(commit);
      return {
        fundingLevel: level,
        amount: formatMoney(fromFen(amount.get(level)!)),
        toCommit: formatMoney(commit),
        budgetLineExists: line !== undefined,
        appropriated: formatMoney(money(line?.appropriated ?? 0)),
        availableBefore: formatMoney(before),
        availableAfter: formatMoney(after),
        shortfall: formatMoney(Decimal.max(after.negated(), 0)),
      };
    });
    return {
      batchId: batch.id,
      status: batch.status,
      fiscalYear: batch.fiscal_year,
      policyCode: batch.policy_code,
      countyCode: batch.county_code,
      total: formatMoney(total),
      sufficient: levels.every((level) => money(level.shortfall).isZero()),
      levels,
    };
  }
}

@ApiTags(TAGS.disbursements)
@Controller('disbursement-batches')
export class BudgetImpactController {
  constructor(private readonly service: BudgetImpactService) {}

  @Get(':id/budget-impact')
  @Roles('FINANCE', 'AUDITOR')
  @ApiOkResponse({
    type: BudgetImpactDto,
    description:
      "The batch's totals by funding level and, for a SUBMITTED batch, each budget line's available money before and after approving",
  })
  @ApiSummary('审批对预算的影响：各资金层级预算指标审批前后的可用额度')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  impact(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BudgetImpactDto> {
    return this.service.impact(actor, id);
  }
}
