import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disbursement batches, their lines and exceptions, and the coverage table whose unique key makes
 * paying one beneficiary twice for the same month, year or one-time benefit impossible, across
 * batches, in the database itself.
 */
export class Disbursements1764800000000 implements MigrationInterface {
  name = 'Disbursements1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE disbursement_batch_no_seq`);
    await q.query(`
      CREATE TABLE disbursement_batches (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        batch_no           text NOT NULL UNIQUE,
        policy_code        text NOT NULL,
        period             text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2]))?$'),
        fiscal_year        integer NOT NULL,
        county_code        text COLLATE "C" NOT NULL REFERENCES regions(code),
        status             text NOT NULL CHECK (status IN ('DRAFT', 'GENERATED', 'SUBMITTED', 'APPROVED',
                                                          'REJECTED', 'EXPORTED', 'SETTLED', 'CLOSED')),
        line_count         integer NOT NULL DEFAULT 0,
        total_amount       numeric(18,2) NOT NULL DEFAULT 0,
        exception_count    integer NOT NULL DEFAULT 0,
        generation_job_id  uuid,
        generation_cursor  text,
        generated_at       timestamptz,
        created_by         uuid NOT NULL REFERENCES users(id),
        submitted_by       uuid REFERENCES users(id),
        submitted_at       timestamptz,
        approved_by        uuid REFERENCES users(id),
        approved_at        timestamptz,
        approval_key       text,
        rejected_by        uuid REFERENCES users(id),
        rejected_at        timestamptz,
        reject_reason      text,
        bank_file_sha256   text,
        exported_by        uuid REFERENCES users(id),
        exported_at        timestamptz,
        settled_at         timestamptz,
        closed_by          uuid REFERENCES users(id),
        closed_at          timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX disbursement_batches_scope_idx ON disbursement_batches (county_code, policy_code, period)`,
    );

    await q.query(`
      CREATE TABLE disbursement_lines (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        batch_id         uuid NOT NULL REFERENCES disbursement_batches(id),
        line_no          integer NOT NULL CHECK (line_no > 0),
        enrollment_id    uuid NOT NULL REFERENCES enrollments(id),
        household_id     uuid NOT NULL REFERENCES households(id),
        person_id        uuid REFERENCES persons(id),
        beneficiary_key  text NOT NULL,
        region_code      text COLLATE "C" NOT NULL,
        periods          text[] NOT NULL CHECK (cardinality(periods) > 0),
        amount           numeric(18,2) NOT NULL CHECK (amount > 0),
        bank_code        text NOT NULL,
        account_no       text NOT NULL,
        account_name     text NOT NULL,
        id_number        text NOT NULL,
        decision         jsonb NOT NULL,
        version_ids      text[] NOT NULL,
        status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PAID', 'FAILED', 'CANCELLED')),
        bank_ref         text,
        reason           text,
        settled_at       timestamptz,
        UNIQUE (batch_id, line_no)
      )`);
    await q.query(`CREATE INDEX disbursement_lines_household_idx ON disbursement_lines (household_id)`);
    await q.query(`CREATE INDEX disbursement_lines_batch_status_idx ON disbursement_lines (batch_id, status)`);

    await q.query(`
      CREATE TABLE disbursement_exceptions (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        batch_id      uuid NOT NULL REFERENCES disbursement_batches(id),
        enrollment_id uuid NOT NULL REFERENCES enrollments(id),
        household_id  uuid NOT NULL REFERENCES households(id),
        person_id     uuid REFERENCES persons(id),
        reason        text NOT NULL,
        UNIQUE (batch_id, enrollment_id)
      )`);

    // The double-payment guard: one live claim per (policy, beneficiary, unit) across all batches.
    // A failed payment or a rejected batch releases its claims (released_at), so the unit can be
    // paid again; the released rows stay as history.
    await q.query(`
      CREATE TABLE payment_coverage (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        policy_code     text NOT NULL,
        beneficiary_key text NOT NULL,
        period_unit     text NOT NULL,
        batch_id        uuid NOT NULL REFERENCES disbursement_batches(id),
        line_id         uuid REFERENCES disbursement_lines(id),
        amount          numeric(18,2) NOT NULL,
        claimed_at      timestamptz NOT NULL DEFAULT now(),
        released_at     timestamptz
      )`);
    await q.query(`
      CREATE UNIQUE INDEX payment_coverage_once ON payment_coverage (policy_code, beneficiary_key, period_unit)
        WHERE released_at IS NULL`);
    await q.query(`CREATE INDEX payment_coverage_line_idx ON payment_coverage (line_id)`);
    await q.query(`CREATE INDEX payment_coverage_batch_idx ON payment_coverage (batch_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_coverage`);
    await q.query(`DROP TABLE disbursement_exceptions`);
    await q.query(`DROP TABLE disbursement_lines`);
    await q.query(`DROP TABLE disbursement_batches`);
    await q.query(`DROP SEQUENCE disbursement_batch_no_seq`);
  }
}
