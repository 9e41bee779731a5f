import { openColumns } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';

export const LEVEL_ORDER_SQL = (column: string) =>
  `CASE ${column} WHEN 'CENTRAL' THEN 1 WHEN 'PROVINCIAL' THEN 2 WHEN 'MUNICIPAL' THEN 3 WHEN 'COUNTY' THEN 4 END`;

/** The budget-line balances of accounts, as GET /budgets computes them. */
export const BUDGET_SUMS_SQL = `
  coalesce(sum(debits_posted - credits_posted) FILTER (WHERE code = 'FUNDING'), 0) AS appropriated,
  coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'COMMITTED'), 0) AS committed,
  coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'SPENT'), 0) AS spent,
  coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'AVAILABLE'), 0) AS available,
  coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'RECEIVABLE'), 0) AS receivable`;

export interface HouseholdRow {
  id: string;
  household_no: string;
  region_code: string;
}

export interface TraceLineRow {
  id: string;
  line_no: number;
  batch_id: string;
  batch_no: string;
  policy_code: string;
  batch_period: string;
  fiscal_year: number;
  batch_status: string;
  county_code: string;
  enrollment_id: string;
  household_id: string;
  person_id: string | null;
  periods: string[];
  amount: string;
  status: string;
  bank_ref: string | null;
  reason: string | null;
  settled_at: Date | null;
  bank_code: string;
  account_no: string;
  decision: unknown;
  version_ids: string[];
}

export interface TraceTransferRow {
  id: string;
  code: string;
  amount: string;
  batch_id: string | null;
  line_id: string | null;
  block_seq: string;
  created_at: Date;
  funding_level: string | null;
  debit_account_id: string;
  debit_code: string;
  credit_account_id: string;
  credit_code: string;
}

export interface EnrollmentTraceRow {
  id: string;
  policy_code: string;
  beneficiary_person_id: string | null;
  status: string;
  status_reason: string | null;
  status_reason_code: string | null;
  status_reason_params: unknown;
  region_code: string;
  opened_by: string;
  approved_by: string | null;
  approved_at: Date | null;
  active_from: string | null;
  ended_on: string | null;
}

export interface TransitionTraceRow {
  id: string;
  enrollment_id: string;
  from_status: string | null;
  to_status: string;
  actor_id: string | null;
  actor_username: string | null;
  reason: string | null;
  reason_code: string | null;
  reason_params: unknown;
  as_of: string;
  explanation: unknown;
  occurred_at: Date;
}

export interface BatchTraceRow {
  id: string;
  batch_no: string;
  policy_code: string;
  period: string;
  fiscal_year: number;
  county_code: string;
  status: string;
  line_count: number;
  total_amount: string;
  created_by: string;
  created_by_username: string | null;
  created_at: Date;
  submitted_by: string | null;
  submitted_by_username: string | null;
  submitted_at: Date | null;
  approved_by: string | null;
  approved_by_username: string | null;
  approved_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  reject_reason: string | null;
  bank_file_sha256: string | null;
  exported_at: Date | null;
  settled_at: Date | null;
  closed_at: Date | null;
}

export interface LevelFlowRow {
  funding_level: string;
  appropriated: string;
  committed: string;
  spent: string;
  available: string;
  batch_committed: string;
  batch_spent: string;
  batch_released: string;
}

export interface TransferSumRow {
  code: string;
  funding_level: string | null;
  count: number;
  amount: string;
}

export interface StatusSumRow {
  status: string;
  count: number;
  amount: string;
}

export interface LineMismatchRow {
  line_id: string;
  line_no: number | null;
  status: string | null;
  amount: string | null;
  paid: string;
  released: string;
}

export interface BatchLineRow {
  id: string;
  line_no: number;
  household_id: string;
  person_id: string | null;
  periods: string[];
  gross_amount: string;
  offset_amount: string;
  amount: string;
  status: string;
  bank_ref: string | null;
  reason: string | null;
  settled_at: Date | null;
  paid: string;
  released: string;
}

const TRANSFER_SELECT = `
  SELECT t.id::text, t.code, t.amount, t.batch_id, t.line_id, t.block_seq::text, b.created_at,
         coalesce(da.funding_level, ca.funding_level) AS funding_level,
         t.debit_account_id::text, da.code AS debit_code, t.credit_account_id::text, ca.code AS credit_code
    FROM ledger_transfers t
    JOIN ledger_blocks b ON b.seq = t.block_seq
    JOIN ledger_accounts da ON da.id = t.debit_account_id
    JOIN ledger_accounts ca ON ca.id = t.credit_account_id`;

/** The auditor's read-only queries across registry, enrollments, batches and the ledger. */
@Injectable()
export class TraceRepository {
  household(manager: EntityManager, id: string): Promise<HouseholdRow | undefined> {
    return queryOne<HouseholdRow>(manager, `SELECT id, household_no, region_code FROM households WHERE id = $1`, [id]);
  }

