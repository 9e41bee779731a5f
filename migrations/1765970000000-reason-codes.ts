import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reasons written by the system (an enrollment suspended or terminated by a re-decision, a batch
 * exception) were stored as English sentences, so a Chinese clerk read English. They are now kept
 * as a stable code and its parameters and worded in the reader's language when answered. The text
 * columns stay: old rows (no code) keep showing their text, and new rows still carry the Chinese
 * text for anyone reading the tables directly.
 */
export class ReasonCodes1765970000000 implements MigrationInterface {
  name = 'ReasonCodes1765970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollments ADD COLUMN status_reason_code text, ADD COLUMN status_reason_params jsonb`);
    await q.query(`ALTER TABLE enrollment_transitions ADD COLUMN reason_code text, ADD COLUMN reason_params jsonb`);
    await q.query(`ALTER TABLE disbursement_exceptions ADD COLUMN reason_code text, ADD COLUMN reason_params jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursement_exceptions DROP COLUMN reason_code, DROP COLUMN reason_params`);
    await q.query(`ALTER TABLE enrollment_transitions DROP COLUMN reason_code, DROP COLUMN reason_params`);
    await q.query(`ALTER TABLE enrollments DROP COLUMN status_reason_code, DROP COLUMN status_reason_params`);
  }
}
