import { callerText } from '../../common/request-context.js';
import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import type { FieldProblem } from '../../common/errors.js';
import { formatMoney, fromFen, money, toFen } from '../../common/money.js';
import { AuditService } from '../audit/audit.service.js';
import { AccountLimitError } from '../ledger/ledger.errors.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { AccountCode, LedgerTransfer, TransferCode, TransferInput } from '../ledger/ledger.types.js';
import { FUNDING_LEVELS, POLICY_CODES, type FundingLevel } from '../policies/policy-codes.js';
import { accountOf, lineKey, type BudgetLineKey } from '../ledger/line-accounts.js';
import { CommitmentExceededError, InsufficientBudgetError, InvalidBudgetMovementError } from './budgets.errors.js';
import { shareSplitter, sharesProblem, type FundingShares } from './share-split.js';

export interface MovementLine {
  lineId: string;
  amount: Decimal;
}

interface MovementBase {
  fiscalYear: number;
  policyCode: string;
  countyCode: string;
  /** Fractions per funding level that sum to exactly 1 (the policy version's funding shares). */
  shares: FundingShares;
  batchId?: string | null;
  /**
   * Same key, same movement: a retry (say, a re-run job) posts nothing again and answers the same.
   * Each transfer's idempotency id is derived from it (`commit:<key>:<level>`, ...).
   */
  idempotencyKey: string;
}

/**
 * A budget movement for one policy, county and fiscal year. Either one `amount` (split by the
 * shares; optional `lineId` reference), or many `lines`, each split by the shares on its own so
 * that per-line payments and releases later add up exactly to what was committed per level.
 */
export type BudgetMovement = MovementBase &
  (
    | { amount: Decimal; lineId?: string | null; lines?: undefined }
    | { lines: MovementLine[]; amount?: undefined; lineId?: undefined }
  );

export interface BudgetMovementResult {
  total: Decimal;
  /** Per funding level with a non-zero part, in level order. */
  parts: { budgetLine: BudgetLineKey; amount: Decimal }[];
  transfers: LedgerTransfer[];
  /** The block that sealed the transfers; null on a pure retry. */
  blockSeq: string | null;
  /** True when every transfer had been posted before (a retry). */
  replayed: boolean;
}

type Operation = 'commit' | 'release' | 'spend';

interface OperationRule {
  code: TransferCode;
  from: AccountCode;
  to: AccountCode;
  /** When lines are given: one transfer per level (commit) or per line and level. */
  perLine: boolean;
  action: string;
}

const RULES: Record<Operation, OperationRule> = {
  commit: { code: 'COMMITMENT', from: 'AVAILABLE', to: 'COMMITTED', perLine: false, action: 'budget.committed' },
  release: { code: 'RELEASE', from: 'COMMITTED', to: 'AVAILABLE', perLine: true, action: 'budget.released' },
  spend: { code: 'PAYMENT', from: 'COMMITTED', to: 'SPENT', perLine: true, action: 'budget.spent' },
};

/** A positive amount of fen as money, parsed from its text (cheaper than fromFen's division, per transfer). */
const fenAmount = (fen: bigint): Decimal => money(`${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`);

function wholeFenProblem(amount: unknown, field: string): FieldProblem | undefined {
  if (!(amount instanceof Decimal) || !amount.isFinite() || !amount.greaterThan(0)) {
    return { field, message: callerText('ledgerProblems.positiveDecimal') };
  }
  if (amount.decimalPlaces() > 2) return { field, message: callerText('ledgerProblems.wholeFen') };
  return undefined;
}

const shortError = (op: Operation, budgetLine: BudgetLineKey, shortfall: Decimal) =>
  op === 'commit'
    ? new InsufficientBudgetError(budgetLine, shortfall)
    : new CommitmentExceededError(budgetLine, shortfall);

