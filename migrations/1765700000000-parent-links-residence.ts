import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC.md revision 2, Registry (issue 14):
 * - parent links: each person may name their own mother and father (`persons.mother_id`,
 *   `father_id`). Every rule's "parents" and "children" come from these links, so the links of
 *   the households already registered are derived here from today's relations, exactly as the
 *   engine read them until now: a CHILD member's mother is the woman among the household's HEAD and
 *   SPOUSE, its father the man (the first by relation when there are two). Nothing registered
 *   changes meaning.
 * - residence: `person_residence_history`, append-only, whether a person held the city's hukou from
 *   a date (MOVE_IN with where from, MOVE_OUT). A person with no row holds it from birth.
 * - the new life events: MOVE_IN, MOVE_OUT, MEMBER_JOINED, MEMBER_LEFT, CORRECTION.
 * - enrollments.applied_on: the day the family applied (SPEC.md time rules: nothing is owed for a
 *   period before the fiscal year in which the enrollment was applied for); existing enrollments
 *   take the day they were submitted (or opened), China time.
 * - one account number, one holder city-wide: an exclusion constraint on the accounts' history
 *   (the same number with another holder is refused by the database, whichever household).
 */
export class ParentLinksResidence1765700000000 implements MigrationInterface {
  name = 'ParentLinksResidence1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE persons
        ADD COLUMN mother_id uuid REFERENCES persons(id),
        ADD COLUMN father_id uuid REFERENCES persons(id),
        ADD CONSTRAINT persons_parents_check CHECK (mother_id <> id AND father_id <> id AND mother_id <> father_id)`);
    await q.query(`CREATE INDEX persons_mother_idx ON persons (mother_id) WHERE mother_id IS NOT NULL`);
    await q.query(`CREATE INDEX persons_father_idx ON persons (father_id) WHERE father_id IS NOT NULL`);
    await q.query(`
      UPDATE persons p
         SET mother_id = (SELECT m.person_id FROM household_members m JOIN persons q ON q.id = m.person_id
                           WHERE m.household_id = c.household_id AND m.relation IN ('HEAD', 'SPOUSE') AND q.sex = 'F'
                           ORDER BY m.relation = 'SPOUSE', m.person_id LIMIT 1),
             father_id = (SELECT m.person_id FROM household_members m JOIN persons q ON q.id = m.person_id
                           WHERE m.household_id = c.household_id AND m.relation IN ('HEAD', 'SPOUSE') AND q.sex = 'M'
                           ORDER BY m.relation = 'SPOUSE', m.person_id LIMIT 1)
        FROM household_members c
       WHERE c.person_id = p.id AND c.relation = 'CHILD'`);

    await q.query(`ALTER TABLE household_events DROP CONSTRAINT household_events_type_check`);
    await q.query(`
      ALTER TABLE household_events ADD CONSTRAINT household_events_type_check CHECK (type IN ('REGISTERED', 'BIRTH',
        'DEATH', 'ADOPTION', 'DISABILITY_ASSESSED', 'COMPLICATION_ASSESSED', 'CERTIFICATE_ISSUED',
        'CERTIFICATE_REVOKED', 'VIOLATION_RECORDED', 'QUOTA_WAIVED', 'HUKOU_CHANGE', 'MOVE', 'BANK_ACCOUNT_CHANGE',
        'COLLEGE_ADMITTED', 'MOVE_IN', 'MOVE_OUT', 'MEMBER_JOINED', 'MEMBER_LEFT', 'CORRECTION'))`);

    await q.query(`
      CREATE TABLE person_residence_history (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person_id    uuid NOT NULL REFERENCES persons(id),
        effective_on date NOT NULL,
        resident     boolean NOT NULL,
        from_place   text CHECK (length(from_place) BETWEEN 1 AND 100),
        event_id     bigint REFERENCES household_events(id)
      )`);
    await q.query(
      `CREATE INDEX person_residence_history_idx ON person_residence_history (person_id, effective_on, seq)`,
    );
    await q.query(`
      CREATE TRIGGER person_residence_history_append_only BEFORE UPDATE OR DELETE ON person_residence_history
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER person_residence_history_no_truncate BEFORE TRUNCATE ON person_residence_history
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);

    await q.query(`
      ALTER TABLE enrollments ADD COLUMN applied_on date NOT NULL
        DEFAULT ((now() AT TIME ZONE 'Asia/Shanghai')::date)`);
    await q.query(
      `UPDATE enrollments SET applied_on = (coalesce(submitted_at, created_at) AT TIME ZONE 'Asia/Shanghai')::date`,
    );

    await q.query(`
      ALTER TABLE household_bank_accounts ADD CONSTRAINT household_bank_accounts_one_holder
        EXCLUDE USING gist (account_no WITH =, holder_person_id WITH <>)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE household_bank_accounts DROP CONSTRAINT household_bank_accounts_one_holder`);
    await q.query(`ALTER TABLE enrollments DROP COLUMN applied_on`);
    await q.query(`DROP TABLE person_residence_history`);
    await q.query(`ALTER TABLE household_events DROP CONSTRAINT household_events_type_check`);
    await q.query(`
      ALTER TABLE household_events ADD CONSTRAINT household_events_type_check CHECK (type IN ('REGISTERED', 'BIRTH',
        'DEATH', 'ADOPTION', 'DISABILITY_ASSESSED', 'COMPLICATION_ASSESSED', 'CERTIFICATE_ISSUED',
        'CERTIFICATE_REVOKED', 'VIOLATION_RECORDED', 'QUOTA_WAIVED', 'HUKOU_CHANGE', 'MOVE', 'BANK_ACCOUNT_CHANGE',
        'COLLEGE_ADMITTED'))`);
    await q.query(`ALTER TABLE persons DROP CONSTRAINT persons_parents_check`);
    await q.query(`ALTER TABLE persons DROP COLUMN father_id, DROP COLUMN mother_id`);
  }
}
