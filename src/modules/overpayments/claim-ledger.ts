import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { formatMoney, fromFen, money, toFen } from '../../common/money.js';
import { shareSplitter, type FundingShares } from '../budgets/share-split.js';
import { accountOf, lineKey, type BudgetLineKey } from '../ledger/line-accounts.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { LedgerTransfer, TransferInput } from '../ledger/ledger.types.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import { OverpaymentsRepository, type ClaimRow, type ReceivableRow } from './overpayments.repository.js';

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

  /**
   * The lock order of claims and the ledger: a transaction that locks claims and posts takes the
   * ledger's chain head first (a bank-result import posts before it reverses offsets, so it holds the
   * head when it locks claims; a refund taking the claim first and the head second could deadlock it).
   */
  lockLedgerFirst(manager: EntityManager): Promise<void> {
    return this.ledger.lockHead(manager);
  }

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
        amount: formatMoney(fromFen(p.fen)),
      })),
    );
  }

  /** Settles `amount` of the claim's receivable (at most what is left of it) with `code`; `key` names the post. */
  settle(manager: EntityManager, claim: ClaimRow, amount: Decimal, code: SettleCode, key: string): Promise<void> {
    return this.settleMany(manager, claim, [{ amount, key }], code);
  }

  /**
   * Settles several parts of the claim's receivable with `code`, each split over what the budget
   * lines still have receivable after the parts before it, each posted under its own `key` (so
   * that one part can later be reversed alone), all in one post.
   */
  async settleMany(
    manager: EntityManager,
    claim: ClaimRow,
    parts: { amount: Decimal; key: string }[],
    code: SettleCode,
  ): Promise<void> {
    const rows = await this.repository.receivables(manager, claim.id);
    const left = rows.map((row) => toFen(row.amount) - toFen(row.settled));
    const settled = rows.map(() => 0n);
    const pieces: { row: number; fen: bigint; key: string }[] = [];
    for (const part of parts) {
      splitByWeights(toFen(part.amount), left).forEach((fen, row) => {
        if (fen === 0n) return;
        left[row] -= fen;
        settled[row] += fen;
        pieces.push({ row, fen, key: part.key });
      });
    }
    if (pieces.length === 0) return;
    const lines = rows.map((row) => this.lineOf(claim, row));
    const accounts = await this.ledger.findLineAccounts(
      manager,
      lines.filter((_, row) => settled[row] > 0n),
    );
    const to = code === 'RECOVERY' ? 'AVAILABLE' : 'SPENT';
    await this.ledger.post(
      manager,
      pieces.map(({ row, fen, key }): TransferInput => {
        const line = lines[row];
        return {
          idempotencyId: `${key}:${line.fiscalYear}:${line.countyCode}:${line.fundingLevel}`,
          debitAccountId: accountOf(accounts.get(lineKey(line))!, 'RECEIVABLE'),
          creditAccountId: accountOf(accounts.get(lineKey(line))!, to),
          amount: fromFen(fen),
          code,
          lineId: claim.id,
        };
      }),
    );
    await this.repository.settleReceivables(
      manager,
      claim.id,
      lines
        .map((line, row) => ({ ...line, amount: formatMoney(fromFen(settled[row])) }))
        .filter((_, row) => settled[row] > 0n),
    );
  }

  /**
   * Offsets whose lines the bank failed never reached the household, so they are undone exactly,
   * transfer by transfer, in one post: each claim's RECOVERY transfers posted under the offsets'
   * keys are reversed (AVAILABLE -> RECEIVABLE again, the claim's receivables unsettled by the
   * same amounts), and the failed lines' offset parts of the paying budget, committed and spent at
   * approval, are reversed (SPENT -> COMMITTED) and released (COMMITTED -> AVAILABLE), as the lines'
   * net amounts are. Answers what each claim had recovered by them, now receivable again.
   */
  async reverseOffsets(
    manager: EntityManager,
    recoveries: { claim: ClaimRow; keys: string[] }[],
    spends: { batch: OffsetBatch; lineIds: string[]; groups: number },
  ): Promise<Map<string, Decimal>> {
    const transfers: TransferInput[] = [];
    const reversed = new Map<string, Decimal>();
    const unsettled: { claimId: string; rows: (BudgetLineKey & { amount: string })[] }[] = [];
    for (const { claim, keys } of recoveries) {
      const rows = (await this.repository.receivables(manager, claim.id)).map((row) => this.lineOf(claim, row));
      const lineOf = new Map<string, BudgetLineKey>();
      for (const key of keys) {
        for (const line of rows) lineOf.set(`${key}:${line.fiscalYear}:${line.countyCode}:${line.fundingLevel}`, line);
      }
      const fen = new Map<string, bigint>();
      for (const t of await this.ledger.findTransfers(manager, [...lineOf.keys()])) {
        if (t.code !== 'RECOVERY') continue;
        transfers.push(reversalOf(t));
        const key = lineKey(lineOf.get(t.idempotencyId)!);
        fen.set(key, (fen.get(key) ?? 0n) + toFen(t.amount));
        reversed.set(claim.id, (reversed.get(claim.id) ?? money(0)).plus(t.amount));
      }
      unsettled.push({
        claimId: claim.id,
        rows: rows
          .filter((line) => fen.has(lineKey(line)))
          .map((line) => ({ ...line, amount: formatMoney(fromFen(-fen.get(lineKey(line))!)) })),
      });
    }

    const { batch, lineIds, groups } = spends;
    const levels = new Map<string, FundingLevel>();
    for (const lineId of lineIds) {
      for (let group = 0; group < groups; group++) {
        for (const level of FUNDING_LEVELS) {
          levels.set(`spend:${offsetMovementKey(batch.id, group)}:${lineId}:${level}`, level);
        }
      }
    }
    const spent = (await this.ledger.findTransfers(manager, [...levels.keys()])).filter((t) => t.code === 'PAYMENT');
    const budgetLines = FUNDING_LEVELS.map((fundingLevel) => ({
      fiscalYear: batch.fiscal_year,
      policyCode: batch.policy_code,
      fundingLevel,
      countyCode: batch.county_code,
    }));
    const accounts = spent.length > 0 ? await this.ledger.findLineAccounts(manager, budgetLines) : undefined;
    for (const t of spent) {
      const line = budgetLines.find((l) => l.fundingLevel === levels.get(t.idempotencyId))!;
      transfers.push(reversalOf(t), {
        idempotencyId: `offset-failed:${t.id}:release`,
        // A PAYMENT debits COMMITTED: its reversal credits it back, and the release takes it to AVAILABLE.
        debitAccountId: t.debitAccountId,
        creditAccountId: accountOf(accounts!.get(lineKey(line))!, 'AVAILABLE'),
        amount: t.amount,
        code: 'RELEASE',
        batchId: t.batchId,
        lineId: t.lineId,
      });
    }
    await this.ledger.post(manager, transfers);
    for (const { claimId, rows } of unsettled) {
      if (rows.length > 0) await this.repository.settleReceivables(manager, claimId, rows);
    }
    return reversed;
  }

  private lineOf(claim: ClaimRow, row: ReceivableRow): BudgetLineKey {
    return {
      fiscalYear: row.fiscal_year,
      policyCode: claim.policy_code,
      fundingLevel: row.funding_level as FundingLevel,
      countyCode: row.county_code,
    };
  }
}

/** The batch an offset was kept back by, as its budget movements name it. */
export interface OffsetBatch {
  id: string;
  fiscal_year: number;
  policy_code: string;
  county_code: string;
}

/** The idempotency key of a batch's approval movement that commits and spends the offsets of one share group. */
export const offsetMovementKey = (batchId: string, group: number): string => `batch:${batchId}:offset:${group}`;

/** The idempotency key under which an offset (a recovery row) recovers its claim at approval. */
export const offsetRecoveryKey = (batchId: string, recoveryId: string): string => `offset:${batchId}:${recoveryId}`;

/** The REVERSAL of a transfer: its accounts swapped, the same amount, once. */
const reversalOf = (t: LedgerTransfer): TransferInput => ({
  idempotencyId: `offset-failed:${t.id}`,
  debitAccountId: t.creditAccountId,
  creditAccountId: t.debitAccountId,
  amount: t.amount,
  code: 'REVERSAL',
  batchId: t.batchId,
  lineId: t.lineId,
  reversesTransferId: t.id,
});
