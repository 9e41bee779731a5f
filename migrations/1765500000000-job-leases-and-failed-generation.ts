import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs that survive crashes: a lease (`lease_until`, renewed while a runner works) says whether
 * anyone is still running an `active` job, so a sweeper can hand an abandoned one to another
 * runner; `last_error` keeps why the previous attempt stopped. Batches whose generation cannot
 * finish say so (`GENERATION_FAILED` with the error) and can be resumed or `CANCELLED`.
 */
export class JobResilience1765500000000 implements MigrationInterface {
  name = 'JobResilience1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN lease_until timestamptz, ADD COLUMN last_error jsonb`);
    await q.query(`CREATE INDEX jobs_created_by_idx ON jobs (created_by, created_at DESC)`);
    await q.query(`ALTER TABLE disbursement_batches DROP CONSTRAINT disbursement_batches_status_check`);
    await q.query(`
      ALTER TABLE disbursement_batches ADD CONSTRAINT disbursement_batches_status_check
        CHECK (status IN ('DRAFT', 'GENERATION_FAILED', 'GENERATED', 'SUBMITTED', 'APPROVED', 'REJECTED',
                          'EXPORTED', 'SETTLED', 'CLOSED', 'CANCELLED'))`);
    await q.query(`
      ALTER TABLE disbursement_batches
        ADD COLUMN generation_error jsonb,
        ADD COLUMN cancelled_by uuid REFERENCES users(id),
        ADD COLUMN cancelled_at timestamptz,
        ADD COLUMN cancel_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE disbursement_batches
        DROP COLUMN generation_error, DROP COLUMN cancelled_by, DROP COLUMN cancelled_at, DROP COLUMN cancel_reason`);
    await q.query(`ALTER TABLE disbursement_batches DROP CONSTRAINT disbursement_batches_status_check`);
    await q.query(`
      ALTER TABLE disbursement_batches ADD CONSTRAINT disbursement_batches_status_check
        CHECK (status IN ('DRAFT', 'GENERATED', 'SUBMITTED', 'APPROVED', 'REJECTED', 'EXPORTED', 'SETTLED',
                          'CLOSED'))`);
    await q.query(`DROP INDEX jobs_created_by_idx`);
    await q.query(`ALTER TABLE jobs DROP COLUMN lease_until, DROP COLUMN last_error`);
  }
}
