import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A batch line kept its whole decision (the decided months with their facts and reasons, about
 * 1 KB of JSON) in its own row, although most lines of a batch were decided on identical facts.
 * Decisions now live once each in `line_decisions`, keyed by the SHA-256 of their JSON; a line
 * names its decision by that digest. Any line's full decision is still one join away (the audit
 * trace shows it as before). Existing lines are moved over here, and their column dropped.
 */
export class LineDecisions1765960000000 implements MigrationInterface {
  name = 'LineDecisions1765960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE line_decisions (
        digest   bytea PRIMARY KEY CHECK (octet_length(digest) = 32),
        decision jsonb NOT NULL
      )`);
    await q.query(`
      INSERT INTO line_decisions (digest, decision)
      SELECT DISTINCT ON (digest) digest, decision
        FROM (SELECT sha256(convert_to(decision::text, 'UTF8')) AS digest, decision FROM disbursement_lines) d
       ORDER BY digest`);
    await q.query(`ALTER TABLE disbursement_lines ADD COLUMN decision_digest bytea`);
    await q.query(`UPDATE disbursement_lines SET decision_digest = sha256(convert_to(decision::text, 'UTF8'))`);
    await q.query(`
      ALTER TABLE disbursement_lines
        ALTER COLUMN decision_digest SET NOT NULL,
        ADD CONSTRAINT disbursement_lines_decision_fkey FOREIGN KEY (decision_digest) REFERENCES line_decisions (digest),
        DROP COLUMN decision`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursement_lines ADD COLUMN decision jsonb`);
    await q.query(`
      UPDATE disbursement_lines l SET decision = d.decision FROM line_decisions d WHERE d.digest = l.decision_digest`);
    await q.query(`
      ALTER TABLE disbursement_lines
        ALTER COLUMN decision SET NOT NULL,
        DROP COLUMN decision_digest`);
    await q.query(`DROP TABLE line_decisions`);
  }
}
