import { callerText } from '../../common/request-context.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, type EntityManager } from 'typeorm';
import { type FieldProblem } from '../../common/errors.js';
import { formatMoney, fromFen, MAX_NUMERIC_18_2_FEN, toFen } from '../../common/money.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import { accountJson, BlockHasher, canonicalTimestamp, transferLineOf } from './block-hash.js';
import { chartProblem } from './chart.js';
import {
  BudgetLinesRepository,
  type BudgetLineCursor,
  type BudgetLineFilter,
  type BudgetLineRow,
} from './budget-lines.repository.js';
import type { BudgetLineAccounts, BudgetLineKey } from './line-accounts.js';
import { ID_PATTERN, transferProblems } from './transfer-rules.js';
import {
  AccountCapacityError,
  AccountLimitError,
  AlreadyReversedError,
  IdempotencyConflictError,
  InvalidTransferError,
  UnknownAccountError,
  type AccountLimitViolation,
} from './ledger.errors.js';
import {
  detailAccounts,
  LedgerRepository,
  toAccount,
  toAccountRef,
  toTransfer,
  type AccountFilter,
  type AccountRow,
  type BalanceDelta,
  type TransferDetailRow,
  type TransferFilter,
  type TransferRowInput,
} from './ledger.repository.js';
import type {
  AccountRef,
  LedgerAccount,
  LedgerTransfer,
  PostResult,
  SealedBlock,
  TransferInput,
} from './ledger.types.js';

/** A post larger than this is sealed in several consecutive blocks (SPEC: one block per chunk). */
export const MAX_BLOCK_TRANSFERS = 10_000;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** The id after which a page starts, from a cursor this server issued. */
function cursorId(cursor: string | undefined): string | undefined {
  return decodeCursor(cursor, [cursorPart.int8Text])?.[0];
}

function sameTransfer(existing: LedgerTransfer, input: TransferInput): boolean {
  return (
    existing.debitAccountId === input.debitAccountId &&
    existing.creditAccountId === input.creditAccountId &&
    existing.amount.equals(input.amount) &&
    existing.code === input.code &&
    (existing.batchId ?? null) === (input.batchId?.toLowerCase() ?? null) &&
    (existing.lineId ?? null) === (input.lineId ?? null) &&
    (existing.reversesTransferId ?? null) === (input.reversesTransferId ?? null)
  );
}

export interface AccountView {
  id: string;
  code: string;
  fiscalYear: number | null;
  policyCode: string | null;
  fundingLevel: string | null;
  countyCode: string | null;
  flags: string[];
  debitsPosted: string;
  creditsPosted: string;
  /** On the account's normal side: debits - credits for FUNDING, credits - debits otherwise. */
  balance: string;
}

export interface TransferView {
  id: string;
  idempotencyId: string;
  code: string;
  amount: string;
  debitAccount: AccountRef;
  creditAccount: AccountRef;
  batchId: string | null;
  lineId: string | null;
  reversesTransferId: string | null;
  blockSeq: string;
  createdAt: string;
}

export function accountBalance(account: Pick<LedgerAccount, 'code' | 'debitsPosted' | 'creditsPosted'>): Decimal {
  return account.code === 'FUNDING'
    ? account.debitsPosted.minus(account.creditsPosted)
    : account.creditsPosted.minus(account.debitsPosted);
}

export const toAccountView = (row: AccountRow): AccountView => {
  const account = toAccount(row);
  return {
    ...toAccountRef(row),
    flags: account.flags,
    debitsPosted: formatMoney(account.debitsPosted),
    creditsPosted: formatMoney(account.creditsPosted),
    balance: formatMoney(accountBalance(account)),
  };
};

export const toTransferView = (row: TransferDetailRow): TransferView => {
  const { debit, credit } = detailAccounts(row);
  return {
    id: row.id,
    idempotencyId: row.idempotency_id,
    code: row.code,
    amount: formatMoney(row.amount),
    debitAccount: debit,
    creditAccount: credit,
    batchId: row.batch_id,
    lineId: row.line_id,
    reversesTransferId: row.reverses_transfer_id,
    blockSeq: row.block_seq,
    createdAt: row.created_at.toISOString(),
  };
};

/**
 * The only way money moves: `post` writes many transfers in the caller's transaction, set-based,
 * under locks, sealed in one block. See README.md, "Ledger and chart of accounts".
 */
