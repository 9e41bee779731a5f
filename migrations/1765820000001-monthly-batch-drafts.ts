import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The optional monthly batch drafts (issue 19): a `monthly-batch-drafts` schedule, off until an
 * ADMIN turns it on, that on the 1st creates the month's DRAFT batch of each monthly cash policy for
 * each county paying it. What the schedules do is done by the system actor: a user row of its own
 * (fixed id, disabled, no usable password: it can never sign in) so that batches it creates have a
 * `created_by` and the audit trail names it.
 */
export class MonthlyBatchDrafts1765820000001 implements MigrationInterface {
  name = 'MonthlyBatchDrafts1765820000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO users (id, username, password_hash, role, region_code, disabled)
      VALUES ('00000000-0000-4000-8000-000000000001', 'yikatong-system', '!', 'ADMIN', '410100', true)
      ON CONFLICT (id) DO NOTHING`);
    await q.query(`
      INSERT INTO schedules (name, job_name, cron, enabled, description) VALUES
        ('monthly-batch-drafts', 'batches.monthly-drafts', '0 1 1 * *', false,
         '每月1日1:00：为每个按月发放的现金政策、每个有在享对象的县（区）生成当月发放批次草稿 (draft the month''s batch per county and monthly cash policy)')
      ON CONFLICT (name) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM schedules WHERE name = 'monthly-batch-drafts'`);
    // The system user stays if anything it did references it (batches, jobs).
    await q.query(`
      DELETE FROM users u WHERE u.id = '00000000-0000-4000-8000-000000000001'
        AND NOT EXISTS (SELECT 1 FROM disbursement_batches b WHERE b.created_by = u.id)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.created_by = u.id)`);
  }
}
