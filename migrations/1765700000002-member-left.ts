import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MEMBER_LEFT (SPEC.md revision 2, Life events): a member leaves the household on a date (a marriage
 * out, a divorce, a child moving out). `household_members.left_on` is set once by the event; the
 * person stays in the household's record, so that a child who left still counts among their
 * parents' children, but is no longer a member (nor a beneficiary) from that date.
 */
export class MemberLeft1765700000002 implements MigrationInterface {
  name = 'MemberLeft1765700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE household_members ADD COLUMN left_on date CHECK (left_on >= joined_on)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE household_members DROP COLUMN left_on`);
  }
}
