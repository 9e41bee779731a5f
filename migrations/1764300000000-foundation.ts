import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectRoot } from '../src/common/project-root.js';

/**
 * Regions (seeded from the shipped GB/T 2260 copy), users, the append-only audit trail and the
 * job table that both job runners report into.
 */
export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE regions (
        code        text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        parent_code text COLLATE "C" REFERENCES regions(code),
        level       text NOT NULL CHECK (level IN ('PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE')),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX regions_parent_idx ON regions (parent_code, code)`);

    const csv = readFileSync(join(projectRoot(), 'data', 'zhengzhou-regions.csv'), 'utf8');
    const rows = csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(','));
    await q.query(`INSERT INTO regions (code, name, parent_code, level) VALUES ('410000', '河南省', NULL, 'PROVINCE')`);
    await q.query(
      `INSERT INTO regions (code, name, parent_code, level)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );

    await q.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username      text NOT NULL CHECK (username ~ '^[A-Za-z0-9._-]{3,64}$'),
        password_hash text NOT NULL,
        role          text NOT NULL CHECK (role IN ('CLERK', 'OFFICER', 'FINANCE', 'AUDITOR', 'ADMIN')),
        region_code   text COLLATE "C" NOT NULL REFERENCES regions(code),
        disabled      boolean NOT NULL DEFAULT false,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);

    await q.query(`
      CREATE TABLE audit_events (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id       uuid,
        actor_username text,
        actor_role     text,
        action         text NOT NULL,
        entity_type    text NOT NULL,
        entity_id      text,
        region_code    text COLLATE "C",
        before         jsonb,
        after          jsonb,
        request_id     text,
        address        text
      )`);
    await q.query(`CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id)`);
    await q.query(`CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at)`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);

    await q.query(`
      CREATE TABLE jobs (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text NOT NULL,
        dedupe_key   text UNIQUE,
        state        text NOT NULL DEFAULT 'waiting'
                     CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
        progress     smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        data         jsonb NOT NULL DEFAULT '{}',
        result       jsonb,
        error        jsonb,
        attempts     integer NOT NULL DEFAULT 0,
        region_code  text COLLATE "C",
        created_by   uuid REFERENCES users(id),
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        finished_at  timestamptz,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX jobs_unfinished_idx ON jobs (created_at) WHERE state IN ('waiting', 'active')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE regions`);
    await q.query(`DROP FUNCTION forbid_mutation()`);
  }
}
