import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry: persons, households and their members, and every fact that changes over time kept
 * as dated rows (effective_on), so that the state of a household on any past date is a plain SQL
 * question. Facts given at registration without a date hold from '-infinity'. The events table is
 * the append-only log of what clerks recorded; the history tables are never updated either.
 */
export class Registry1764400000000 implements MigrationInterface {
  name = 'Registry1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE persons (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        id_number           text COLLATE "C" NOT NULL CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
        name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        sex                 text NOT NULL CHECK (sex IN ('M', 'F')),
        birth_date          date NOT NULL,
        death_date          date CHECK (death_date >= birth_date),
        college_admitted_on date CHECK (college_admitted_on >= birth_date),
        created_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT persons_id_number_key UNIQUE (id_number)
      )`);

    await q.query(`
      CREATE TABLE households (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        household_no    text COLLATE "C" NOT NULL CHECK (household_no ~ '^[A-Za-z0-9-]{1,32}$'),
        region_code     text COLLATE "C" NOT NULL REFERENCES regions(code),
        address         text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
        quota_waived_on date,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT households_household_no_key UNIQUE (household_no)
      )`);
    await q.query(`CREATE INDEX households_region_idx ON households (region_code, household_no, id)`);

    await q.query(`
      CREATE TABLE household_events (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES households(id),
        type         text NOT NULL CHECK (type IN ('REGISTERED', 'BIRTH', 'DEATH', 'ADOPTION',
                       'DISABILITY_ASSESSED', 'COMPLICATION_ASSESSED', 'CERTIFICATE_ISSUED',
                       'CERTIFICATE_REVOKED', 'VIOLATION_RECORDED', 'QUOTA_WAIVED', 'HUKOU_CHANGE',
                       'MOVE', 'BANK_ACCOUNT_CHANGE', 'COLLEGE_ADMITTED')),
        person_id    uuid REFERENCES persons(id),
        event_date   date NOT NULL,
        data         jsonb NOT NULL DEFAULT '{}',
        recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        recorded_by  uuid REFERENCES users(id)
      )`);
    await q.query(`CREATE INDEX household_events_household_idx ON household_events (household_id, id)`);
    await q.query(
      `CREATE INDEX household_events_person_idx ON household_events (person_id) WHERE person_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE household_members (
        person_id    uuid PRIMARY KEY REFERENCES persons(id),
        household_id uuid NOT NULL REFERENCES households(id),
        relation     text NOT NULL CHECK (relation IN ('HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER')),
        birth_order  smallint CHECK (birth_order BETWEEN 1 AND 20),
        adopted      boolean NOT NULL DEFAULT false,
        adopted_on   date,
        joined_on    date NOT NULL,
        CHECK (relation = 'CHILD' OR (birth_order IS NULL AND NOT adopted)),
        CHECK (adopted OR adopted_on IS NULL)
      )`);
    await q.query(`CREATE INDEX household_members_household_idx ON household_members (household_id)`);
    await q.query(`
      CREATE UNIQUE INDEX household_members_birth_order_key ON household_members (household_id, birth_order)
      WHERE birth_order IS NOT NULL`);

    await q.query(`
      CREATE TABLE household_region_history (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES households(id),
        effective_on date NOT NULL,
        region_code  text COLLATE "C" NOT NULL REFERENCES regions(code),
        address      text NOT NULL,
        event_id     bigint REFERENCES household_events(id)
      )`);
    await q.query(
      `CREATE INDEX household_region_history_idx ON household_region_history (household_id, effective_on, seq)`,
    );

    await q.query(`
      CREATE TABLE person_hukou_history (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person_id    uuid NOT NULL REFERENCES persons(id),
        effective_on date NOT NULL,
        hukou_type   text NOT NULL CHECK (hukou_type IN ('RURAL', 'URBAN')),
        event_id     bigint REFERENCES household_events(id)
      )`);
    await q.query(`CREATE INDEX person_hukou_history_idx ON person_hukou_history (person_id, effective_on, seq)`);

    await q.query(`
      CREATE TABLE person_grade_history (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person_id    uuid NOT NULL REFERENCES persons(id),
        kind         text NOT NULL CHECK (kind IN ('DISABILITY', 'COMPLICATION')),
        effective_on date NOT NULL,
        grade        smallint CHECK (grade BETWEEN 1 AND CASE kind WHEN 'DISABILITY' THEN 4 ELSE 3 END),
        event_id     bigint REFERENCES household_events(id)
      )`);
    await q.query(`CREATE INDEX person_grade_history_idx ON person_grade_history (person_id, kind, effective_on, seq)`);

    await q.query(`
      CREATE TABLE household_certificates (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        household_id     uuid NOT NULL REFERENCES households(id),
        certificate_no   text COLLATE "C" NOT NULL CHECK (length(certificate_no) BETWEEN 1 AND 40),
        issued_on        date NOT NULL,
        revoked_on       date CHECK (revoked_on >= issued_on),
        issue_event_id   bigint REFERENCES household_events(id),
        revoke_event_id  bigint REFERENCES household_events(id),
        CONSTRAINT household_certificates_no_key UNIQUE (certificate_no)
      )`);
    await q.query(
      `CREATE INDEX household_certificates_household_idx ON household_certificates (household_id, issued_on)`,
    );
    await q.query(`
      CREATE UNIQUE INDEX household_certificates_one_active ON household_certificates (household_id)
      WHERE revoked_on IS NULL`);

    await q.query(`
      CREATE TABLE household_violations (
        household_id uuid NOT NULL REFERENCES households(id),
        year         smallint NOT NULL CHECK (year BETWEEN 1949 AND 2200),
        recorded_on  date NOT NULL,
        event_id     bigint REFERENCES household_events(id),
        PRIMARY KEY (household_id, year)
      )`);

    await q.query(`
      CREATE TABLE household_bank_accounts (
        seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        household_id     uuid NOT NULL REFERENCES households(id),
        effective_on     date NOT NULL,
        bank_code        text NOT NULL CHECK (bank_code ~ '^[0-9A-Z]{2,12}$'),
        account_no       text COLLATE "C" NOT NULL CHECK (account_no ~ '^[0-9]{16,19}$'),
        holder_person_id uuid NOT NULL REFERENCES persons(id),
        event_id         bigint REFERENCES household_events(id)
      )`);
    await q.query(
      `CREATE INDEX household_bank_accounts_idx ON household_bank_accounts (household_id, effective_on, seq)`,
    );

    for (const table of [
      'household_events',
      'household_region_history',
      'person_hukou_history',
      'person_grade_history',
      'household_violations',
      'household_bank_accounts',
    ]) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE household_bank_accounts`);
    await q.query(`DROP TABLE household_violations`);
    await q.query(`DROP TABLE household_certificates`);
    await q.query(`DROP TABLE person_grade_history`);
    await q.query(`DROP TABLE person_hukou_history`);
    await q.query(`DROP TABLE household_region_history`);
    await q.query(`DROP TABLE household_members`);
    await q.query(`DROP TABLE household_events`);
    await q.query(`DROP TABLE households`);
    await q.query(`DROP TABLE persons`);
  }
}
