import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { fromFen, toFen } from '../../common/money.js';
import { shareSplitter, type FundingShares } from '../budgets/share-split.js';
import { accountOf, lineKey, type BudgetLineKey } from '../ledger/line-accounts.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { TransferInput } from '../ledger/ledger.types.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import { OverpaymentsRepository, type ClaimRow } from './overpayments.repository.js';

/** How a settled part of a claim leaves its receivable. */
export type SettleCode = 'RECOVERY' | 'WRITE_OFF' | 'OVERPAYMENT_WITHDRAWN';

/** An overpaid period as the ledger sees it: an amount of one budget line's year and county, split by shares. */
export interface OverpaidPiece {
  claimLineId: string;
  fiscalYear: number;
  countyCode: string;
  amount: Decimal;
  shares: FundingShares;
}

/**
 * Splits `totalFen` in proportion to `weights` (each >= 0, total <= their sum) by the
 * largest-remainder rule, ties to the earlier weight: the parts add up to the total exactly and
 * none exceeds its weight, so a partial recovery never takes a budget line's receivable below zero.
 */
export function splitByWeights(totalFen: bigint, weights: bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (totalFen < 0n || totalFen > sum) throw new RangeError('the amount to split exceeds its weights');
  if (sum === 0n) return weights.map(() => 0n);
  const parts = weights.map((w) => (totalFen * w) / sum);
  const remainders = weights.map((w) => (totalFen * w) % sum);
  let leftover = totalFen - parts.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((_, index) => index)
    .sort((a, b) => (remainders[a] === remainders[b] ? a - b : remainders[a] > remainders[b] ? -1 : 1));
  for (const index of order) {
    if (leftover === 0n) break;
    if (parts[index] < weights[index]) {
      parts[index] += 1n;
      leftover -= 1n;
    }
  }
  return parts;
}

/** The funding shares of a policy version as decimals (the version that decided a paid line). */
export function sharesOf(policy: PolicyWithVersions, versionId: string): FundingShares {
  const version = policy.versions.find((v) => v.id === versionId) ?? policy.versions[policy.versions.length - 1];
  return Object.fromEntries(
    Object.entries(version.fundingShares).map(([level, share]) => [level, new Decimal(String(share))]),
  ) as FundingShares;
}

/**
 * A claim's money in the ledger: an overpaid period moves SPENT -> RECEIVABLE on the budget lines
 * that paid it (split by the funding shares, exactly to the fen); settling moves the receivable on
 * to AVAILABLE (recovered) or back to SPENT (written off, or owed after all), in proportion to what
 * each line still has receivable. Every call posts once, in the caller's transaction.
 */
@Injectable()
export class ClaimLedger {
  constructor(
    private readonly ledger: LedgerService,
    private readonly repository: OverpaymentsRepository,
  ) {}

  async overpaid(manager: EntityManager, claim: ClaimRow, pieces: OverpaidPiece[]): Promise<void> {
    const parts: { line: BudgetLineKey; fen: bigint; claimLineId: string }[] = [];
    for (const piece of pieces) {
      const split = shareSplitter(piece.shares)(toFen(piece.amount));
      for (const level of FUNDING_LEVELS) {
        if (split[level] === 0n) continue;
        parts.push({
          line: {
            fiscalYear: piece.fiscalYear,
            policyCode: claim.policy_code,
            fundingLevel: level,
            countyCode: piece.countyCode,
          },
          fen: split[level],
          claimLineId: piece.claimLineId,
        });
      }
    }
    if (parts.length === 0) return;
    const accounts = await this.ledger.openLineAccounts(
      manager,
      parts.map((p) => p.line),
    );
    await this.ledger.post(
      manager,
      parts.map((p): TransferInput => ({
        idempotencyId: `overpayment:${p.claimLineId}:${p.line.fundingLevel}`,
        debitAccountId: accountOf(accounts.get(lineKey(p.line))!, 'SPENT'),
        creditAccountId: accountOf(accounts.get(lineKey(p.line))!, 'RECEIVABLE'),
        amount: fromFen(p.fen),
        code: 'OVERPAYMENT',
        lineId: p.claimLineId,
      })),
    );
    await this.repository.addReceivables(
      manager,
      parts.map((p) => ({
        claimId: claim.id,
        fiscalYear: p.line.fiscalYear,
        fundingLevel: p.line.fundingLevel,
        countyCode: p.line.countyCode,
        amount: fromFen(p.fen).toFixed(2),
      })),
    );
  }

  /** Settles `amount` of the claim's receivable (at most what is left of it) with `code`; `key` names the post. */
  async settle(manager: EntityManager, claim: ClaimRow, amount: Decimal, code: SettleCode, key: string): Promise<void> {
    const rows = await this.repository.receivables(manager, claim.id);
    const weights = rows.map((row) => toFen(row.amount) - toFen(row.settled));
    const parts = splitByWeights(toFen(amount), weights);
    const pieces = rows
      .map((row, index) => ({
        line: {
          fiscalYear: row.fiscal_year,
          policyCode: claim.policy_code,
          fundingLevel: row.funding_level as FundingLevel,
          countyCode: row.county_code,
        },
        fen: parts[index],
      }))
      .filter((piece) => piece.fen > 0n);
    if (pieces.length === 0) return;
    const accounts = await this.ledger.findLineAccounts(
      manager,
      pieces.map((p) => p.line),
    );
    const to = code === 'RECOVERY' ? 'AVAILABLE' : 'SPENT';
    await this.ledger.post(
      manager,
      pieces.map((p): TransferInput => ({
        idempotencyId: `${key}:${p.line.fiscalYear}:${p.line.countyCode}:${p.line.fundingLevel}`,
        debitAccountId: accountOf(accounts.get(lineKey(p.line))!, 'RECEIVABLE'),
        creditAccountId: accountOf(accounts.get(lineKey(p.line))!, to),
        amount: fromFen(p.fen),
        code,
        lineId: claim.id,
      })),
    );
    await this.repository.settleReceivables(
      manager,
      claim.id,
      pieces.map((p) => ({
        fiscalYear: p.line.fiscalYear,
        fundingLevel: p.line.fundingLevel,
        countyCode: p.line.countyCode,
        amount: fromFen(p.fen).toFixed(2),
      })),
    );
  }
}
