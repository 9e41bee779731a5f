import { Injectable } from '@nestjs/common';
import type { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { formatMoney, money } from '../../common/money.js';
import type { RegionScope } from '../../common/region-scope.js';
import { queryOne, queryRows } from '../../database/sql.js';
import type { FundingLevel } from '../policies/policy-codes.js';
import { CANONICAL_TIMESTAMP_SQL } from './block-hash.js';
import { lineConditions } from './budget-lines.repository.js';
import { CHART_SQL } from './chart.js';
import { LINE_ACCOUNT_CODES, lineKey, type BudgetLineAccounts, type BudgetLineKey } from './line-accounts.js';
import type {
  AccountCode,
  AccountFlag,
  AccountRef,
  LedgerAccount,
  LedgerTransfer,
  TransferCode,
} from './ledger.types.js';

export interface AccountRow {
  id: string;
  code: AccountCode;
  fiscal_year: number | null;
  policy_code: string | null;
  funding_level: FundingLevel | null;
  county_code: string | null;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_posted: string;
  credits_posted: string;
}

export interface TransferRow {
  id: string;
  idempotency_id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: string;
  code: TransferCode;
  batch_id: string | null;
  line_id: string | null;
  reverses_transfer_id: string | null;
  block_seq: string;
}

/** A transfer with both accounts and its block's time, for listings and the auditor. */
export interface TransferDetailRow extends TransferRow {
  created_at: Date;
  da_code: AccountCode;
  da_fiscal_year: number | null;
  da_policy_code: string | null;
  da_funding_level: FundingLevel | null;
  da_county_code: string | null;
  ca_code: AccountCode;
  ca_fiscal_year: number | null;
  ca_policy_code: string | null;
  ca_funding_level: FundingLevel | null;
  ca_county_code: string | null;
}

export interface BlockRow {
  seq: string;
  prev_hash: string;
  hash: string;
  transfer_count: number;
  created_at: string;
}

export interface BalanceProblemRow {
  id: string;
  debits_posted: string | null;
  credits_posted: string | null;
  debits: string;
  credits: string;
  flag_broken: boolean;
}

export const ACCOUNT_COLUMNS = `id, code, fiscal_year, policy_code, funding_level, county_code,
  debits_must_not_exceed_credits, credits_must_not_exceed_debits, debits_posted, credits_posted`;

const TRANSFER_COLUMNS = `id, idempotency_id, debit_account_id, credit_account_id, amount, code, batch_id, line_id,
  reverses_transfer_id, block_seq`;

const TRANSFER_DETAIL_SELECT = `
  SELECT t.id, t.idempotency_id, t.debit_account_id, t.credit_account_id, t.amount, t.code, t.batch_id,
         t.line_id, t.reverses_transfer_id, t.block_seq, b.created_at,
         da.code AS da_code, da.fiscal_year AS da_fiscal_year, da.policy_code AS da_policy_code,
         da.funding_level AS da_funding_level, da.county_code AS da_county_code,
         ca.code AS ca_code, ca.fiscal_year AS ca_fiscal_year, ca.policy_code AS ca_policy_code,
         ca.funding_level AS ca_funding_level, ca.county_code AS ca_county_code
    FROM ledger_transfers t
    JOIN ledger_blocks b ON b.seq = t.block_seq
    JOIN ledger_accounts da ON da.id = t.debit_account_id
    JOIN ledger_accounts ca ON ca.id = t.credit_account_id`;

export const toAccountRef = (row: AccountRow): AccountRef => ({
  id: row.id,
  code: row.code,
  fiscalYear: row.fiscal_year,
  policyCode: row.policy_code,
  fundingLevel: row.funding_level,
  countyCode: row.county_code,
});

export const toAccount = (row: AccountRow): LedgerAccount => ({
  ...toAccountRef(row),
  flags: [
    ...(row.debits_must_not_exceed_credits ? (['DEBITS_MUST_NOT_EXCEED_CREDITS'] as AccountFlag[]) : []),
    ...(row.credits_must_not_exceed_debits ? (['CREDITS_MUST_NOT_EXCEED_DEBITS'] as AccountFlag[]) : []),
  ],
  debitsPosted: money(row.debits_posted),
  creditsPosted: money(row.credits_posted),
});

export const toTransfer = (row: TransferRow): LedgerTransfer => ({
  id: row.id,
  idempotencyId: row.idempotency_id,
  debitAccountId: row.debit_account_id,
  creditAccountId: row.credit_account_id,
  amount: money(row.amount),
  code: row.code,
  batchId: row.batch_id,
  lineId: row.line_id,
  reversesTransferId: row.reverses_transfer_id,
  blockSeq: row.block_seq,
});

export function detailAccounts(row: TransferDetailRow): { debit: AccountRef; credit: AccountRef } {
  return {
    debit: {
      id: row.debit_account_id,
      code: row.da_code,
      fiscalYear: row.da_fiscal_year,
      policyCode: row.da_policy_code,
      fundingLevel: row.da_funding_level,
      countyCode: row.da_county_code,
    },
    credit: {
      id: row.credit_account_id,
      code: row.ca_code,
      fiscalYear: row.ca_fiscal_year,
      policyCode: row.ca_policy_code,
      fundingLevel: row.ca_funding_level,
      countyCode: row.ca_county_code,
    },
  };
}

export interface AccountFilter {
  fiscalYear?: number;
  policyCode?: string;
  fundingLevel?: string;
  countyCode?: string;
  code?: string;
}

export interface TransferFilter {
  batchId?: string;
  accountId?: string;
  code?: string;
  reversesTransferId?: string;
}

/** A transfer as inserted: its allocated id and the amount as a numeric string with two places. */
export interface TransferRowInput {
  id: string;
  idempotencyId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  code: TransferCode;
  batchId: string | null;
  lineId: string | null;
  reversesTransferId: string | null;
}

export interface BalanceDelta {
  accountId: string;
  debits: Decimal;
  credits: Decimal;
}

interface LineAccountRow {
  id: string;
  code: AccountCode;
  fiscal_year: number;
  policy_code: string;
  funding_level: FundingLevel;
  county_code: string;
  balance: string;
}

const lineColumns = (lines: BudgetLineKey[]) => [
  lines.map((l) => l.fiscalYear),
  lines.map((l) => l.policyCode),
  lines.map((l) => l.fundingLevel),
  lines.map((l) => l.countyCode),
];

/** The ledger's SQL. Every write method expects the caller's transaction (see LedgerService.post). */
@Injectable()
export class LedgerRepository {
  /**
   * Opens (inserts) the accounts of budget lines that lack any, FUNDING with the credits flag and
   * the others with the debits flag. The unique key on (fiscal year, policy, level, county, code)
   * makes concurrent openings safe.
   */
  async openLineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_accounts
         (code, fiscal_year, policy_code, funding_level, county_code,
          debits_must_not_exceed_credits, credits_must_not_exceed_debits)
       SELECT c.code, l.fy, l.policy, l.level, l.county, c.code <> 'FUNDING', c.code = 'FUNDING'
         FROM unnest($1::smallint[], $2::text[], $3::text[], $4::text[]) AS l(fy, policy, level, county)
        CROSS JOIN unnest($5::text[]) WITH ORDINALITY AS c(code, n)
        ORDER BY l.fy, l.policy, l.level, l.county, c.n
       ON CONFLICT (fiscal_year, policy_code, funding_level, county_code, code) DO NOTHING`,
      [...lineColumns(lines), LINE_ACCOUNT_CODES],
    );
  }

  /**
   * The accounts and balances of the lines that exist, by `lineKey`; a line lacking any of its
   * accounts is left out. Reads without locking: posting locks what it moves.
   */
  async findLineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<Map<string, BudgetLineAccounts>> {
    const rows = await queryRows<LineAccountRow>(
      manager,
      `SELECT a.id, a.code, a.fiscal_year, a.policy_code, a.funding_level, a.county_code,
              CASE WHEN a.code = 'FUNDING' THEN a.debits_posted - a.credits_posted
                   ELSE a.credits_posted - a.debits_posted END AS balance
         FROM ledger_accounts a
         JOIN unnest($1::smallint[], $2::text[], $3::text[], $4::text[]) AS l(fy, policy, level, county)
           ON a.fiscal_year = l.fy AND a.policy_code = l.policy AND a.funding_level = l.level
          AND a.county_code = l.county`,
      lineColumns(lines),
    );
    const result = new Map<string, BudgetLineAccounts>();
    const counts = new Map<string, number>();
    for (const row of rows) {
      const line = {
        fiscalYear: row.fiscal_year,
        policyCode: row.policy_code,
        fundingLevel: row.funding_level,
        countyCode: row.county_code,
      };
      const key = lineKey(line);
      const accounts = result.get(key) ?? {
        line,
        funding: '',
        available: '',
        committed: '',
        spent: '',
        receivable: '',
        balances: { FUNDING: '0', AVAILABLE: '0', COMMITTED: '0', SPENT: '0', RECEIVABLE: '0' },
      };
      accounts[row.code.toLowerCase() as 'funding' | 'available' | 'committed' | 'spent' | 'receivable'] = row.id;
      accounts.balances![row.code] = row.balance;
      result.set(key, accounts);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, count] of counts) if (count < LINE_ACCOUNT_CODES.length) result.delete(key);
    return result;
  }

  /** The chain head, locked until the transaction ends: every posting call goes one at a time. */
  async lockHead(manager: EntityManager): Promise<{ lastSeq: string; lastHash: string }> {
    const row = await queryOne<{ last_seq: string; last_hash: string }>(
      manager,
      `SELECT last_seq, last_hash FROM ledger_head WHERE singleton FOR UPDATE`,
    );
    if (!row) throw new Error('ledger_head is missing: the ledger migration did not run');
    return { lastSeq: row.last_seq, lastHash: row.last_hash };
  }

  /**
   * The transfers already posted under any of `ids`, found by the digest index (`idempotency_key`,
   * md5 of the id). The caller compares the ids themselves: a digest collision is not a match.
   */
  async findTransfersByIdempotencyIds(manager: EntityManager, ids: string[]): Promise<TransferRow[]> {
    return queryRows<TransferRow>(
      manager,
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
        WHERE idempotency_key = ANY(ARRAY(SELECT md5(i)::uuid FROM unnest($1::text[]) AS i))`,
      [ids],
    );
  }

  async findTransfersByIds(manager: EntityManager, ids: string[]): Promise<TransferRow[]> {
    return queryRows<TransferRow>(
      manager,
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Which of `ids` a REVERSAL already names. */
  async reversedAmong(manager: EntityManager, ids: string[]): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `SELECT reverses_transfer_id AS id FROM ledger_transfers WHERE reverses_transfer_id = ANY($1::bigint[])`,
      [ids],
    );
    return rows.map((row) => row.id);
  }

  /** Locks the accounts a post touches, in id order (the one fixed order: no deadlocks). */
  async lockAccounts(manager: EntityManager, ids: string[]): Promise<AccountRow[]> {
    return queryRows<AccountRow>(
      manager,
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /**
   * `count` new transfer ids, ascending, taken from the transfers' identity sequence before the
   * insert, so that a block's hash can be computed (and the block written) before its transfers.
   */
  async allocateTransferIds(manager: EntityManager, count: number): Promise<string[]> {
    const row = await queryOne<{ ids: string[] }>(
      manager,
      `SELECT array_agg(id ORDER BY id) AS ids
         FROM (SELECT nextval('ledger_transfers_id_seq'::regclass) AS id FROM generate_series(1, $1::int)) AS s`,
      [count],
    );
    return row!.ids;
  }

  /**
   * One block's transfers with their allocated ids, by one `INSERT ... SELECT FROM unnest(...)` of
   * typed arrays (the posting trigger checks the statement fills the block exactly). An id posted
   * concurrently outside the posting path breaks the unique digest index and fails the transaction.
   */
  async insertTransfers(manager: EntityManager, blockSeq: string, transfers: TransferRowInput[]): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_transfers
         (id, idempotency_id, debit_account_id, credit_account_id, amount, code, batch_id, line_id,
          reverses_transfer_id, block_seq)
       OVERRIDING SYSTEM VALUE
       SELECT *, $10::bigint
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::numeric[], $6::text[], $7::uuid[],
                     $8::text[], $9::bigint[])`,
      [
        transfers.map((t) => t.id),
        transfers.map((t) => t.idempotencyId),
        transfers.map((t) => t.debitAccountId),
        transfers.map((t) => t.creditAccountId),
        transfers.map((t) => t.amount),
        transfers.map((t) => t.code),
        transfers.map((t) => t.batchId),
        transfers.map((t) => t.lineId),
        transfers.map((t) => t.reversesTransferId),
        blockSeq,
      ],
    );
  }

  /**
   * One UPDATE for all touched accounts, each exactly once. Only this path may move balances: the
   * accounts trigger refuses a balance change unless the transaction-local posting flag is on.
   */
  async addToBalances(manager: EntityManager, deltas: BalanceDelta[]): Promise<void> {
    await queryRows(
      manager,
      `UPDATE ledger_accounts a
          SET debits_posted = a.debits_posted + d.debits, credits_posted = a.credits_posted + d.credits
         FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS d(id, debits, credits)
        WHERE a.id = d.id`,
      [
        deltas.map((d) => d.accountId),
        deltas.map((d) => formatMoney(d.debits)),
        deltas.map((d) => formatMoney(d.credits)),
      ],
    );
  }

  async setPosting(manager: EntityManager, on: boolean): Promise<void> {
    await manager.query(`SELECT set_config('yikatong.ledger_posting', $1, true)`, [on ? 'on' : 'off']);
  }

  async insertBlock(
    manager: EntityManager,
    block: { seq: string; prevHash: string; hash: string; transferCount: number; createdAt: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_blocks (seq, prev_hash, hash, transfer_count, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [block.seq, block.prevHash, block.hash, block.transferCount, block.createdAt],
    );
  }

  async advanceHead(manager: EntityManager, seq: string, hash: string): Promise<void> {
    await queryRows(manager, `UPDATE ledger_head SET last_seq = $1, last_hash = $2 WHERE singleton`, [seq, hash]);
  }

  async listAccounts(
    manager: EntityManager,
    filter: AccountFilter,
    scope: RegionScope,
    afterId: string | undefined,
    limit: number,
  ): Promise<AccountRow[]> {
    const params: unknown[] = [];
    const { where, add } = lineConditions(filter, scope, params);
    if (filter.code !== undefined) add('code = ?', filter.code);
    if (afterId !== undefined) add('id > ?::bigint', afterId);
    params.push(limit + 1);
    return queryRows<AccountRow>(
      manager,
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    );
  }

  async listTransfers(
    manager: EntityManager,
    filter: TransferFilter,
    scope: RegionScope,
    afterId: string | undefined,
    limit: number,
  ): Promise<TransferDetailRow[]> {
    const params: unknown[] = [];
    const debitScope = scope.where('da.county_code', params);
    const where = [`(${debitScope} OR ca.county_code LIKE $${params.length})`];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.batchId !== undefined) add('t.batch_id = ?::uuid', filter.batchId);
    if (filter.accountId !== undefined)
      add('(t.debit_account_id = ?::bigint OR t.credit_account_id = ?::bigint)', filter.accountId);
    if (filter.code !== undefined) add('t.code = ?', filter.code);
    if (filter.reversesTransferId !== undefined) add('t.reverses_transfer_id = ?::bigint', filter.reversesTransferId);
    if (afterId !== undefined) add('t.id > ?::bigint', afterId);
    params.push(limit + 1);
    return queryRows<TransferDetailRow>(
      manager,
      `${TRANSFER_DETAIL_SELECT} WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT $${params.length}`,
      params,
    );
  }

  async findTransferDetail(manager: EntityManager, id: string): Promise<TransferDetailRow | undefined> {
    return queryOne<TransferDetailRow>(manager, `${TRANSFER_DETAIL_SELECT} WHERE t.id = $1::bigint`, [id]);
  }

  // ---- verification (read-only, inside one REPEATABLE READ snapshot) ----

  async blocksAfter(manager: EntityManager, afterSeq: string, limit: number): Promise<BlockRow[]> {
    return queryRows<BlockRow>(
      manager,
      `SELECT seq, prev_hash, hash, transfer_count, ${CANONICAL_TIMESTAMP_SQL('created_at')} AS created_at
         FROM ledger_blocks WHERE seq > $1::bigint ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
  }

  /** Every account, for verification (the accounts are few: four per budget line). */
  async allAccounts(manager: EntityManager): Promise<AccountRow[]> {
    return queryRows<AccountRow>(manager, `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`);
  }

  /** Transfers in (block_seq, id) order after a keyset position (their accounts: allAccounts). */
  async transfersAfter(
    manager: EntityManager,
    after: { blockSeq: string; id: string },
    limit: number,
  ): Promise<TransferRow[]> {
    return queryRows<TransferRow>(
      manager,
      `SELECT ${TRANSFER_COLUMNS}
         FROM ledger_transfers
        WHERE (block_seq, id) > ($1::bigint, $2::bigint)
        ORDER BY block_seq, id
        LIMIT $3`,
      [after.blockSeq, after.id, limit],
    );
  }

  /** Transfers that break the chart of accounts (see chart.ts), in id order. */
  async chartViolations(
    manager: EntityManager,
    limit: number,
  ): Promise<{ id: string; block_seq: string; code: string }[]> {
    return queryRows(
      manager,
      `SELECT t.id, t.block_seq, t.code
         FROM ledger_transfers t
         JOIN ledger_accounts da ON da.id = t.debit_account_id
         JOIN ledger_accounts ca ON ca.id = t.credit_account_id
         LEFT JOIN ledger_transfers o ON o.id = t.reverses_transfer_id
        WHERE NOT ${CHART_SQL}
        ORDER BY t.id
        LIMIT $1`,
      [limit],
    );
  }

  async head(manager: EntityManager): Promise<{ lastSeq: string; lastHash: string }> {
    const row = await queryOne<{ last_seq: string; last_hash: string }>(
      manager,
      `SELECT last_seq, last_hash FROM ledger_head WHERE singleton`,
    );
    return { lastSeq: row?.last_seq ?? '0', lastHash: row?.last_hash ?? '' };
  }

  /**
   * Accounts whose posted balances differ from the sums of their transfers, or that break their
   * flag; also sums for account ids that do not exist. Computed by PostgreSQL in one pass.
   */
  async balanceProblems(manager: EntityManager, limit: number): Promise<BalanceProblemRow[]> {
    return queryRows<BalanceProblemRow>(
      manager,
      `WITH sums AS (
         SELECT account_id, sum(debit) AS debits, sum(credit) AS credits
           FROM (SELECT debit_account_id AS account_id, amount AS debit, 0::numeric AS credit FROM ledger_transfers
                 UNION ALL
                 SELECT credit_account_id, 0::numeric, amount FROM ledger_transfers) moves
          GROUP BY account_id)
       SELECT coalesce(a.id, s.account_id) AS id, a.debits_posted, a.credits_posted,
              coalesce(s.debits, 0) AS debits, coalesce(s.credits, 0) AS credits,
              coalesce((a.debits_must_not_exceed_credits AND a.debits_posted > a.credits_posted)
                    OR (a.credits_must_not_exceed_debits AND a.credits_posted > a.debits_posted), false) AS flag_broken
         FROM ledger_accounts a
         FULL JOIN sums s ON s.account_id = a.id
        WHERE a.id IS NULL
           OR a.debits_posted <> coalesce(s.debits, 0)
           OR a.credits_posted <> coalesce(s.credits, 0)
           OR (a.debits_must_not_exceed_credits AND a.debits_posted > a.credits_posted)
           OR (a.credits_must_not_exceed_debits AND a.credits_posted > a.debits_posted)
        ORDER BY 1
        LIMIT $1`,
      [limit],
    );
  }
}
