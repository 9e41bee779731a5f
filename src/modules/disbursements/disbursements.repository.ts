import { openColumns, openSealed, pii } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { copyInto, copyOut, copyRow } from '../../database/copy.js';
import { queryOne, queryRows } from '../../database/sql.js';
import { uuidv7 } from '../registry/ids.js';
import type { StoredReason } from '../../common/i18n/stored-reason.js';

export const BATCH_STATUSES = [
  'DRAFT',
  'GENERATION_FAILED',
  'GENERATED',
  'SUBMITTED',
  'APPROVED',
  'REJECTED',
  'EXPORTED',
  'SETTLED',
  'CLOSED',
  'CANCELLED',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export type LineStatus = 'PENDING' | 'PAID' | 'FAILED' | 'CANCELLED';

export interface BatchRow {
  id: string;
  batch_no: string;
  policy_code: string;
  period: string;
  fiscal_year: number;
  county_code: string;
  status: BatchStatus;
  line_count: number;
  total_amount: string;
  exception_count: number;
  generation_job_id: string | null;
  generation_cursor: string | null;
  generated_at: Date | null;
  generation_error: Record<string, unknown> | null;
  created_by: string;
  submitted_by: string | null;
  submitted_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  approval_key: string | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  reject_reason: string | null;
  bank_file_sha256: string | null;
  /** The bank format the batch was exported in (bank-formats/), null until its first export. */
  bank_format: string | null;
  exported_by: string | null;
  exported_at: Date | null;
  settled_at: Date | null;
  closed_by: string | null;
  closed_at: Date | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface HouseholdPaymentRow {
  id: string;
  line_no: number;
  batch_id: string;
  batch_no: string;
  policy_code: string;
  batch_status: string;
  person_id: string | null;
  periods: string[];
  amount: string;
  status: string;
  bank_ref: string | null;
  reason: string | null;
  settled_at: Date | null;
}

export interface LineRow {
  id: string;
  line_no: number;
  enrollment_id: string;
  household_id: string;
  person_id: string | null;
  beneficiary_key: string;
  region_code: string;
  periods: string[];
  /** What the bank pays: gross_amount less offset_amount. */
  amount: string;
  /** What the line is owed in all. */
  gross_amount: string;
  /** Kept back to recover overpayment claims of the household. */
  offset_amount: string;
  bank_code: string;
  account_no: string;
  account_name: string;
  id_number: string;
  version_ids: string[];
  status: LineStatus;
  bank_ref: string | null;
  reason: string | null;
}

export interface NewLine {
  lineNo: number;
  enrollmentId: string;
  householdId: string;
  personId: string | null;
  beneficiaryKey: string;
  regionCode: string;
  periods: string[];
  unitAmounts: string[];
  amount: string;
  bankCode: string;
  accountNo: string;
  accountName: string;
  idNumber: string;
  decision: unknown;
  versionIds: string[];
}

/** A line as its bank file shows it. */
export interface ExportRow {
  lineNo: number;
  accountNo: string;
  accountName: string;
  idNumber: string;
  amount: string;
  bankCode: string;
}

export interface NewException {
  enrollmentId: string;
  householdId: string;
  personId: string | null;
  /** The reason's code and parameters (worded in the reader's language) and its Chinese text. */
  reason: StoredReason;
  text: string;
}

export interface CandidateRow {
  id: string;
  household_id: string;
  beneficiary_person_id: string | null;
  beneficiary_key: string;
  region_code: string;
  /** The fiscal year in which the enrollment was applied for (China time): nothing is owed before it. */
  applied_year: number;
}

const BATCH_COLUMNS = '*';
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The generation cursor of a candidate: where the next chunk starts after it. */
export const candidateCursor = (row: CandidateRow): string => `${row.household_id}/${row.id}`;
const LINE_COLUMNS = `id, line_no, enrollment_id, household_id, person_id, beneficiary_key, region_code, periods,
  amount::text, gross_amount::text, offset_amount::text, bank_code, account_no_enc AS account_no, account_name, id_number_enc AS id_number, version_ids, status, bank_ref, reason`;

/** The SQL of batches, lines, exceptions and coverage; set-based wherever lines are concerned. */
@Injectable()
export class DisbursementsRepository {
  async insertBatch(
    manager: EntityManager,
    values: { policyCode: string; period: string; fiscalYear: number; countyCode: string; createdBy: string },
  ): Promise<BatchRow> {
    const row = await queryOne<BatchRow>(
      manager,
      `INSERT INTO disbursement_batches (batch_no, policy_code, period, fiscal_year, county_code, status, created_by)
       VALUES ('B' || $4 || '-' || replace($2, '-', '') || '-' || lpad(nextval('disbursement_batch_no_seq')::text, 6, '0'),
               $1, $2, $3, $4, 'DRAFT', $5)
       RETURNING ${BATCH_COLUMNS}`,
      [values.policyCode, values.period, values.fiscalYear, values.countyCode, values.createdBy],
    );
    return row!;
  }

  findBatch(manager: EntityManager, id: string, lock = false): Promise<BatchRow | undefined> {
    return queryOne<BatchRow>(
      manager,
      `SELECT ${BATCH_COLUMNS} FROM disbursement_batches WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
  }

  async updateBatch(manager: EntityManager, id: string, changes: Record<string, unknown>): Promise<BatchRow> {
    const keys = Object.keys(changes);
    const row = await queryOne<BatchRow>(
      manager,
      `UPDATE disbursement_batches SET ${keys.map((key, i) => `${key} = $${i + 2}`).join(', ')}, updated_at = now()
        WHERE id = $1 RETURNING ${BATCH_COLUMNS}`,
      [id, ...keys.map((key) => changes[key])],
    );
    return row!;
  }

  listBatches(
    manager: EntityManager,
    filter: { prefix: string; policyCode?: string; status?: string; period?: string },
    after: string | undefined,
    limit: number,
  ): Promise<BatchRow[]> {
    const params: unknown[] = [`${filter.prefix}%`];
    const where = ['county_code LIKE $1'];
    if (filter.policyCode) where.push(`policy_code = $${params.push(filter.policyCode)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.period) where.push(`period = $${params.push(filter.period)}`);
    if (after) where.push(`id > $${params.push(after)}`);
    params.push(limit + 1);
    return queryRows<BatchRow>(
      manager,
      `SELECT ${BATCH_COLUMNS} FROM disbursement_batches WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * The next chunk of active enrollments of the policy in the county, in household order, after
   * `cursor` ("householdId/enrollmentId" of the last candidate, keyset).
   */
  /** The county's active enrollments of the policy, and how many of them lie before `cursor`. */
  async candidateCounts(
    manager: EntityManager,
    policyCode: string,
    countyCode: string,
    cursor: string | null,
  ): Promise<{ total: number; done: number }> {
    const [household, enrollment] = (cursor ?? `${NIL_UUID}/${NIL_UUID}`).split('/');
    const row = await queryOne<{ total: number; done: number }>(
      manager,
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE (household_id, id) <= ($3::uuid, $4::uuid)))::int AS done
         FROM enrollments WHERE policy_code = $1 AND status = 'ACTIVE' AND region_code LIKE $2`,
      [policyCode, `${countyCode}%`, household, enrollment],
    );
    return row ?? { total: 0, done: 0 };
  }

  candidates(
    manager: EntityManager,
    policyCode: string,
    countyCode: string,
    cursor: string | null,
    limit: number,
  ): Promise<CandidateRow[]> {
    const [household, enrollment] = (cursor ?? `${NIL_UUID}/${NIL_UUID}`).split('/');
    return queryRows<CandidateRow>(
      manager,
      `SELECT id, household_id, beneficiary_person_id, beneficiary_key, region_code,
              extract(year FROM applied_on)::int AS applied_year
         FROM enrollments
        WHERE policy_code = $1 AND status = 'ACTIVE' AND region_code LIKE $2
          AND (household_id, id) > ($3::uuid, $4::uuid)
        ORDER BY household_id, id LIMIT $5`,
      [policyCode, `${countyCode}%`, household, enrollment, limit],
    );
  }

  /**
   * Units already claimed (paid, or in a live batch) for these beneficiaries: one probe of the
   * claims' unique index per beneficiary (a plain `= ANY` filter was planned as a scan of every
   * claim of the policy, which grows with each chunk a batch writes).
   */
  async coveredUnits(
    manager: EntityManager,
    policyCode: string,
    beneficiaryKeys: string[],
    units: string[],
  ): Promise<Set<string>> {
    const rows = await queryRows<{ beneficiary_key: string; period_unit: string }>(
      manager,
      `SELECT k.beneficiary_key, c.period_unit
         FROM unnest($2::text[]) AS k(beneficiary_key)
         CROSS JOIN LATERAL (
           SELECT c.period_unit FROM payment_coverage c
            WHERE c.policy_code = $1 AND c.beneficiary_key = k.beneficiary_key
              AND c.period_unit = ANY($3::text[]) AND c.released_at IS NULL
           OFFSET 0) c`,
      [policyCode, beneficiaryKeys, units],
    );
    return new Set(rows.map((row) => `${row.beneficiary_key}|${row.period_unit}`));
  }

  /** Accounts that already failed for these beneficiaries' units and have not been changed since. */
  async failedAccounts(
    manager: EntityManager,
    policyCode: string,
    beneficiaryKeys: string[],
  ): Promise<Map<string, Set<string>>> {
    const rows = await queryRows<{ beneficiary_key: string; account_no: string }>(
      manager,
      `SELECT DISTINCT l.beneficiary_key, l.account_no_enc AS account_no
         FROM disbursement_lines l JOIN disbursement_batches b ON b.id = l.batch_id
        WHERE b.policy_code = $1 AND l.beneficiary_key = ANY($2::text[]) AND l.status = 'FAILED'`,
      [policyCode, beneficiaryKeys],
    );
    openColumns(rows, 'account_no');
    const map = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!map.has(row.beneficiary_key)) map.set(row.beneficiary_key, new Set());
      map.get(row.beneficiary_key)!.add(row.account_no);
    }
    return map;
  }

  /**
   * Writes a chunk of lines and claims their units; returns how many unit claims succeeded, or -1
   * when another batch holds some of them. The chunk is COPYed into a session's staging table (one
   * round trip, no parameter arrays), then three set-based statements write the decisions not yet
   * stored (each distinct decision once, keyed by the SHA-256 of its JSON), the lines (naming their
   * decision by digest) and the coverage claims (one per unit). The lines' ids are made here
   * (time-ordered, so the key index grows at its end), so the claims name their lines without
   * joining back to them.
   */
  async insertLinesChunk(
    manager: EntityManager,
    batchId: string,
    policyCode: string,
    lines: NewLine[],
  ): Promise<number> {
    if (lines.length === 0) return 0;
    await manager.query(
      `CREATE TEMP TABLE IF NOT EXISTS generation_staging (
         id uuid, line_no int, enrollment_id uuid, household_id uuid, person_id uuid, beneficiary_key text,
         region_code text, periods text[], unit_amounts numeric[], amount numeric, bank_code text, account_no_enc bytea,
         account_name text, id_number_enc bytea, decision_digest bytea, decision jsonb, version_ids text[]
       ) ON COMMIT DELETE ROWS`,
    );
    const keyring = pii();
    // bytea in COPY's text format: `\x` and hex (copyRow doubles the backslash).
    const sealed = (plain: string) => `\\x${keyring.encrypt(plain).toString('hex')}`;
    const digests = new Set<string>();
    let units = 0;
    const rows = lines.map((l) => {
      const decision = JSON.stringify(l.decision);
      const digest = createHash('sha256').update(decision).digest('hex');
      const first = !digests.has(digest);
      digests.add(digest);
      units += l.periods.length;
      return copyRow([
        uuidv7(),
        l.lineNo,
        l.enrollmentId,
        l.householdId,
        l.personId,
        l.beneficiaryKey,
        l.regionCode,
        l.periods,
        l.unitAmounts,
        l.amount,
        l.bankCode,
        sealed(l.accountNo),
        l.accountName,
        sealed(l.idNumber),
        `\\x${digest}`,
        first ? decision : null,
        l.versionIds,
      ]);
    });
    await copyInto(manager, 'generation_staging', rows);
    await manager.query(
      `INSERT INTO line_decisions (digest, decision)
       SELECT decision_digest, decision FROM generation_staging WHERE decision IS NOT NULL
        ORDER BY decision_digest -- one order for every batch, so that two generating at once cannot deadlock
       ON CONFLICT (digest) DO NOTHING`,
    );
    await manager.query(
      `INSERT INTO disbursement_lines (id, batch_id, line_no, enrollment_id, household_id, person_id, beneficiary_key,
          region_code, periods, amount, bank_code, account_no_enc, account_name, id_number_enc, decision_digest,
          version_ids)
       SELECT id, $1, line_no, enrollment_id, household_id, person_id, beneficiary_key, region_code, periods, amount,
              bank_code, account_no_enc, account_name, id_number_enc, decision_digest, version_ids
         FROM generation_staging ORDER BY line_no`,
      [batchId],
    );
    const claimed = await queryOne<{ n: number }>(
      manager,
      `WITH claimed AS (
         INSERT INTO payment_coverage (policy_code, beneficiary_key, period_unit, batch_id, line_id, amount)
         SELECT $1, s.beneficiary_key, u.unit, $2, s.id, u.amount
           FROM generation_staging s CROSS JOIN LATERAL unnest(s.periods, s.unit_amounts) AS u(unit, amount)
         ON CONFLICT (policy_code, beneficiary_key, period_unit) WHERE released_at IS NULL DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM claimed`,
      [policyCode, batchId],
    );
    // The staged rows go at commit (ON COMMIT DELETE ROWS) or with a rollback.
    return claimed!.n === units ? units : -1;
  }

  async insertExceptions(manager: EntityManager, batchId: string, exceptions: NewException[]): Promise<void> {
    if (exceptions.length === 0) return;
    await manager.query(
      `INSERT INTO disbursement_exceptions (batch_id, enrollment_id, household_id, person_id, reason, reason_code, reason_params)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[])
       ON CONFLICT (batch_id, enrollment_id) DO NOTHING`,
      [
        batchId,
        exceptions.map((e) => e.enrollmentId),
        exceptions.map((e) => e.householdId),
        exceptions.map((e) => e.personId),
        exceptions.map((e) => e.text),
        exceptions.map((e) => e.reason.code),
        exceptions.map((e) => JSON.stringify(e.reason.params)),
      ],
    );
  }

  exceptions(manager: EntityManager, batchId: string) {
    return queryRows<{
      household_id: string;
      person_id: string | null;
      reason: string;
      reason_code: string | null;
      reason_params: unknown;
    }>(
      manager,
      `SELECT household_id, person_id, reason, reason_code, reason_params FROM disbursement_exceptions WHERE batch_id = $1 ORDER BY id`,
      [batchId],
    );
  }

  /** Every line paying a household, with its batch, oldest batch first (disbursement_lines_household_idx). */
  householdPayments(manager: EntityManager, householdId: string): Promise<HouseholdPaymentRow[]> {
    return queryRows<HouseholdPaymentRow>(
      manager,
      `SELECT l.id, l.line_no, l.batch_id, b.batch_no, b.policy_code, b.status AS batch_status, l.person_id, l.periods,
              l.amount, l.status, l.bank_ref, l.reason, l.settled_at
         FROM disbursement_lines l
         JOIN disbursement_batches b ON b.id = l.batch_id
        WHERE l.household_id = $1
        ORDER BY b.created_at, b.batch_no, l.line_no`,
      [householdId],
    );
  }

  /** A page of a batch's lines, account and ID numbers decrypted (the bank file needs them whole). */
  async linesPage(manager: EntityManager, batchId: string, afterLineNo: number, limit: number): Promise<LineRow[]> {
    const rows = await queryRows<LineRow>(
      manager,
      `SELECT ${LINE_COLUMNS} FROM disbursement_lines WHERE batch_id = $1 AND line_no > $2 ORDER BY line_no LIMIT $3`,
      [batchId, afterLineNo, limit],
    );
    return openColumns(rows, 'account_no', 'id_number');
  }

  /** Releases the coverage of lines that will not be paid (a rejected batch, failed payments). */
  /** Cancels a batch's lines that were not paid (all of them, before approval). */
  async cancelLines(manager: EntityManager, batchId: string): Promise<void> {
    await manager.query(
      `UPDATE disbursement_lines SET status = 'CANCELLED' WHERE batch_id = $1 AND status = 'PENDING'`,
      [batchId],
    );
  }

  async releaseCoverage(manager: EntityManager, batchId: string, lineIds?: string[]): Promise<void> {
    await manager.query(
      `UPDATE payment_coverage SET released_at = now()
        WHERE batch_id = $1 AND released_at IS NULL ${lineIds ? 'AND line_id = ANY($2::uuid[])' : ''}`,
      lineIds ? [batchId, lineIds] : [batchId],
    );
  }

  /** Amounts of the batch's lines with the version they were decided under, for the budget. */
  lineAmounts(manager: EntityManager, batchId: string, statuses: LineStatus[]) {
    return queryRows<{ id: string; amount: string; version_id: string }>(
      manager,
      `SELECT id, amount::text, version_ids[cardinality(version_ids)] AS version_id
         FROM disbursement_lines WHERE batch_id = $1 AND status = ANY($2::text[]) ORDER BY line_no`,
      [batchId, statuses],
    );
  }

  /** The offsets kept back from the batch's pending lines, with their deciding version, for the budget. */
  lineOffsets(manager: EntityManager, batchId: string) {
    return queryRows<{ id: string; amount: string; version_id: string }>(
      manager,
      `SELECT id, offset_amount::text AS amount, version_ids[cardinality(version_ids)] AS version_id
         FROM disbursement_lines WHERE batch_id = $1 AND status = 'PENDING' AND offset_amount > 0 ORDER BY line_no`,
      [batchId],
    );
  }

  async settleLines(
    manager: EntityManager,
    outcomes: { id: string; status: 'PAID' | 'FAILED'; bankRef: string | null; reason: string | null }[],
  ): Promise<void> {
    if (outcomes.length === 0) return;
    await manager.query(
      `UPDATE disbursement_lines l SET status = o.status, bank_ref = o.bank_ref, reason = o.reason, settled_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS o(id, status, bank_ref, reason)
        WHERE l.id = o.id AND l.status = 'PENDING'`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.bankRef),
        outcomes.map((o) => o.reason),
      ],
    );
  }

  /**
   * The lines of a batch's bank file, in line order, cancelled ones left out: the one place the
   * bank file's line data is read. One `COPY (SELECT ...) TO STDOUT` streamed on a connection of its
   * own (no page-by-page round trips); the connection goes back when the rows end or the reader stops.
   */
  async *exportRows(dataSource: DataSource, batchId: string): AsyncGenerator<ExportRow> {
    if (!UUID.test(batchId)) throw new TypeError(`not a batch id: ${batchId}`);
    const connect = async () => {
      const runner = dataSource.createQueryRunner();
      const client = (await runner.connect()) as pg.PoolClient;
      return { client, release: () => runner.release() };
    };
    const rows = copyOut(
      connect,
      `SELECT line_no, account_no_enc, account_name, id_number_enc, amount::text, bank_code
         FROM disbursement_lines WHERE batch_id = '${batchId}' AND status <> 'CANCELLED' ORDER BY line_no`,
    );
    // The bank file is where the full numbers are needed: decrypted here, one line at a time.
    for await (const [lineNo, accountNo, accountName, idNumber, amount, bankCode] of rows) {
      yield {
        lineNo: Number(lineNo),
        accountNo: openSealed(accountNo),
        accountName,
        idNumber: openSealed(idNumber),
        amount,
        bankCode,
      };
    }
  }

  /** How many lines a bank file of the batch holds and their total (a summary record states both). */
  async exportTotals(manager: EntityManager, batchId: string): Promise<{ count: number; total: string }> {
    const row = await queryOne<{ count: number; total: string }>(
      manager,
      `SELECT count(*)::int AS count, coalesce(sum(amount), 0)::text AS total
         FROM disbursement_lines WHERE batch_id = $1 AND status <> 'CANCELLED'`,
      [batchId],
    );
    return row!;
  }

  async pendingCount(manager: EntityManager, batchId: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      manager,
      `SELECT count(*)::int AS n FROM disbursement_lines WHERE batch_id = $1 AND status = 'PENDING'`,
      [batchId],
    );
    return row!.n;
  }
}
