import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrollments of a household or person in a policy, and their append-only transition history with
 * the eligibility explanation of each decision. One open enrollment per beneficiary and policy in
 * the whole city is a partial unique index, not a check in code.
 */
export class Enrollments1764700000000 implements MigrationInterface {
  name = 'Enrollments1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enrollments (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        household_id          uuid NOT NULL REFERENCES households(id),
        policy_code           text NOT NULL,
        beneficiary_person_id uuid REFERENCES persons(id),
        beneficiary_key       text GENERATED ALWAYS AS
                              (coalesce(beneficiary_person_id::text, 'household:' || household_id::text)) STORED,
        region_code           text COLLATE "C" NOT NULL,
        status                text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'PUBLICIZED', 'APPROVED',
                                                             'ACTIVE', 'REJECTED', 'SUSPENDED', 'TERMINATED')),
        status_reason         text,
        opened_by             uuid NOT NULL REFERENCES users(id),
        submitted_by          uuid REFERENCES users(id),
        submitted_at          timestamptz,
        publicized_by         uuid REFERENCES users(id),
        publicized_on         date,
        notice_ends_on        date,
        approved_by           uuid REFERENCES users(id),
        approved_at           timestamptz,
        active_from           date,
        ended_on              date,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNIQUE INDEX enrollments_one_open_per_beneficiary
        ON enrollments (policy_code, beneficiary_key)
        WHERE status IN ('DRAFT', 'SUBMITTED', 'PUBLICIZED', 'APPROVED', 'ACTIVE', 'SUSPENDED')`);
    await q.query(`CREATE INDEX enrollments_household_idx ON enrollments (household_id)`);
    await q.query(`CREATE INDEX enrollments_policy_region_idx ON enrollments (policy_code, status, region_code, id)`);
    await q.query(`CREATE INDEX enrollments_notice_idx ON enrollments (region_code, publicized_on)`);

    await q.query(`
      CREATE TABLE enrollment_transitions (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        enrollment_id uuid NOT NULL REFERENCES enrollments(id),
        from_status   text,
        to_status     text NOT NULL,
        actor_id      uuid REFERENCES users(id),
        reason        text,
        as_of         date NOT NULL,
        explanation   jsonb,
        occurred_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX enrollment_transitions_enrollment_idx ON enrollment_transitions (enrollment_id, id)`);
    await q.query(`
      CREATE TRIGGER enrollment_transitions_append_only BEFORE UPDATE OR DELETE ON enrollment_transitions
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER enrollment_transitions_no_truncate BEFORE TRUNCATE ON enrollment_transitions
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE enrollment_transitions`);
    await q.query(`DROP TABLE enrollments`);
  }
}
