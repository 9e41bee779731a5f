import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A batch line names its enrollment, household and beneficiary; all three come from the
 * enrollment. Three foreign keys checked them one by one (three row triggers, and three parent
 * rows locked, for every line: three quarters of the time of inserting a chunk of lines at
 * city scale). One composite key to the enrollment checks more with one trigger: the line's
 * household and beneficiary are the enrollment's own (the old keys allowed a line of another
 * household), and a CHECK ties the beneficiary key to the line's person, who is therefore the
 * enrollment's beneficiary (a person the enrollment references).
 */
export class BatchLineKeys1765400000000 implements MigrationInterface {
  name = 'BatchLineKeys1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE enrollments
        ADD CONSTRAINT enrollments_line_key UNIQUE (id, household_id, beneficiary_key)`);
    await q.query(`
      ALTER TABLE disbursement_lines
        DROP CONSTRAINT disbursement_lines_enrollment_id_fkey,
        DROP CONSTRAINT disbursement_lines_household_id_fkey,
        DROP CONSTRAINT disbursement_lines_person_id_fkey,
        ADD CONSTRAINT disbursement_lines_enrollment_fkey FOREIGN KEY (enrollment_id, household_id, beneficiary_key)
          REFERENCES enrollments (id, household_id, beneficiary_key),
        ADD CONSTRAINT disbursement_lines_beneficiary_check
          CHECK (beneficiary_key = coalesce(person_id::text, 'household:' || household_id::text))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE disbursement_lines
        DROP CONSTRAINT disbursement_lines_beneficiary_check,
        DROP CONSTRAINT disbursement_lines_enrollment_fkey,
        ADD CONSTRAINT disbursement_lines_enrollment_id_fkey FOREIGN KEY (enrollment_id) REFERENCES enrollments(id),
        ADD CONSTRAINT disbursement_lines_household_id_fkey FOREIGN KEY (household_id) REFERENCES households(id),
        ADD CONSTRAINT disbursement_lines_person_id_fkey FOREIGN KEY (person_id) REFERENCES persons(id)`);
    await q.query(`ALTER TABLE enrollments DROP CONSTRAINT enrollments_line_key`);
  }
}