@Injectable()
export class LedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: LedgerRepository,
    private readonly budgetLineBalances: BudgetLinesRepository,
  ) {}

  /**
   * A page of budget lines in the scope, with their five figures from the accounts' posted
   * balances (the read API budgets uses: the ledger owns the accounts).
   */
  budgetLines(
    filter: BudgetLineFilter,
    scope: RegionScope,
    after: BudgetLineCursor | undefined,
    limit: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<BudgetLineRow[]> {
    return this.budgetLineBalances.listLines(manager, filter, scope, after, limit);
  }

  /**
   * Posts `inputs` in the caller's transaction, all or nothing:
   * 1. validates every transfer (positive whole-fen amount, two different accounts, known code);
   * 2. locks the chain head (so blocks form one line and posting calls go one at a time);
   * 3. returns the existing transfer for every idempotency id already posted (a retry, found by the
   *    id's digest index), and refuses an id that was posted with different content;
   * 4. locks the touched accounts `FOR UPDATE` in id order, adds each account's aggregated
   *    debits and credits, and refuses the whole post if a flagged account would break its flag;
   * 5. takes the new transfers' ids from their sequence, updates each account's balance once, and
   *    per block of at most MAX_BLOCK_TRANSFERS: hashes the block (chained to the previous), writes
   *    it, then its transfers with one `INSERT ... SELECT FROM unnest(...)`, and moves the head.
   * A refusal throws a DomainError before anything is written. Run it in a READ COMMITTED
   * transaction (Transactions.run's default): after waiting for the head, each statement must see
   * what the previous holder committed.
   */
  /**
   * Takes the chain head's lock in the caller's transaction before posting, as `post` would: for
   * callers that must hold it before locking rows of their own (overpayment claims), so that every
   * transaction takes the head first and those rows after it, never the other way round.
   */
  async lockHead(manager: EntityManager): Promise<void> {
    await this.repository.lockHead(manager);
  }

  async post(manager: EntityManager, inputs: TransferInput[]): Promise<PostResult> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('LedgerService.post needs the EntityManager of an open transaction');
    }
    if (inputs.length === 0) return { transfers: [], created: 0, blocks: [], block: null };
    const problems = inputs.flatMap((input, index) => transferProblems(input, index));
    const seen = new Set<string>();
    inputs.forEach((input, index) => {
      if (seen.has(input.idempotencyId)) {
        problems.push({
          field: `transfers[${index}].idempotencyId`,
          message: callerText('ledgerProblems.repeatedIdempotency'),
        });
      }
      seen.add(input.idempotencyId);
    });
    if (problems.length > 0) throw new InvalidTransferError(problems);

    const head = await this.repository.lockHead(manager);

    const existing = new Map<string, LedgerTransfer>();
    for (const chunk of chunks(inputs, MAX_BLOCK_TRANSFERS)) {
      const rows = await this.repository.findTransfersByIdempotencyIds(
        manager,
        chunk.map((i) => i.idempotencyId),
      );
      for (const row of rows) existing.set(row.idempotency_id, toTransfer(row));
    }
    for (const input of inputs) {
      const found = existing.get(input.idempotencyId);
      if (found && !sameTransfer(found, input)) throw new IdempotencyConflictError(input.idempotencyId);
    }
    const fresh = existing.size === 0 ? inputs : inputs.filter((input) => !existing.has(input.idempotencyId));
    if (fresh.length === 0) {
      return {
        transfers: inputs.map((input) => existing.get(input.idempotencyId)!),
        created: 0,
        blocks: [],
        block: null,
      };
    }

    const accountIds = [...new Set(fresh.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
    const accounts = await this.repository.lockAccounts(manager, accountIds);
    const byId = new Map(accounts.map((row) => [row.id, row]));
    const missing = accountIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new UnknownAccountError(missing);
    await this.checkChart(manager, inputs, fresh, byId);

    // Amounts as two-place strings (as inserted and hashed) and fen (for exact sums), once each.
    const amounts = fresh.map((t) => formatMoney(t.amount));
    const sums = new Map(accounts.map((row) => [row.id, { debits: 0n, credits: 0n }]));
    fresh.forEach((t, index) => {
      const fen = BigInt(amounts[index].replace('.', ''));
      sums.get(t.debitAccountId)!.debits += fen;
      sums.get(t.creditAccountId)!.credits += fen;
    });
    const deltas: BalanceDelta[] = [];
    const violations: AccountLimitViolation[] = [];
    const full: AccountRef[] = [];
    for (const row of accounts) {
      const sum = sums.get(row.id)!;
      deltas.push({ accountId: row.id, debits: fromFen(sum.debits), credits: fromFen(sum.credits) });
      const debits = toFen(row.debits_posted) + sum.debits;
      const credits = toFen(row.credits_posted) + sum.credits;
      if (debits > MAX_NUMERIC_18_2_FEN || credits > MAX_NUMERIC_18_2_FEN) full.push(toAccountRef(row));
      if (row.debits_must_not_exceed_credits && debits > credits) {
        violations.push({
          account: toAccountRef(row),
          flag: 'DEBITS_MUST_NOT_EXCEED_CREDITS',
          shortfall: fromFen(debits - credits),
        });
      }
      if (row.credits_must_not_exceed_debits && credits > debits) {
        violations.push({
          account: toAccountRef(row),
          flag: 'CREDITS_MUST_NOT_EXCEED_DEBITS',
          shortfall: fromFen(credits - debits),
        });
      }
    }
    if (full.length > 0) throw new AccountCapacityError(full);
    if (violations.length > 0) throw new AccountLimitError(violations);

    // Written only now that nothing can refuse the post: balances once per account, then the
    // transfers in blocks of at most MAX_BLOCK_TRANSFERS, each chained to the one before. The ids
    // are taken first (ascending in input order), so each block is hashed and written before its
    // transfers (the posting trigger wants the block first).
    const ids = await this.repository.allocateTransferIds(manager, fresh.length);
    await this.repository.setPosting(manager, true);
    await this.repository.addToBalances(manager, deltas);
    const accountLines = new Map(accounts.map((row) => [row.id, accountJson(toAccountRef(row))]));
    const blocks: SealedBlock[] = [];
    const created = new Map<string, LedgerTransfer>();
    let seq = BigInt(head.lastSeq);
    let prevHash = head.lastHash;
    for (let start = 0; start < fresh.length; start += MAX_BLOCK_TRANSFERS) {
      seq += 1n;
      const rows: TransferRowInput[] = [];
      for (let index = start; index < Math.min(start + MAX_BLOCK_TRANSFERS, fresh.length); index++) {
        const t = fresh[index];
        rows.push({
          id: ids[index],
          idempotencyId: t.idempotencyId,
          debitAccountId: t.debitAccountId,
          creditAccountId: t.creditAccountId,
          amount: amounts[index],
          code: t.code,
          batchId: t.batchId?.toLowerCase() ?? null,
          lineId: t.lineId ?? null,
          reversesTransferId: t.reversesTransferId ?? null,
        });
      }
      const header = await this.sealBlock(manager, seq.toString(), prevHash, rows, accountLines);
      blocks.push(header);
      prevHash = header.hash;
      rows.forEach((row, index) => {
        created.set(row.idempotencyId, {
          id: row.id,
          idempotencyId: row.idempotencyId,
          debitAccountId: row.debitAccountId,
          creditAccountId: row.creditAccountId,
          amount: fresh[start + index].amount,
          code: row.code,
          batchId: row.batchId,
          lineId: row.lineId,
          reversesTransferId: row.reversesTransferId,
          blockSeq: header.seq,
        });
      });
    }
    await this.repository.setPosting(manager, false);

    return {
      transfers: inputs.map((input) => existing.get(input.idempotencyId) ?? created.get(input.idempotencyId)!),
      created: created.size,
      blocks,
      block: blocks[blocks.length - 1],
    };
  }

  /**
   * Every transfer must follow the chart of accounts (chart.ts): two accounts of one budget line, the
   * flow its code allows; a REVERSAL swaps the accounts of an existing non-reversal transfer with the
   * same amount, which no other REVERSAL names yet.
   */
  private async checkChart(
    manager: EntityManager,
    inputs: TransferInput[],
    fresh: TransferInput[],
    accounts: Map<string, AccountRow>,
  ): Promise<void> {
    const indexOf = new Map(inputs.map((input, index) => [input, index]));
    const problems: FieldProblem[] = [];
    const problem = (t: TransferInput, message: string) =>
      problems.push({ field: `transfers[${indexOf.get(t)}]`, message });
    for (const t of fresh) {
      const message = chartProblem(
        t.code,
        toAccountRef(accounts.get(t.debitAccountId)!),
        toAccountRef(accounts.get(t.creditAccountId)!),
      );
      if (message) problem(t, message);
    }
    const reversals = fresh.filter((t) => t.code === 'REVERSAL');
    if (reversals.length > 0) {
      const ids = reversals.map((t) => t.reversesTransferId!);
      const originals = new Map(
        (await this.repository.findTransfersByIds(manager, ids)).map((row) => [row.id, toTransfer(row)]),
      );
      const reversed = await this.repository.reversedAmong(manager, ids);
      if (reversed.length > 0) throw new AlreadyReversedError(reversed[0]);
      const named = new Set<string>();
      for (const t of reversals) {
        const original = originals.get(t.reversesTransferId!);
        if (named.has(t.reversesTransferId!)) problem(t, callerText('ledgerProblems.twoReversals'));
        named.add(t.reversesTransferId!);
        if (!original) problem(t, `transfer ${t.reversesTransferId} does not exist`);
        else if (original.code === 'REVERSAL') problem(t, callerText('ledgerProblems.reverseReversal'));
        else if (
          original.debitAccountId !== t.creditAccountId ||
          original.creditAccountId !== t.debitAccountId ||
          !original.amount.equals(t.amount)
        ) {
          problem(t, callerText('ledgerProblems.reversalShape'));
        }
      }
    }
    if (problems.length > 0) throw new InvalidTransferError(problems);
  }

  /**
   * Hashes one block's transfers (ids ascending) with its header, writes the block, then its
   * transfers, and moves the head.
   */
  private async sealBlock(
    manager: EntityManager,
    seq: string,
    prevHash: string,
    rows: TransferRowInput[],
    accountLines: Map<string, string>,
  ): Promise<SealedBlock> {
    const createdAt = new Date();
    const header = { seq, prevHash, transferCount: rows.length, createdAt: canonicalTimestamp(createdAt) };
    const hasher = new BlockHasher(header);
    for (const row of rows) {
      hasher.addLine(
        row.id,
        transferLineOf(row, accountLines.get(row.debitAccountId)!, accountLines.get(row.creditAccountId)!),
      );
    }
    const hash = hasher.digest();
    await this.repository.insertBlock(manager, { ...header, hash, createdAt });
    await this.repository.insertTransfers(manager, seq, rows);
    await this.repository.advanceHead(manager, seq, hash);
    return { ...header, hash };
  }

  /**
   * The accounts of each budget line, opening the lines that have none yet (the ledger owns its
   * accounts: nobody else inserts them). Only for transactions that have not posted yet: an insert
   * can wait for a concurrent opening of the same line, which must not happen while holding the
   * ledger head.
   */
  async openLineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<Map<string, BudgetLineAccounts>> {
    let found = await this.repository.findLineAccounts(manager, lines);
    if (found.size < lines.length) {
      await this.repository.openLineAccounts(manager, lines);
      found = await this.repository.findLineAccounts(manager, lines);
    }
    return found;
  }

  /** The transfers posted under any of these idempotency ids (the ids not posted are left out). */
  async findTransfers(manager: EntityManager, idempotencyIds: string[]): Promise<LedgerTransfer[]> {
    if (idempotencyIds.length === 0) return [];
    const rows = await this.repository.findTransfersByIdempotencyIds(manager, idempotencyIds);
    const wanted = new Set(idempotencyIds);
    return rows.map(toTransfer).filter((t) => wanted.has(t.idempotencyId));
  }

  /** The accounts and balances (read, not locked) of the budget lines that are open, by `lineKey`. */
  findLineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<Map<string, BudgetLineAccounts>> {
    return this.repository.findLineAccounts(manager, lines);
  }

  async listAccounts(
    regionCode: string,
    filter: AccountFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<AccountView>> {
    const after = cursorId(page.cursor);
    const rows = await this.repository.listAccounts(
      this.dataSource.manager,
      filter,
      new RegionScope(regionCode),
      after,
      page.limit,
    );
    return toPage(rows, page.limit, (row) => [row.id], toAccountView);
  }

  async listTransfers(
    regionCode: string,
    filter: TransferFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<TransferView>> {
    const after = cursorId(page.cursor);
    const rows = await this.repository.listTransfers(
      this.dataSource.manager,
      filter,
      new RegionScope(regionCode),
      after,
      page.limit,
    );
    return toPage(rows, page.limit, (row) => [row.id], toTransferView);
  }

  /** One transfer with its accounts, or undefined. */
  async findTransfer(manager: EntityManager, id: string): Promise<TransferView | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const row = await this.repository.findTransferDetail(manager, id);
    return row && toTransferView(row);
  }
}