  async householdLines(manager: EntityManager, householdId: string): Promise<TraceLineRow[]> {
    const rows = await queryRows<TraceLineRow>(
      manager,
      `SELECT l.id, l.line_no, l.batch_id, b.batch_no, b.policy_code, b.period AS batch_period, b.fiscal_year,
              b.status AS batch_status, b.county_code, l.enrollment_id, l.household_id, l.person_id, l.periods,
              l.amount, l.status, l.bank_ref, l.reason, l.settled_at, l.bank_code, l.account_no_enc AS account_no,
              d.decision,
              l.version_ids
         FROM disbursement_lines l
         JOIN disbursement_batches b ON b.id = l.batch_id
         JOIN line_decisions d ON d.digest = l.decision_digest -- decisions are stored once, shared by digest
        WHERE l.household_id = $1
        ORDER BY b.created_at, b.batch_no, l.line_no`,
      [householdId],
    );
    return openColumns(rows, 'account_no');
  }

  /** Line-level transfers (PAYMENT, RELEASE) of the given lines, through the batch index. */
  lineTransfers(manager: EntityManager, batchIds: string[], lineIds: string[]): Promise<TraceTransferRow[]> {
    if (lineIds.length === 0) return Promise.resolve([]);
    return queryRows<TraceTransferRow>(
      manager,
      `${TRANSFER_SELECT}
        WHERE t.line_id = ANY($2::text[]) AND t.batch_id = ANY($1::uuid[])
        ORDER BY t.id`,
      [batchIds, lineIds],
    );
  }

  householdEnrollments(manager: EntityManager, householdId: string): Promise<EnrollmentTraceRow[]> {
    return queryRows<EnrollmentTraceRow>(
      manager,
      `SELECT id, policy_code, beneficiary_person_id, status, status_reason, status_reason_code, status_reason_params,
              region_code, opened_by, approved_by,
              approved_at, active_from::text, ended_on::text
         FROM enrollments WHERE household_id = $1 ORDER BY created_at, id`,
      [householdId],
    );
  }

  householdTransitions(manager: EntityManager, householdId: string): Promise<TransitionTraceRow[]> {
    return queryRows<TransitionTraceRow>(
      manager,
      `SELECT t.id::text, t.enrollment_id, t.from_status, t.to_status, t.actor_id, u.username AS actor_username,
              t.reason, t.reason_code, t.reason_params, t.as_of::text, t.explanation, t.occurred_at
         FROM enrollment_transitions t
         JOIN enrollments e ON e.id = t.enrollment_id
         LEFT JOIN users u ON u.id = t.actor_id
        WHERE e.household_id = $1
        ORDER BY t.id`,
      [householdId],
    );
  }

  batch(manager: EntityManager, id: string): Promise<BatchTraceRow | undefined> {
    return queryOne<BatchTraceRow>(
      manager,
      `SELECT b.id, b.batch_no, b.policy_code, b.period, b.fiscal_year, b.county_code, b.status, b.line_count,
              b.total_amount, b.created_by, cu.username AS created_by_username, b.created_at,
              b.submitted_by, su.username AS submitted_by_username, b.submitted_at,
              b.approved_by, au.username AS approved_by_username, b.approved_at,
              b.rejected_by, b.rejected_at, b.reject_reason, b.bank_file_sha256, b.exported_at, b.settled_at,
              b.closed_at
         FROM disbursement_batches b
         LEFT JOIN users cu ON cu.id = b.created_by
         LEFT JOIN users su ON su.id = b.submitted_by
         LEFT JOIN users au ON au.id = b.approved_by
        WHERE b.id = $1`,
      [id],
    );
  }

  /**
   * Per funding level of the batch's budget lines: the lines' balances now, and what this batch
   * committed, spent and released (from its transfers).
   */
  levelFlows(manager: EntityManager, batch: BatchTraceRow): Promise<LevelFlowRow[]> {
    return queryRows<LevelFlowRow>(
      manager,
      `WITH lines AS (
         SELECT funding_level, ${BUDGET_SUMS_SQL}
           FROM ledger_accounts
          WHERE fiscal_year = $2 AND policy_code = $3 AND county_code = $4
          GROUP BY funding_level),
       flows AS (
         SELECT coalesce(da.funding_level, ca.funding_level) AS funding_level,
                coalesce(sum(t.amount) FILTER (WHERE t.code = 'COMMITMENT'), 0) AS batch_committed,
                coalesce(sum(t.amount) FILTER (WHERE t.code = 'PAYMENT'), 0) AS batch_spent,
                coalesce(sum(t.amount) FILTER (WHERE t.code = 'RELEASE'), 0) AS batch_released
           FROM ledger_transfers t
           JOIN ledger_accounts da ON da.id = t.debit_account_id
           JOIN ledger_accounts ca ON ca.id = t.credit_account_id
          WHERE t.batch_id = $1
          GROUP BY 1)
       SELECT coalesce(l.funding_level, f.funding_level) AS funding_level,
              coalesce(l.appropriated, 0) AS appropriated, coalesce(l.committed, 0) AS committed,
              coalesce(l.spent, 0) AS spent, coalesce(l.available, 0) AS available,
              coalesce(f.batch_committed, 0) AS batch_committed, coalesce(f.batch_spent, 0) AS batch_spent,
              coalesce(f.batch_released, 0) AS batch_released
         FROM lines l FULL JOIN flows f ON f.funding_level = l.funding_level
        ORDER BY ${LEVEL_ORDER_SQL('coalesce(l.funding_level, f.funding_level)')}`,
      [batch.id, batch.fiscal_year, batch.policy_code, batch.county_code],
    );
  }

