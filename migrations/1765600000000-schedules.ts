import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The service's own timetable: each row a job that runs on a cron schedule (China time), listed and
 * changed by an ADMIN. `next_run_at` is what the in-process scheduler fires on; with Redis the same
 * rows become Bull repeatable jobs.
 */
export class Schedules1765600000000 implements MigrationInterface {
  name = 'Schedules1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schedules (
        name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{1,62}$'),
        job_name     text NOT NULL,
        cron         text NOT NULL,
        enabled      boolean NOT NULL,
        description  text NOT NULL,
        next_run_at  timestamptz,
        last_run_at  timestamptz,
        last_job_id  uuid,
        updated_by   uuid REFERENCES users(id),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO schedules (name, job_name, cron, enabled, description) VALUES
        ('yearly-recheck', 'enrollments.recheck', '0 0 1 1 *', true,
         '每年1月1日零时：全市在享对象按新年度重新核查资格 (the yearly re-check of every active enrollment)'),
        ('audit-seal', 'audit.seal', '* * * * *', true,
         '每分钟：审计日志封块入链 (seal committed audit events into the hash chain)'),
        ('chain-heads-export', 'chains.heads-export', '30 2 * * *', true,
         '每日2:30：导出账本与审计链的链头到 DATA_DIR/heads (export the chains'' heads for later comparison)')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedules`);
  }
}
