import type { MigrationInterface, QueryRunner } from 'typeorm';
import { pii } from '../src/common/pii/keyring.js';
import { redactPii } from '../src/common/pii/redact.js';

const CHUNK = 2000;

/**
 * Encryption at rest of resident ID numbers and one-card account numbers (issue 22). The migration
 * is code, so it can read the key (src/common/pii/keyring.ts, from the settings): it adds the
 * encrypted columns and their blind indexes, encrypts every existing row in chunks, masks the
 * numbers in recorded event payloads and job results, and drops the plaintext columns, so nothing is
 * left in plaintext after `npm start` on an existing database. The key is loaded only when there
 * are rows to encrypt. The uniqueness rules move to the blind index (one person per ID city-wide;
 * one holder per account).
 *
 * household_bank_accounts stays append-only except for re-encryption: an UPDATE that changes
 * nothing but `account_no_enc` (keys:rotate) is let through.
 *
 * audit_events are hash-chained (audit_blocks), so the payloads recorded before this migration are
 * left as they were; new ones are masked (AuditService).
 */
export class PiiEncryption1765930000000 implements MigrationInterface {
  name = 'PiiEncryption1765930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persons ADD COLUMN id_number_enc bytea, ADD COLUMN id_number_bidx bytea`);
    await q.query(
      `ALTER TABLE household_bank_accounts ADD COLUMN account_no_enc bytea, ADD COLUMN account_no_bidx bytea`,
    );
    await q.query(`ALTER TABLE disbursement_lines ADD COLUMN account_no_enc bytea, ADD COLUMN id_number_enc bytea`);

    await q.query(`
      CREATE FUNCTION forbid_mutation_except_rekey() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0]) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER household_bank_accounts_append_only ON household_bank_accounts`);

    await encrypt(q, 'persons', 'id', 'uuid', `id_number`, (row) => ({
      id_number_enc: pii().encrypt(row.id_number),
      id_number_bidx: pii().blindIndex('id', row.id_number),
    }));
    await encrypt(q, 'household_bank_accounts', 'seq', 'bigint', `account_no`, (row) => ({
      account_no_enc: pii().encrypt(row.account_no),
      account_no_bidx: pii().blindIndex('account', row.account_no),
    }));
    await encrypt(q, 'disbursement_lines', 'id', 'uuid', `account_no, id_number`, (row) => ({
      account_no_enc: pii().encrypt(row.account_no),
      id_number_enc: pii().encrypt(row.id_number),
    }));
    await maskJson(q, 'household_events', 'id', 'bigint', 'data');
    await maskJson(q, 'jobs', 'id', 'uuid', 'result');

    await q.query(`ALTER TABLE persons DROP COLUMN id_number`);
    await q.query(
      `ALTER TABLE persons ALTER COLUMN id_number_enc SET NOT NULL, ALTER COLUMN id_number_bidx SET NOT NULL`,
    );
    await q.query(`ALTER TABLE persons ADD CONSTRAINT persons_id_number_bidx_key UNIQUE (id_number_bidx)`);

    await q.query(`ALTER TABLE household_bank_accounts DROP CONSTRAINT household_bank_accounts_one_holder`);
    await q.query(`ALTER TABLE household_bank_accounts DROP COLUMN account_no`);
    await q.query(`ALTER TABLE household_bank_accounts
      ALTER COLUMN account_no_enc SET NOT NULL, ALTER COLUMN account_no_bidx SET NOT NULL`);
    await q.query(`
      ALTER TABLE household_bank_accounts ADD CONSTRAINT household_bank_accounts_one_holder
        EXCLUDE USING gist (account_no_bidx WITH =, holder_person_id WITH <>)`);
    await q.query(`
      CREATE TRIGGER household_bank_accounts_append_only BEFORE UPDATE OR DELETE ON household_bank_accounts
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation_except_rekey('account_no_enc')`);

    await q.query(`ALTER TABLE disbursement_lines DROP COLUMN account_no, DROP COLUMN id_number`);
    await q.query(`ALTER TABLE disbursement_lines
      ALTER COLUMN account_no_enc SET NOT NULL, ALTER COLUMN id_number_enc SET NOT NULL`);

    // keys:rotate's progress, so that an interrupted rotation resumes where it stopped.
    await q.query(`
      CREATE TABLE pii_key_rotations (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key_id       integer NOT NULL,
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        progress     jsonb NOT NULL DEFAULT '{}',
        rows_done    bigint NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE UNIQUE INDEX pii_key_rotations_one_open ON pii_key_rotations ((true)) WHERE finished_at IS NULL`,
    );
  }

  async down(): Promise<void> {
    // Going back would write the numbers out in plaintext again: decrypt with `keys:export` instead.
    throw new Error('PiiEncryption1765930000000 cannot be reverted: it would put ID numbers back in plaintext');
  }
}

type Row = Record<string, string>;

/** Encrypts a table's plaintext columns in chunks (keyset on `key`). */
async function encrypt(
  q: QueryRunner,
  table: string,
  key: string,
  keyType: string,
  plainColumns: string,
  seal: (row: Row) => Record<string, Buffer>,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const rows: Row[] = await q.query(
      `SELECT ${key}::text AS key, ${plainColumns} FROM ${table}
        WHERE ($1::${keyType} IS NULL OR ${key} > $1::${keyType}) ORDER BY ${key} LIMIT ${CHUNK}`,
      [after],
    );
    if (rows.length === 0) return;
    const sealed = rows.map(seal);
    const columns = Object.keys(sealed[0]);
    await q.query(
      `UPDATE ${table} t SET ${columns.map((column) => `${column} = u.${column}`).join(', ')}
         FROM unnest($1::${keyType}[], ${columns.map((_, i) => `$${i + 2}::bytea[]`).join(', ')})
           AS u(key, ${columns.join(', ')})
        WHERE t.${key} = u.key`,
      [rows.map((row) => row.key), ...columns.map((column) => sealed.map((values) => values[column]))],
    );
    after = rows[rows.length - 1].key;
  }
}

/** Masks ID and account numbers inside a jsonb column, where any digits-looking text is found. */
async function maskJson(q: QueryRunner, table: string, key: string, keyType: string, column: string) {
  const trigger = table === 'household_events' ? 'household_events_append_only' : null;
  if (trigger) await q.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  let after: string | null = null;
  for (;;) {
    const rows: { key: string; value: unknown }[] = await q.query(
      `SELECT ${key}::text AS key, ${column} AS value FROM ${table}
        WHERE ($1::${keyType} IS NULL OR ${key} > $1::${keyType}) AND ${column}::text ~ '[0-9]{16}'
        ORDER BY ${key} LIMIT ${CHUNK}`,
      [after],
    );
    if (rows.length === 0) break;
    await q.query(
      `UPDATE ${table} t SET ${column} = u.value FROM unnest($1::${keyType}[], $2::jsonb[]) AS u(key, value)
        WHERE t.${key} = u.key`,
      [rows.map((row) => row.key), rows.map((row) => JSON.stringify(redactPii(row.value)))],
    );
    after = rows[rows.length - 1].key;
  }
  if (trigger) await q.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
}