  transferSums(manager: EntityManager, batchId: string): Promise<TransferSumRow[]> {
    return queryRows<TransferSumRow>(
      manager,
      `SELECT t.code, coalesce(da.funding_level, ca.funding_level) AS funding_level, count(*)::int AS count,
              sum(t.amount) AS amount
         FROM ledger_transfers t
         JOIN ledger_accounts da ON da.id = t.debit_account_id
         JOIN ledger_accounts ca ON ca.id = t.credit_account_id
        WHERE t.batch_id = $1
        GROUP BY 1, 2
        ORDER BY 1, ${LEVEL_ORDER_SQL('coalesce(da.funding_level, ca.funding_level)')}`,
      [batchId],
    );
  }

  lineSums(manager: EntityManager, batchId: string): Promise<StatusSumRow[]> {
    return queryRows<StatusSumRow>(
      manager,
      `SELECT status, count(*)::int AS count, coalesce(sum(amount), 0) AS amount
         FROM disbursement_lines WHERE batch_id = $1 GROUP BY status ORDER BY status`,
      [batchId],
    );
  }

  /**
   * Lines whose own transfers do not match their bank result (PAID: paid in full, nothing
   * released; FAILED: released in full, nothing paid; otherwise nothing), and transfers naming a
   * line that is not in the batch. Computed by PostgreSQL in one pass.
   */
  async lineMismatches(
    manager: EntityManager,
    batchId: string,
    limit: number,
  ): Promise<{ count: number; rows: LineMismatchRow[] }> {
    const sql = `
      WITH lt AS (
        SELECT line_id,
               coalesce(sum(amount) FILTER (WHERE code = 'PAYMENT'), 0) AS paid,
               coalesce(sum(amount) FILTER (WHERE code = 'RELEASE'), 0) AS released
          FROM ledger_transfers WHERE batch_id = $1 AND line_id IS NOT NULL GROUP BY line_id),
      l AS (SELECT id::text AS line_id, line_no, status, amount FROM disbursement_lines WHERE batch_id = $1),
      joined AS (
        SELECT coalesce(l.line_id, lt.line_id) AS line_id, l.line_no, l.status, l.amount,
               coalesce(lt.paid, 0) AS paid, coalesce(lt.released, 0) AS released
          FROM l FULL JOIN lt ON lt.line_id = l.line_id)
      SELECT * FROM joined
       WHERE NOT coalesce(
               (status = 'PAID' AND paid = amount AND released = 0)
            OR (status = 'FAILED' AND released = amount AND paid = 0)
            OR (status IN ('PENDING', 'CANCELLED') AND paid = 0 AND released = 0), false)`;
    const count = await queryOne<{ n: number }>(manager, `SELECT count(*)::int AS n FROM (${sql}) m`, [batchId]);
    const rows = await queryRows<LineMismatchRow>(manager, `${sql} ORDER BY line_no NULLS FIRST LIMIT $2`, [
      batchId,
      limit,
    ]);
    return { count: count?.n ?? 0, rows };
  }

  linesPage(manager: EntityManager, batchId: string, afterLineNo: number, limit: number): Promise<BatchLineRow[]> {
    return queryRows<BatchLineRow>(
      manager,
      `WITH page AS (
         SELECT id, line_no, household_id, person_id, periods, gross_amount, offset_amount, amount, status, bank_ref,
                reason, settled_at
           FROM disbursement_lines WHERE batch_id = $1 AND line_no > $2 ORDER BY line_no LIMIT $3)
       SELECT p.*,
              coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                         WHERE t.batch_id = $1 AND t.line_id = p.id::text AND t.code = 'PAYMENT'), 0) AS paid,
              coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                         WHERE t.batch_id = $1 AND t.line_id = p.id::text AND t.code = 'RELEASE'), 0) AS released
         FROM page p ORDER BY p.line_no`,
      [batchId, afterLineNo, limit],
    );
  }
}
