import { pii } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import { OPEN_STATUSES } from './enrollment-state.js';

/** Where an ID number of the file is registered: the person and the household they belong to. */
export interface RegisteredPerson {
  id_number: string;
  person_id: string;
  household_id: string;
  household_no: string;
  region_code: string;
}

export interface OpenEnrollment {
  policy_code: string;
  beneficiary_key: string;
  id: string;
  status: string;
}

/** One imported enrollment, ACTIVE since its original approval. */
export interface ImportedEnrollment {
  householdId: string;
  policyCode: string;
  personId: string | null;
  regionCode: string;
  appliedOn: string;
  approvedOn: string;
}

/** An imported history row: the old system's date and approver's name, marked `imported`. */
export interface ImportedTransition {
  enrollmentId: string;
  from: string | null;
  to: string;
  actorName: string | null;
  reason: string;
  asOf: string;
  explanation: unknown;
}

/** The SQL of `enrollments:import` (set-based: one statement per step for the whole file). */
@Injectable()
export class EnrollmentsImportRepository {
  /** The registered persons among `idNumbers` (read from the registry's tables, which hold the ID once). */
  async persons(manager: EntityManager, idNumbers: string[]): Promise<RegisteredPerson[]> {
    // Found by blind index; the ID numbers answered are the file's own (nothing is decrypted).
    const byIndex = new Map(idNumbers.map((id) => [pii().blindIndex('id', id).toString('hex'), id]));
    const rows = await queryRows<Omit<RegisteredPerson, 'id_number'> & { bidx: Buffer }>(
      manager,
      `SELECT p.id_number_bidx AS bidx, p.id AS person_id, h.id AS household_id, h.household_no, h.region_code
         FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
        WHERE p.id_number_bidx = ANY($1::bytea[])`,
      [[...byIndex.keys()].map((hex) => Buffer.from(hex, 'hex'))],
    );
    return rows.map(({ bidx, ...row }) => ({ ...row, id_number: byIndex.get(bidx.toString('hex'))! }));
  }

  /** Open enrollments of these (policy, beneficiary key) pairs. */
  openEnrollments(manager: EntityManager, policyCodes: string[], keys: string[]): Promise<OpenEnrollment[]> {
    return queryRows<OpenEnrollment>(
      manager,
      `SELECT e.policy_code, e.beneficiary_key, e.id, e.status
         FROM enrollments e JOIN unnest($1::text[], $2::text[]) AS k(policy_code, beneficiary_key)
           ON e.policy_code = k.policy_code AND e.beneficiary_key = k.beneficiary_key
        WHERE e.status = ANY($3::text[])`,
      [policyCodes, keys, OPEN_STATUSES],
    );
  }

  /**
   * Inserts the enrollments ACTIVE, applied and approved on their original dates (approval at
   * 00:00 China time of its day), opened by the importing user; a beneficiary that meanwhile got an
   * open enrollment is skipped by the partial unique index (the caller compares the count).
   */
  insertEnrollments(
    manager: EntityManager,
    rows: ImportedEnrollment[],
    openedBy: string,
  ): Promise<{ id: string; policy_code: string; beneficiary_key: string }[]> {
    return queryRows<{ id: string; policy_code: string; beneficiary_key: string }>(
      manager,
      `INSERT INTO enrollments (household_id, policy_code, beneficiary_person_id, region_code, status, opened_by,
                                submitted_at, approved_at, active_from, applied_on)
       SELECT r.household_id, r.policy_code, r.person_id, r.region_code, 'ACTIVE', $7::uuid,
              r.applied_on::timestamp AT TIME ZONE 'Asia/Shanghai',
              r.approved_on::timestamp AT TIME ZONE 'Asia/Shanghai', r.approved_on, r.applied_on
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::date[], $6::date[]) WITH ORDINALITY
              AS r(household_id, policy_code, person_id, region_code, applied_on, approved_on, n)
        ORDER BY r.n
       ON CONFLICT (policy_code, beneficiary_key)
         WHERE status IN ('DRAFT', 'SUBMITTED', 'PUBLICIZED', 'APPROVED', 'ACTIVE', 'SUSPENDED')
       DO NOTHING
       RETURNING id, policy_code, beneficiary_key`,
      [
        rows.map((r) => r.householdId),
        rows.map((r) => r.policyCode),
        rows.map((r) => r.personId),
        rows.map((r) => r.regionCode),
        rows.map((r) => r.appliedOn),
        rows.map((r) => r.approvedOn),
        openedBy,
      ],
    );
  }

  async insertTransitions(manager: EntityManager, transitions: ImportedTransition[]): Promise<void> {
    await manager.query(
      `INSERT INTO enrollment_transitions
         (enrollment_id, from_status, to_status, actor_id, actor_name, reason, as_of, explanation, imported)
       SELECT t.enrollment_id, t.from_status, t.to_status, NULL, t.actor_name, t.reason, t.as_of, t.explanation, true
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::jsonb[]) WITH ORDINALITY
              AS t(enrollment_id, from_status, to_status, actor_name, reason, as_of, explanation, n)
        ORDER BY t.n`,
      [
        transitions.map((t) => t.enrollmentId),
        transitions.map((t) => t.from),
        transitions.map((t) => t.to),
        transitions.map((t) => t.actorName),
        transitions.map((t) => t.reason),
        transitions.map((t) => t.asOf),
        transitions.map((t) => JSON.stringify(t.explanation ?? null)),
      ],
    );
  }
}
