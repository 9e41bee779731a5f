import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bank formats as data (SPEC.md "Language and files"): the formats themselves live in code
 * (src/modules/disbursements/bank-formats/); the database records which one each county exports in
 * by default (`county_bank_formats`, none means the CSV of SPEC.md) and which one each batch was
 * exported in (`disbursement_batches.bank_format`), so that its results are read in that format
 * and its file downloads again as the same bytes. Batches exported before were all the CSV.
 */
export class BankFormats1765830000000 implements MigrationInterface {
  name = 'BankFormats1765830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE disbursement_batches ADD COLUMN bank_format text CHECK (bank_format ~ '^[A-Z][A-Z0-9_]{1,39}$')`,
    );
    await q.query(`UPDATE disbursement_batches SET bank_format = 'CSV_UTF8' WHERE bank_file_sha256 IS NOT NULL`);
    await q.query(`
      CREATE TABLE county_bank_formats (
        county_code text COLLATE "C" PRIMARY KEY REFERENCES regions(code),
        format_code text NOT NULL CHECK (format_code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
        updated_by  uuid REFERENCES users(id),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE county_bank_formats`);
    await q.query(`ALTER TABLE disbursement_batches DROP COLUMN bank_format`);
  }
}
