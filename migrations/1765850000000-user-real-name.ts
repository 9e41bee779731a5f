import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's real name (真实姓名), as the administrator records it: optional, at most 50 characters. */
export class UserRealName1765850000000 implements MigrationInterface {
  name = 'UserRealName1765850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE users ADD COLUMN real_name text CHECK (real_name IS NULL OR char_length(real_name) BETWEEN 1 AND 50)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN real_name`);
  }
}