function movementProblems(movement: BudgetMovement): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(movement.fiscalYear) || movement.fiscalYear < 2000 || movement.fiscalYear > 2100) {
    problems.push({ field: 'fiscalYear', message: callerText('ledgerProblems.fiscalYear') });
  }
  if (!(POLICY_CODES as readonly string[]).includes(movement.policyCode)) {
    problems.push({ field: 'policyCode', message: callerText('ledgerProblems.policyCode') });
  }
  if (!/^\d{6}$/.test(movement.countyCode))
    problems.push({ field: 'countyCode', message: callerText('ledgerProblems.countyCode') });
  const shares = sharesProblem(movement.shares);
  if (shares) problems.push({ field: 'shares', message: shares });
  if (typeof movement.idempotencyKey !== 'string' || !/^.{1,200}$/s.test(movement.idempotencyKey)) {
    problems.push({ field: 'idempotencyKey', message: callerText('ledgerProblems.idempotencyKey') });
  }
  if (movement.lines !== undefined) {
    if (movement.amount !== undefined)
      problems.push({ field: 'amount', message: callerText('ledgerProblems.amountOrLines') });
    if (movement.lines.length === 0)
      problems.push({ field: 'lines', message: callerText('ledgerProblems.linesEmpty') });
    const ids = new Set<string>();
    movement.lines.forEach((line, index) => {
      const problem = wholeFenProblem(line.amount, `lines[${index}].amount`);
      if (problem) problems.push(problem);
      if (typeof line.lineId !== 'string' || line.lineId.length === 0 || ids.has(line.lineId)) {
        problems.push({ field: `lines[${index}].lineId`, message: callerText('ledgerProblems.lineId') });
      }
      ids.add(line.lineId);
    });
  } else {
    const problem = wholeFenProblem(movement.amount, 'amount');
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * The budget API for disbursement batches: commit, release and spend money of a policy, county and
 * fiscal year, split by the funding shares with the largest-remainder rule, each call all or nothing
 * inside the caller's transaction (one ledger post, so one block and one balance update per account).
 */
@Injectable()
export class BudgetCommitmentsService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  /**
   * AVAILABLE -> COMMITTED on each funding level's budget line. Throws 409 INSUFFICIENT_BUDGET
   * naming the first short line (in level order) and its shortfall when any line lacks the money;
   * then nothing is committed.
   */
  commit(manager: EntityManager, movement: BudgetMovement): Promise<BudgetMovementResult> {
    return this.move(manager, 'commit', movement);
  }

  /** COMMITTED -> AVAILABLE (a failed or cancelled payment). 409 COMMITMENT_EXCEEDED if over-released. */
  release(manager: EntityManager, movement: BudgetMovement): Promise<BudgetMovementResult> {
    return this.move(manager, 'release', movement);
  }

  /** COMMITTED -> SPENT (a payment the bank made). 409 COMMITMENT_EXCEEDED if over-spent. */
  spend(manager: EntityManager, movement: BudgetMovement): Promise<BudgetMovementResult> {
    return this.move(manager, 'spend', movement);
  }

  private async move(manager: EntityManager, op: Operation, movement: BudgetMovement): Promise<BudgetMovementResult> {
    const problems = movementProblems(movement);
    if (problems.length > 0) throw new InvalidBudgetMovementError(problems);
    const rule = RULES[op];

    // The pieces to post: (level, amount in fen, lineId) with amount > 0.
    const split = shareSplitter(movement.shares);
    const pieces: { level: FundingLevel; fen: bigint; lineId: string | null }[] = [];
    const totalFen = new Map<FundingLevel, bigint>(FUNDING_LEVELS.map((level) => [level, 0n]));
    const lines = movement.lines ?? [{ lineId: movement.lineId ?? null, amount: movement.amount! }];
    const perPiece = rule.perLine || movement.lines === undefined;
    for (const line of lines) {
      const parts = split(toFen(line.amount));
      for (const level of FUNDING_LEVELS) {
        totalFen.set(level, totalFen.get(level)! + parts[level]);
        if (perPiece && parts[level] > 0n) pieces.push({ level, fen: parts[level], lineId: line.lineId });
      }
    }
    if (!perPiece) {
      for (const level of FUNDING_LEVELS) {
        if (totalFen.get(level)! > 0n) pieces.push({ level, fen: totalFen.get(level)!, lineId: null });
      }
    }
    const totals = new Map<FundingLevel, Decimal>(
      FUNDING_LEVELS.map((level) => [level, fromFen(totalFen.get(level)!)]),
    );

    const levels = FUNDING_LEVELS.filter((level) => totals.get(level)!.greaterThan(0));
    const budgetLines = levels.map((fundingLevel) => ({
      fiscalYear: movement.fiscalYear,
      policyCode: movement.policyCode,
      fundingLevel,
      countyCode: movement.countyCode,
    }));
    const accounts = await this.ledger.findLineAccounts(manager, budgetLines);
    if (accounts.size < budgetLines.length) {
      // A line that was never appropriated has nothing to commit, release or spend. Refuse without
      // opening it (the caller may already hold the ledger head), naming the first short line.
      for (const budgetLine of budgetLines) {
        const found = accounts.get(lineKey(budgetLine));
        const has = found ? money(found.balances![rule.from]) : money(0);
        const need = totals.get(budgetLine.fundingLevel)!;
        if (need.greaterThan(has)) throw shortError(op, budgetLine, need.minus(has));
      }
    }
    const accountsOf = (level: FundingLevel) => accounts.get(lineKey({ ...budgetLines[0], fundingLevel: level }))!;

    const transfers: TransferInput[] = pieces.map((piece) => ({
      idempotencyId:
        piece.lineId !== null && movement.lines !== undefined
          ? `${op}:${movement.idempotencyKey}:${piece.lineId}:${piece.level}`
          : `${op}:${movement.idempotencyKey}:${piece.level}`,
      debitAccountId: accountOf(accountsOf(piece.level), rule.from),
      creditAccountId: accountOf(accountsOf(piece.level), rule.to),
      amount: fenAmount(piece.fen),
      code: rule.code,
      batchId: movement.batchId ?? null,
      lineId: piece.lineId,
    }));

    let posted;
    try {
      posted = await this.ledger.post(manager, transfers);
    } catch (error) {
      if (error instanceof AccountLimitError) {
        const short = error.violations
          .filter((v) => v.account.code === rule.from && v.account.fundingLevel !== null)
          .sort(
            (a, b) => FUNDING_LEVELS.indexOf(a.account.fundingLevel!) - FUNDING_LEVELS.indexOf(b.account.fundingLevel!),
          )[0];
        if (short) {
          throw shortError(op, { ...budgetLines[0], fundingLevel: short.account.fundingLevel! }, short.shortfall);
        }
      }
      throw error;
    }

    const total = levels.reduce((sum, level) => sum.plus(totals.get(level)!), money(0));
    const parts = budgetLines.map((budgetLine) => ({
      budgetLine,
      amount: totals.get(budgetLine.fundingLevel)!,
    }));
    if (posted.created > 0) {
      await this.audit.record(manager, {
        action: rule.action,
        entityType: movement.batchId ? 'disbursement_batch' : 'budget_movement',
        entityId: movement.batchId ?? movement.idempotencyKey,
        regionCode: movement.countyCode,
        after: {
          fiscalYear: movement.fiscalYear,
          policyCode: movement.policyCode,
          countyCode: movement.countyCode,
          total: formatMoney(total),
          parts: Object.fromEntries(parts.map((p) => [p.budgetLine.fundingLevel, formatMoney(p.amount)])),
          lines: movement.lines?.length ?? (movement.lineId ? 1 : 0),
          idempotencyKey: movement.idempotencyKey,
          transfers: posted.created,
          blockSeq: posted.block?.seq ?? null,
        },
      });
    }
    return {
      total,
      parts,
      transfers: posted.transfers,
      blockSeq: posted.block?.seq ?? null,
      replayed: posted.created === 0,
    };
  }
}
