import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';
import type { StoredReason } from '../../common/i18n/stored-reason.js';
import type { EnrollmentStatus } from './enrollment-state.js';

export interface EnrollmentRow {
  id: string;
  household_id: string;
  policy_code: string;
  beneficiary_person_id: string | null;
  region_code: string;
  status: EnrollmentStatus;
  status_reason: string | null;
  /** A re-decision's reason as code and parameters (null for a clerk's own words and old rows). */
  status_reason_code: string | null;
  status_reason_params: unknown;
  opened_by: string;
  submitted_by: string | null;
  submitted_at: Date | null;
  publicized_by: string | null;
  publicized_on: string | null;
  notice_ends_on: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  active_from: string | null;
  ended_on: string | null;
  applied_on: string;
  created_at: Date;
  updated_at: Date;
}

export interface TransitionRow {
  from_status: EnrollmentStatus | null;
  to_status: EnrollmentStatus;
  actor_id: string | null;
  reason: string | null;
  reason_code: string | null;
  reason_params: unknown;
  as_of: string;
  explanation: unknown;
  occurred_at: Date;
  /** The old system's approver of an imported row (no user here). */
  actor_name: string | null;
  imported: boolean;
}

const COLUMNS = `id, household_id, policy_code, beneficiary_person_id, region_code, status, status_reason,
  status_reason_code, status_reason_params,
  opened_by, submitted_by, submitted_at, publicized_by, publicized_on::text, notice_ends_on::text,
  approved_by, approved_at, active_from::text, ended_on::text, applied_on::text, created_at, updated_at`;

export interface NewTransition {
  enrollmentId: string;
  from: EnrollmentStatus | null;
  to: EnrollmentStatus;
  actorId: string | null;
  reason?: string | null;
  /** The reason as code and parameters, worded in the reader's language (`reason` keeps the Chinese text). */
  reasonCode?: StoredReason;
  asOf: string;
  explanation?: unknown;
}

/** The SQL of enrollments; every method takes the manager of the caller's transaction. */
@Injectable()
export class EnrollmentsRepository {
  /** Inserts unless the beneficiary already holds an open enrollment in the policy (then undefined). */
  insertUnlessOpen(
    manager: EntityManager,
    values: {
      householdId: string;
      policyCode: string;
      personId: string | null;
      regionCode: string;
      openedBy: string;
      appliedOn: string;
    },
  ): Promise<EnrollmentRow | undefined> {
    return queryOne<EnrollmentRow>(
      manager,
      `INSERT INTO enrollments (household_id, policy_code, beneficiary_person_id, region_code, status, opened_by,
                                applied_on)
       VALUES ($1, $2, $3, $4, 'DRAFT', $5, $6)
       ON CONFLICT (policy_code, beneficiary_key)
         WHERE status IN ('DRAFT', 'SUBMITTED', 'PUBLICIZED', 'APPROVED', 'ACTIVE', 'SUSPENDED')
       DO NOTHING
       RETURNING ${COLUMNS}`,
      [values.householdId, values.policyCode, values.personId, values.regionCode, values.openedBy, values.appliedOn],
    );
  }

  findOpen(
    manager: EntityManager,
    policyCode: string,
    householdId: string,
    personId: string | null,
  ): Promise<EnrollmentRow | undefined> {
    return queryOne<EnrollmentRow>(
      manager,
      `SELECT ${COLUMNS} FROM enrollments
        WHERE policy_code = $1 AND beneficiary_key = coalesce($3::text, 'household:' || $2::text)
          AND status IN ('DRAFT', 'SUBMITTED', 'PUBLICIZED', 'APPROVED', 'ACTIVE', 'SUSPENDED')`,
      [policyCode, householdId, personId],
    );
  }

  find(manager: EntityManager, id: string): Promise<EnrollmentRow | undefined> {
    return queryOne<EnrollmentRow>(manager, `SELECT ${COLUMNS} FROM enrollments WHERE id = $1`, [id]);
  }

  /** Locks the enrollments in id order (a fixed order, so concurrent bulk actions cannot deadlock). */
  lockMany(manager: EntityManager, ids: string[]): Promise<EnrollmentRow[]> {
    return queryRows<EnrollmentRow>(
      manager,
      `SELECT ${COLUMNS} FROM enrollments WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  lockOpenOfHousehold(manager: EntityManager, householdId: string): Promise<EnrollmentRow[]> {
    return queryRows<EnrollmentRow>(
      manager,
      `SELECT ${COLUMNS} FROM enrollments
        WHERE household_id = $1 AND status IN ('APPROVED', 'ACTIVE')
        ORDER BY id FOR UPDATE`,
      [householdId],
    );
  }

  async update(manager: EntityManager, id: string, changes: Record<string, unknown>): Promise<EnrollmentRow> {
    // A reason given in words (or cleared) replaces a coded one.
    if ('status_reason' in changes && !('status_reason_code' in changes)) {
      changes = { ...changes, status_reason_code: null, status_reason_params: null };
    }
    const keys = Object.keys(changes);
    const assignments = keys.map((key, index) => `${key} = $${index + 2}`).join(', ');
    const row = await queryOne<EnrollmentRow>(
      manager,
      `UPDATE enrollments SET ${assignments}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...keys.map((key) => changes[key])],
    );
    return row!;
  }

  async insertTransitions(manager: EntityManager, transitions: NewTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    await manager.query(
      `INSERT INTO enrollment_transitions
         (enrollment_id, from_status, to_status, actor_id, reason, as_of, explanation, reason_code, reason_params)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::date[], $7::jsonb[],
                            $8::text[], $9::jsonb[])`,
      [
        transitions.map((t) => t.enrollmentId),
        transitions.map((t) => t.from),
        transitions.map((t) => t.to),
        transitions.map((t) => t.actorId),
        transitions.map((t) => t.reason ?? null),
        transitions.map((t) => t.asOf),
        transitions.map((t) => (t.explanation === undefined ? null : JSON.stringify(t.explanation))),
        transitions.map((t) => t.reasonCode?.code ?? null),
        transitions.map((t) => (t.reasonCode ? JSON.stringify(t.reasonCode.params) : null)),
      ],
    );
  }

  history(manager: EntityManager, id: string): Promise<TransitionRow[]> {
    return queryRows<TransitionRow>(
      manager,
      `SELECT from_status, to_status, actor_id, actor_name, imported, reason, reason_code, reason_params, as_of::text, explanation, occurred_at
         FROM enrollment_transitions WHERE enrollment_id = $1 ORDER BY id`,
      [id],
    );
  }

  list(
    manager: EntityManager,
    filter: { prefix: string; policyCode?: string; status?: string; householdId?: string },
    after: string | undefined,
    limit: number,
  ): Promise<EnrollmentRow[]> {
    const params: unknown[] = [`${filter.prefix}%`];
    const where = ['region_code LIKE $1'];
    if (filter.policyCode) where.push(`policy_code = $${params.push(filter.policyCode)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.householdId) where.push(`household_id = $${params.push(filter.householdId)}`);
    if (after) where.push(`id > $${params.push(after)}`);
    params.push(limit + 1);
    return queryRows<EnrollmentRow>(
      manager,
      `SELECT ${COLUMNS} FROM enrollments WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    );
  }
}
