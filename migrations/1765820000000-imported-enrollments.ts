import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Existing rolls (SPEC.md revision 2; `enrollments:import`): a city adopting Yikatong brings its
 * enrollments with their original application and approval dates and the names of who approved
 * them in the old system. Those history rows are marked `imported` and carry the approver's name
 * (`actor_name`: the old system's approver is no user here, so `actor_id` stays null).
 */
export class ImportedEnrollments1765820000000 implements MigrationInterface {
  name = 'ImportedEnrollments1765820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE enrollment_transitions
        ADD COLUMN imported boolean NOT NULL DEFAULT false,
        ADD COLUMN actor_name text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollment_transitions DROP COLUMN actor_name, DROP COLUMN imported`);
  }
}
