import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RegionScope } from '../../common/region-scope.js';
import { queryOne, queryRows } from '../../database/sql.js';

export const CLAIM_STATUSES = [
  'OPEN',
  'RECOVERING',
  'RECOVERED',
  'WRITE_OFF_PROPOSED',
  'WRITTEN_OFF',
  'WITHDRAWN',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** The statuses in which a claim still collects overpaid periods (one such claim per beneficiary and policy). */
export const COLLECTING: readonly ClaimStatus[] = ['OPEN', 'RECOVERING', 'WRITE_OFF_PROPOSED'];

export interface ClaimRow {
  id: string;
  claim_no: string;
  household_id: string;
  person_id: string | null;
  beneficiary_key: string;
  policy_code: string;
  region_code: string;
  county_code: string;
  status: ClaimStatus;
  amount: string;
  recovered: string;
  written_off: string;
  reserved: string;
  write_off_reason: string | null;
  write_off_proposed_by: string | null;
  write_off_approved_by: string | null;
  opened_at: Date;
  closed_at: Date | null;
}

export interface ClaimLineRow {
  id: string;
  claim_id: string;
  line_id: string;
  batch_id: string;
  batch_no: string;
  period_unit: string;
  fiscal_year: number;
  paid: string;
  owed: string;
  amount: string;
  version_id: string;
  cause_event_id: string | null;
  cause_job_id: string | null;
  /** The causing life event's type and effective date. */
  cause_event_type: string | null;
  cause_event_date: string | null;
  found_at: Date;
  withdrawn_at: Date | null;
  withdrawn_by_event_id: string | null;
}

export interface RecoveryRow {
  id: string;
  claim_id: string;
  kind: 'OFFSET' | 'REFUND' | 'WRITE_OFF' | 'WITHDRAWAL';
  /** REVERSED: recovered at approval, undone when the bank failed its line. */
  status: 'RESERVED' | 'DONE' | 'CANCELLED' | 'REVERSED';
  amount: string;
  batch_id: string | null;
  line_id: string | null;
  receipt_no: string | null;
  received_on: string | null;
  reason: string | null;
  actor_id: string | null;
  created_at: Date;
}

export interface ClaimEventRow {
  id: string;
  occurred_at: Date;
  action: string;
  actor_username: string | null;
  actor_role: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ReceivableRow {
  claim_id: string;
  fiscal_year: number;
  funding_level: string;
  county_code: string;
  amount: string;
  settled: string;
}

/** A paid period of a household, as the coverage table holds it, with its line and batch. */
export interface PaidUnitRow {
  line_id: string;
  batch_id: string;
  policy_code: string;
  beneficiary_key: string;
  household_id: string;
  person_id: string | null;
  region_code: string;
  county_code: string;
  fiscal_year: number;
  period: string;
  period_unit: string;
  paid: string;
  version_id: string;
  /** The active claim line of this period, if it is already claimed. */
  claim_line_id: string | null;
  claimed: string | null;
}

const CLAIM_COLUMNS = `id, claim_no::text, household_id, person_id, beneficiary_key, policy_code, region_code, county_code,
  status, amount::text, recovered::text, written_off::text, reserved::text, write_off_reason, write_off_proposed_by,
  write_off_approved_by, opened_at, closed_at`;

const RECOVERY_COLUMNS = `id::text, claim_id, kind, status, amount::text, batch_id, line_id, receipt_no,
  to_char(received_on, 'YYYY-MM-DD') AS received_on, reason, actor_id, created_at`;

const CLAIM_LINE_COLUMNS = `cl.id::text, cl.claim_id, cl.line_id, cl.batch_id, b.batch_no, cl.period_unit, cl.fiscal_year,
  cl.paid::text, cl.owed::text, cl.amount::text, cl.version_id, cl.cause_event_id, cl.cause_job_id, cl.found_at,
  cl.withdrawn_at, cl.withdrawn_by_event_id,
  (SELECT e.type FROM household_events e WHERE e.id::text = cl.cause_event_id) AS cause_event_type,
  (SELECT to_char(e.event_date, 'YYYY-MM-DD') FROM household_events e WHERE e.id::text = cl.cause_event_id)
    AS cause_event_date`;

/** The SQL of claims, their periods, receivables and recoveries. */
@Injectable()
export class OverpaymentsRepository {
  /**
   * The paid periods of the households (lines PAID, coverage not released), each with the active
   * claim line that already names it, if any. `fromDay` leaves out the periods that end before it.
   */
  paidUnits(manager: EntityManager, householdIds: string[]): Promise<PaidUnitRow[]> {
    return queryRows<PaidUnitRow>(
      manager,
      `SELECT l.id AS line_id, l.batch_id, b.policy_code, l.beneficiary_key, l.household_id, l.person_id,
              l.region_code, b.county_code, b.fiscal_year, b.period, c.period_unit, c.amount::text AS paid,
              l.version_ids[cardinality(l.version_ids)] AS version_id,
              cl.id::text AS claim_line_id, cl.amount::text AS claimed
         FROM disbursement_lines l
         JOIN disbursement_batches b ON b.id = l.batch_id
         JOIN payment_coverage c ON c.line_id = l.id AND c.released_at IS NULL
         LEFT JOIN overpayment_claim_lines cl
           ON cl.line_id = l.id AND cl.period_unit = c.period_unit AND cl.withdrawn_at IS NULL
        WHERE l.household_id = ANY($1::uuid[]) AND l.status = 'PAID'
        ORDER BY l.household_id, b.created_at, l.line_no, c.period_unit`,
      [householdIds],
    );
  }

  /** The claim collecting for a beneficiary and policy, locked; or undefined. */
  collectingClaim(manager: EntityManager, policyCode: string, beneficiaryKey: string): Promise<ClaimRow | undefined> {
    return queryOne<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims
        WHERE policy_code = $1 AND beneficiary_key = $2 AND status = ANY($3::text[]) FOR UPDATE`,
      [policyCode, beneficiaryKey, COLLECTING],
    );
  }

  async insertClaim(
    manager: EntityManager,
    claim: {
      householdId: string;
      personId: string | null;
      beneficiaryKey: string;
      policyCode: string;
      regionCode: string;
      countyCode: string;
    },
  ): Promise<ClaimRow> {
    return (await queryOne<ClaimRow>(
      manager,
      `INSERT INTO overpayment_claims (household_id, person_id, beneficiary_key, policy_code, region_code, county_code)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CLAIM_COLUMNS}`,
      [claim.householdId, claim.personId, claim.beneficiaryKey, claim.policyCode, claim.regionCode, claim.countyCode],
    ))!;
  }

  async insertClaimLine(
    manager: EntityManager,
    line: {
      claimId: string;
      lineId: string;
      batchId: string;
      periodUnit: string;
      fiscalYear: number;
      paid: string;
      owed: string;
      amount: string;
      versionId: string;
      causeEventId: string | null;
      causeJobId: string | null;
    },
  ): Promise<string> {
    const row = await queryOne<{ id: string }>(
      manager,
      `INSERT INTO overpayment_claim_lines (claim_id, line_id, batch_id, period_unit, fiscal_year, paid, owed, amount,
                                           version_id, cause_event_id, cause_job_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
      [
        line.claimId,
        line.lineId,
        line.batchId,
        line.periodUnit,
        line.fiscalYear,
        line.paid,
        line.owed,
        line.amount,
        line.versionId,
        line.causeEventId,
        line.causeJobId,
      ],
    );
    return row!.id;
  }

  /** Withdraws active claim lines; answers them with their claims. */
  withdrawClaimLines(
    manager: EntityManager,
    ids: string[],
    eventId: string | null,
  ): Promise<{ id: string; claim_id: string; amount: string }[]> {
    return queryRows(
      manager,
      `UPDATE overpayment_claim_lines SET withdrawn_at = now(), withdrawn_by_event_id = $2
        WHERE id = ANY($1::bigint[]) AND withdrawn_at IS NULL
        RETURNING id::text, claim_id, amount::text`,
      [ids, eventId],
    );
  }

  /**
   * Locks, in id order in one statement, the claims that one detection may touch: those of the
   * claim lines it withdraws and the collecting claim of each beneficiary and policy it may add to
   * (so that two detections, or a detection and an offset reversal, never lock two claims in
   * opposite orders).
   */
  async lockForDetection(
    manager: EntityManager,
    claimLineIds: string[],
    pairs: { policyCode: string; beneficiaryKey: string }[],
  ): Promise<void> {
    await manager.query(
      `SELECT id FROM overpayment_claims
        WHERE id IN (SELECT claim_id FROM overpayment_claim_lines WHERE id = ANY($1::bigint[]))
           OR (status = ANY($4::text[])
               AND (policy_code, beneficiary_key) IN (SELECT * FROM unnest($2::text[], $3::text[])))
        ORDER BY id FOR UPDATE`,
      [claimLineIds, pairs.map((p) => p.policyCode), pairs.map((p) => p.beneficiaryKey), COLLECTING],
    );
  }

  /**
   * Locks the claims and, with them, the claims collecting for the same beneficiary and policy (a
   * reopened claim may merge with one), all in id order in one statement; answers the claims asked for.
   */
  async lockClaimsAndSiblings(manager: EntityManager, ids: string[]): Promise<ClaimRow[]> {
    const rows = await queryRows<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims c
        WHERE c.id = ANY($1::uuid[])
           OR (c.status = ANY($2::text[]) AND EXISTS (
                 SELECT 1 FROM overpayment_claims o
                  WHERE o.id = ANY($1::uuid[]) AND o.policy_code = c.policy_code AND o.beneficiary_key = c.beneficiary_key))
        ORDER BY c.id FOR UPDATE OF c`,
      [ids, COLLECTING],
    );
    return rows.filter((row) => ids.includes(row.id));
  }

  /** A claim's audit trail (proposals, rejections, recoveries), oldest first. */
  claimHistory(manager: EntityManager, claimId: string): Promise<ClaimEventRow[]> {
    return queryRows<ClaimEventRow>(
      manager,
      `SELECT id::text, occurred_at, action, actor_username, actor_role, before, after FROM audit_events
        WHERE entity_type = 'overpayment_claim' AND entity_id = $1 ORDER BY id`,
      [claimId],
    );
  }

  /** User names by id (the write-off's proposer and approver). */
  async usernames(manager: EntityManager, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await queryRows<{ id: string; username: string }>(
      manager,
      `SELECT id::text, username FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  async lockClaims(manager: EntityManager, ids: string[]): Promise<ClaimRow[]> {
    return queryRows<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /** The households' claims that offsets may draw on, oldest first, locked in id order. */
  async lockRecoverableClaims(manager: EntityManager, householdIds: string[]): Promise<ClaimRow[]> {
    const rows = await queryRows<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims
        WHERE household_id = ANY($1::uuid[]) AND status IN ('OPEN', 'RECOVERING')
          AND amount > recovered + written_off + reserved
        ORDER BY id FOR UPDATE`,
      [householdIds],
    );
    return rows.sort((a, b) => Number(a.claim_no) - Number(b.claim_no));
  }

  async updateClaim(manager: EntityManager, id: string, changes: Record<string, unknown>): Promise<ClaimRow> {
    const columns = Object.keys(changes);
    const sets = columns.map((column, index) => `${column} = $${index + 2}`);
    return (await queryOne<ClaimRow>(
      manager,
      `UPDATE overpayment_claims SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${CLAIM_COLUMNS}`,
      [id, ...columns.map((column) => changes[column])],
    ))!;
  }

  findClaim(manager: EntityManager, id: string, lock = false): Promise<ClaimRow | undefined> {
    return queryOne<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims WHERE id = $1::uuid ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
  }

  listClaims(
    manager: EntityManager,
    filter: { status?: string; regionCode?: string; householdId?: string },
    scope: RegionScope,
    afterNo: string | undefined,
    limit: number,
  ): Promise<ClaimRow[]> {
    const params: unknown[] = [];
    const where = [scope.where('region_code', params)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.regionCode !== undefined) add('region_code LIKE ?', `${filter.regionCode}%`);
    if (filter.householdId !== undefined) add('household_id = ?::uuid', filter.householdId);
    if (afterNo !== undefined) add('claim_no > ?::bigint', afterNo);
    params.push(limit + 1);
    return queryRows<ClaimRow>(
      manager,
      `SELECT ${CLAIM_COLUMNS} FROM overpayment_claims WHERE ${where.join(' AND ')}
        ORDER BY claim_no LIMIT $${params.length}`,
      params,
    );
  }

  claimLines(manager: EntityManager, claimIds: string[]): Promise<ClaimLineRow[]> {
    return queryRows<ClaimLineRow>(
      manager,
      `SELECT ${CLAIM_LINE_COLUMNS}
         FROM overpayment_claim_lines cl JOIN disbursement_batches b ON b.id = cl.batch_id
        WHERE cl.claim_id = ANY($1::uuid[]) ORDER BY cl.id`,
      [claimIds],
    );
  }

  /** Active claim lines of a household (the periods it is asked to pay back), with their claims. */
  activeClaimLinesOfHousehold(manager: EntityManager, householdId: string): Promise<ClaimLineRow[]> {
    return queryRows<ClaimLineRow>(
      manager,
      `SELECT ${CLAIM_LINE_COLUMNS}
         FROM overpayment_claim_lines cl
         JOIN overpayment_claims c ON c.id = cl.claim_id
         JOIN disbursement_batches b ON b.id = cl.batch_id
        WHERE c.household_id = $1 AND cl.withdrawn_at IS NULL ORDER BY cl.id`,
      [householdId],
    );
  }

  recoveries(manager: EntityManager, claimIds: string[]): Promise<RecoveryRow[]> {
    return queryRows<RecoveryRow>(
      manager,
      `SELECT ${RECOVERY_COLUMNS}
         FROM overpayment_recoveries WHERE claim_id = ANY($1::uuid[]) ORDER BY id`,
      [claimIds],
    );
  }

  async insertRecovery(
    manager: EntityManager,
    recovery: {
      claimId: string;
      kind: RecoveryRow['kind'];
      status?: RecoveryRow['status'];
      amount: string;
      batchId?: string | null;
      lineId?: string | null;
      receiptNo?: string | null;
      receivedOn?: string | null;
      reason?: string | null;
      actorId?: string | null;
    },
  ): Promise<string> {
    const row = await queryOne<{ id: string }>(
      manager,
      `INSERT INTO overpayment_recoveries (claim_id, kind, status, amount, batch_id, line_id, receipt_no, received_on,
                                          reason, actor_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::text`,
      [
        recovery.claimId,
        recovery.kind,
        recovery.status ?? 'DONE',
        recovery.amount,
        recovery.batchId ?? null,
        recovery.lineId ?? null,
        recovery.receiptNo ?? null,
        recovery.receivedOn ?? null,
        recovery.reason ?? null,
        recovery.actorId ?? null,
      ],
    );
    return row!.id;
  }

  findRefundByReceipt(manager: EntityManager, receiptNo: string): Promise<RecoveryRow | undefined> {
    return queryOne<RecoveryRow>(
      manager,
      `SELECT ${RECOVERY_COLUMNS}
         FROM overpayment_recoveries WHERE kind = 'REFUND' AND receipt_no = $1`,
      [receiptNo],
    );
  }

  /** The offsets reserved on a batch's lines, oldest first. */
  reservedOffsets(manager: EntityManager, batchId: string): Promise<RecoveryRow[]> {
    return queryRows<RecoveryRow>(
      manager,
      `SELECT ${RECOVERY_COLUMNS}
         FROM overpayment_recoveries WHERE batch_id = $1 AND kind = 'OFFSET' AND status = 'RESERVED' ORDER BY id`,
      [batchId],
    );
  }

  /** The offsets that recovered their claims on these lines of a batch (at its approval). */
  recoveredOffsets(manager: EntityManager, batchId: string, lineIds: string[]): Promise<RecoveryRow[]> {
    return queryRows<RecoveryRow>(
      manager,
      `SELECT ${RECOVERY_COLUMNS} FROM overpayment_recoveries
        WHERE batch_id = $1 AND line_id = ANY($2::uuid[]) AND kind = 'OFFSET' AND status = 'DONE' ORDER BY id`,
      [batchId, lineIds],
    );
  }

  async setRecoveriesStatus(manager: EntityManager, ids: string[], status: RecoveryRow['status']): Promise<void> {
    await manager.query(`UPDATE overpayment_recoveries SET status = $2 WHERE id = ANY($1::bigint[])`, [ids, status]);
  }

  /** Records the offsets of a chunk of new lines (found by line number) and sets the lines' offset amounts. */
  async insertOffsets(
    manager: EntityManager,
    batchId: string,
    offsets: { lineNo: number; claimId: string; amount: string }[],
  ): Promise<void> {
    if (offsets.length === 0) return;
    await manager.query(
      `INSERT INTO overpayment_recoveries (claim_id, kind, status, amount, batch_id, line_id)
       SELECT o.claim_id, 'OFFSET', 'RESERVED', o.amount, $1, l.id
         FROM unnest($2::int[], $3::uuid[], $4::numeric[]) AS o(line_no, claim_id, amount)
         JOIN disbursement_lines l ON l.batch_id = $1 AND l.line_no = o.line_no`,
      [batchId, offsets.map((o) => o.lineNo), offsets.map((o) => o.claimId), offsets.map((o) => o.amount)],
    );
    await manager.query(
      `UPDATE disbursement_lines l SET offset_amount = o.total
         FROM (SELECT line_no, sum(amount) AS total
                 FROM unnest($2::int[], $3::numeric[]) AS x(line_no, amount) GROUP BY line_no) o
        WHERE l.batch_id = $1 AND l.line_no = o.line_no`,
      [batchId, offsets.map((o) => o.lineNo), offsets.map((o) => o.amount)],
    );
  }

  receivables(manager: EntityManager, claimId: string): Promise<ReceivableRow[]> {
    return queryRows<ReceivableRow>(
      manager,
      `SELECT claim_id, fiscal_year, funding_level, county_code, amount::text, settled::text
         FROM overpayment_receivables WHERE claim_id = $1
        ORDER BY fiscal_year, county_code, array_position(ARRAY['CENTRAL','PROVINCIAL','MUNICIPAL','COUNTY'], funding_level)`,
      [claimId],
    );
  }

  async addReceivables(
    manager: EntityManager,
    rows: { claimId: string; fiscalYear: number; fundingLevel: string; countyCode: string; amount: string }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO overpayment_receivables AS r (claim_id, fiscal_year, funding_level, county_code, amount)
       SELECT claim_id, fiscal_year, funding_level, county_code, sum(amount)
         FROM unnest($1::uuid[], $2::smallint[], $3::text[], $4::text[], $5::numeric[])
           AS r(claim_id, fiscal_year, funding_level, county_code, amount)
        GROUP BY 1, 2, 3, 4
       ON CONFLICT (claim_id, fiscal_year, funding_level, county_code)
       DO UPDATE SET amount = r.amount + EXCLUDED.amount`,
      [
        rows.map((r) => r.claimId),
        rows.map((r) => r.fiscalYear),
        rows.map((r) => r.fundingLevel),
        rows.map((r) => r.countyCode),
        rows.map((r) => r.amount),
      ],
    );
  }

  /** Moves a claim's periods, recoveries and receivables to another claim (of the same beneficiary and policy). */
  async moveClaimContents(manager: EntityManager, fromId: string, intoId: string): Promise<void> {
    await manager.query(`UPDATE overpayment_claim_lines SET claim_id = $2 WHERE claim_id = $1`, [fromId, intoId]);
    await manager.query(`UPDATE overpayment_recoveries SET claim_id = $2 WHERE claim_id = $1`, [fromId, intoId]);
    await manager.query(
      `INSERT INTO overpayment_receivables AS r (claim_id, fiscal_year, funding_level, county_code, amount, settled)
       SELECT $2, fiscal_year, funding_level, county_code, amount, settled FROM overpayment_receivables WHERE claim_id = $1
       ON CONFLICT (claim_id, fiscal_year, funding_level, county_code)
       DO UPDATE SET amount = r.amount + EXCLUDED.amount, settled = r.settled + EXCLUDED.settled`,
      [fromId, intoId],
    );
    await manager.query(`DELETE FROM overpayment_receivables WHERE claim_id = $1`, [fromId]);
  }

  /** Adds settled amounts to the claim's receivables (negative amounts: a settlement reversed). */
  async settleReceivables(
    manager: EntityManager,
    claimId: string,
    rows: { fiscalYear: number; fundingLevel: string; countyCode: string; amount: string }[],
  ): Promise<void> {
    await manager.query(
      `UPDATE overpayment_receivables r SET settled = r.settled + s.amount
         FROM unnest($2::smallint[], $3::text[], $4::text[], $5::numeric[]) AS s(fiscal_year, funding_level, county_code, amount)
        WHERE r.claim_id = $1 AND r.fiscal_year = s.fiscal_year AND r.funding_level = s.funding_level
          AND r.county_code = s.county_code`,
      [
        claimId,
        rows.map((r) => r.fiscalYear),
        rows.map((r) => r.fundingLevel),
        rows.map((r) => r.countyCode),
        rows.map((r) => r.amount),
      ],
    );
  }

  /** Households of the region with paid lines, in keyset order after `after`. */
  paidHouseholds(manager: EntityManager, prefix: string, after: string, limit: number): Promise<string[]> {
    return queryRows<{ household_id: string }>(
      manager,
      `SELECT DISTINCT household_id FROM disbursement_lines
        WHERE status = 'PAID' AND region_code LIKE $1 AND household_id > $2
        ORDER BY household_id LIMIT $3`,
      [`${prefix}%`, after, limit],
    ).then((rows) => rows.map((row) => row.household_id));
  }

  async countPaidHouseholds(manager: EntityManager, prefix: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      manager,
      `SELECT count(DISTINCT household_id)::int AS n FROM disbursement_lines WHERE status = 'PAID' AND region_code LIKE $1`,
      [`${prefix}%`],
    );
    return row!.n;
  }
}
