import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { formatMoney, money } from '../../common/money.js';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { AccountLimitError } from '../ledger/ledger.errors.js';
import type { BudgetLineFilter } from '../ledger/budget-lines.repository.js';
import { LedgerService, type TransferView } from '../ledger/ledger.service.js';
import type { FundingLevel } from '../policies/policy-codes.js';
import { RegionsService } from '../regions/regions.service.js';
import { lineKey, type BudgetLineKey } from './budget-line.js';
import { InsufficientBudgetError, NotAnAppropriationError } from './budgets.errors.js';

export interface AppropriationInput {
  fiscalYear: number;
  policyCode: string;
  fundingLevel: FundingLevel;
  countyCode: string;
  /** Two-place decimal string, validated by the DTO. */
  amount: string;
}

export interface AppropriationView {
  transferId: string;
  code: 'APPROPRIATION' | 'REVERSAL';
  fiscalYear: number;
  policyCode: string;
  fundingLevel: FundingLevel;
  countyCode: string;
  amount: string;
  reversesTransferId: string | null;
  blockSeq: string;
  createdAt: string;
}

export interface BudgetLineView {
  fiscalYear: number;
  policyCode: string;
  fundingLevel: FundingLevel;
  countyCode: string;
  appropriated: string;
  committed: string;
  spent: string;
  available: string;
  /** Paid, found not owed, and not yet recovered or written off (overpayment claims). */
  receivable: string;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

function appropriationView(transfer: TransferView): AppropriationView {
  const line = transfer.code === 'APPROPRIATION' ? transfer.debitAccount : transfer.creditAccount;
  return {
    transferId: transfer.id,
    code: transfer.code as 'APPROPRIATION' | 'REVERSAL',
    fiscalYear: line.fiscalYear!,
    policyCode: line.policyCode!,
    fundingLevel: line.fundingLevel!,
    countyCode: line.countyCode!,
    amount: transfer.amount,
    reversesTransferId: transfer.reversesTransferId,
    blockSeq: transfer.blockSeq,
    createdAt: transfer.createdAt,
  };
}

/** Appropriations (FUNDING -> AVAILABLE), their reversals, and the budget figures per line. */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly ledger: LedgerService,
    private readonly regions: RegionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Appropriates `amount` to a budget line. With an idempotency key, a retry answers the first
   * appropriation and posts nothing; the same key with a different body is refused (409).
   */
  async appropriate(actor: Actor, input: AppropriationInput, idempotencyKey?: string): Promise<AppropriationView> {
    const scope = new RegionScope(actor.regionCode);
    const region = await this.regions.find(input.countyCode);
    if (!region || region.level !== 'COUNTY') {
      throw new ValidationFailedError([
        { field: 'countyCode', message: `${input.countyCode} is not a county of this city` },
      ]);
    }
    scope.assert(input.countyCode, 'budget line');
    const idempotencyId = `appropriation:${idempotencyKey ? `${actor.id}:${idempotencyKey}` : randomUUID()}`;
    const line: BudgetLineKey = {
      fiscalYear: input.fiscalYear,
      policyCode: input.policyCode,
      fundingLevel: input.fundingLevel,
      countyCode: input.countyCode,
    };
    return this.transactions.run(async (manager) => {
      const accounts = (await this.ledger.openLineAccounts(manager, [line])).get(lineKey(line))!;
      const posted = await this.ledger.post(manager, [
        {
          idempotencyId,
          debitAccountId: accounts.funding,
          creditAccountId: accounts.available,
          amount: money(input.amount),
          code: 'APPROPRIATION',
        },
      ]);
      const view = appropriationView((await this.ledger.findTransfer(manager, posted.transfers[0].id))!);
      if (posted.created > 0) {
        await this.audit.record(manager, {
          action: 'budget.appropriated',
          entityType: 'ledger_transfer',
          entityId: view.transferId,
          regionCode: input.countyCode,
          after: { ...view, idempotencyKey: idempotencyKey ?? null },
        });
      }
      return view;
    });
  }

  /**
   * Corrects a wrong appropriation with a REVERSAL transfer (AVAILABLE -> FUNDING) that names it.
   * A transfer is reversed at most once; asking again answers the same reversal. Refused with 409
   * INSUFFICIENT_BUDGET when the money is no longer available (committed or spent).
   */
  async reverseAppropriation(actor: Actor, transferId: string): Promise<AppropriationView> {
    const scope = new RegionScope(actor.regionCode);
    return this.transactions.run(async (manager) => {
      const original = await this.ledger.findTransfer(manager, transferId);
      const county = original?.debitAccount.countyCode;
      if (!original || !county || !scope.covers(county)) throw new NotFoundError('Transfer', transferId);
      if (original.code !== 'APPROPRIATION') throw new NotAnAppropriationError(transferId, original.code);
      let posted;
      try {
        posted = await this.ledger.post(manager, [
          {
            idempotencyId: `reversal:${original.id}`,
            debitAccountId: original.creditAccount.id,
            creditAccountId: original.debitAccount.id,
            amount: money(original.amount),
            code: 'REVERSAL',
            reversesTransferId: original.id,
          },
        ]);
      } catch (error) {
        const short =
          error instanceof AccountLimitError && error.violations.find((v) => v.account.code === 'AVAILABLE');
        if (short) {
          const account = original.debitAccount;
          const line: BudgetLineKey = {
            fiscalYear: account.fiscalYear!,
            policyCode: account.policyCode!,
            fundingLevel: account.fundingLevel!,
            countyCode: account.countyCode!,
          };
          throw new InsufficientBudgetError(line, short.shortfall);
        }
        throw error;
      }
      const view = appropriationView((await this.ledger.findTransfer(manager, posted.transfers[0].id))!);
      if (posted.created > 0) {
        await this.audit.record(manager, {
          action: 'budget.appropriation_reversed',
          entityType: 'ledger_transfer',
          entityId: original.id,
          regionCode: county,
          before: appropriationView(original),
          after: view,
        });
      }
      return view;
    });
  }

  async listLines(
    actor: Actor,
    filter: BudgetLineFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<BudgetLineView>> {
    const key = decodeCursor(page.cursor, [cursorPart.int2, cursorPart.text, cursorPart.text, cursorPart.int4]);
    const rows = await this.ledger.budgetLines(filter, new RegionScope(actor.regionCode), key, page.limit);
    const hasMore = rows.length > page.limit;
    const pageRows = hasMore ? rows.slice(0, page.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map((row) => ({
        fiscalYear: row.fiscal_year,
        policyCode: row.policy_code,
        fundingLevel: row.funding_level,
        countyCode: row.county_code,
        appropriated: formatMoney(row.appropriated),
        committed: formatMoney(row.committed),
        spent: formatMoney(row.spent),
        available: formatMoney(row.available),
        receivable: formatMoney(row.receivable),
      })),
      nextCursor: hasMore
        ? encodeCursor([last.fiscal_year, last.county_code, last.policy_code, Number(last.level_order)])
        : null,
    };
  }
}
