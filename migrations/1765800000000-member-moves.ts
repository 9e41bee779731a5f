import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Life events, revision 2 (SPEC.md "Life events"):
 * - A person registered in one household may join another (MEMBER_JOINED): they leave the first on
 *   the date and join the second. A person may so hold several memberships over time, one per
 *   household, and at most one not left: the key becomes (household, person) and a partial unique
 *   index keeps one current membership per person (one person per ID city-wide still holds in
 *   `persons`).
 * - A CORRECTION may withdraw a VIOLATION_RECORDED: its row may be deleted, and only when a
 *   recorded CORRECTION withdraws the event that wrote it; the table stays append-only otherwise.
 */
export class MemberMoves1765800000000 implements MigrationInterface {
  name = 'MemberMoves1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE household_members DROP CONSTRAINT household_members_pkey`);
    await q.query(`ALTER TABLE household_members ADD PRIMARY KEY (household_id, person_id)`);
    await q.query(`CREATE INDEX household_members_person_idx ON household_members (person_id)`);
    await q.query(
      `CREATE UNIQUE INDEX household_members_one_current ON household_members (person_id) WHERE left_on IS NULL`,
    );

    await q.query(`
      CREATE FUNCTION forbid_violation_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.event_id IS NOT NULL AND EXISTS (
             SELECT 1 FROM household_events c
              WHERE c.household_id = OLD.household_id AND c.type = 'CORRECTION'
                AND c.data->>'withdrawsEventId' = OLD.event_id::text) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER household_violations_append_only ON household_violations`);
    await q.query(`
      CREATE TRIGGER household_violations_append_only BEFORE UPDATE OR DELETE ON household_violations
      FOR EACH ROW EXECUTE FUNCTION forbid_violation_mutation()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER household_violations_append_only ON household_violations`);
    await q.query(`
      CREATE TRIGGER household_violations_append_only BEFORE UPDATE OR DELETE ON household_violations
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`DROP FUNCTION forbid_violation_mutation()`);
    await q.query(`DROP INDEX household_members_one_current`);
    await q.query(`DROP INDEX household_members_person_idx`);
    await q.query(`ALTER TABLE household_members DROP CONSTRAINT household_members_pkey`);
    await q.query(`ALTER TABLE household_members ADD PRIMARY KEY (person_id)`);
  }
}
