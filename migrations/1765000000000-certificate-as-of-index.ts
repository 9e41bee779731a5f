import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes found by the city-scale benchmark (issue 9, `npm run bench`).
 *
 * - household_certificates (household_id, issued_on, id): the as-of snapshot reads "the latest
 *   certificate issued on or before the date" ordered by (issued_on DESC, id DESC); the existing
 *   (household_id, issued_on) index left an Incremental Sort per household (about 18 of the 30 ms
 *   of a 1,000-household chunk at 100,000 households); a backward scan of this one needs none.
 *   It replaces household_certificates_household_idx, which it covers.
 */
export class BenchIndexes1765000000000 implements MigrationInterface {
  name = 'BenchIndexes1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX household_certificates_as_of_idx ON household_certificates (household_id, issued_on, id)`,
    );
    await q.query(`DROP INDEX household_certificates_household_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX household_certificates_household_idx ON household_certificates (household_id, issued_on)`,
    );
    await q.query(`DROP INDEX household_certificates_as_of_idx`);
  }
}
