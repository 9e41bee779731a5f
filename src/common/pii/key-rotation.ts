import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../modules/audit/audit.service.js';
import { Keyring } from './keyring.js';

/** Every encrypted column, with the key its rows are walked by. */
export const SEALED_COLUMNS = [
  { table: 'persons', key: 'id', keyType: 'uuid', column: 'id_number_enc' },
  { table: 'household_bank_accounts', key: 'seq', keyType: 'bigint', column: 'account_no_enc' },
  { table: 'disbursement_lines', key: 'id', keyType: 'uuid', column: 'account_no_enc' },
  { table: 'disbursement_lines', key: 'id', keyType: 'uuid', column: 'id_number_enc' },
] as const;

type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** The key id inside a stored value (bytes 1-2), in SQL. */
const keyIdOf = (column: string) => `(get_byte(${column}, 1) * 256 + get_byte(${column}, 2))`;

export interface RotationResult {
  keyId: number;
  rewritten: number;
  /** Values still under another key after the last sweep (written meanwhile by a process with old keys). */
  remaining: number;
}

interface RotationRow {
  id: string;
  key_id: number;
  progress: Record<string, string>;
}

const ACTOR = { username: 'cli:keys:rotate' };
/** Progress of a rotation, as a catalogue key and its parameters (the CLI prints it in its language). */
export type RotationLog = (key: 'cli.rotationResumed' | 'cli.columnRotated', params: Record<string, unknown>) => void;

const name = (c: SealedColumn) => `${c.table}.${c.column}`;

/**
 * Re-encrypts every stored ID and account number under the keyring's newest key: in chunks, each
 * its own short transaction that locks only its rows, so the service keeps running; the position
 * is kept in pii_key_rotations, so an interrupted rotation resumes where it stopped. A final sweep
 * catches values another process wrote meanwhile under an older key. Audited at start and end.
 */
export async function rotateKeys(
  db: DataSource,
  keyring: Keyring,
  options: { chunk?: number; log?: RotationLog } = {},
): Promise<RotationResult> {
  const chunk = options.chunk ?? 1000;
  const log = options.log ?? (() => undefined);
  const audit = new AuditService();
  const keyId = keyring.currentKeyId;
  const rotation = await db.transaction(async (manager) => {
    const [open] = (await manager.query(
      `SELECT id::text, key_id, progress FROM pii_key_rotations WHERE finished_at IS NULL FOR UPDATE`,
    )) as RotationRow[];
    if (open && open.key_id === keyId) {
      log('cli.rotationResumed', { id: open.id, keyId });
      return open;
    }
    if (open) await manager.query(`UPDATE pii_key_rotations SET finished_at = now() WHERE id = $1`, [open.id]);
    const [created] = (await manager.query(
      `INSERT INTO pii_key_rotations (key_id) VALUES ($1) RETURNING id::text, key_id, progress`,
      [keyId],
    )) as RotationRow[];
    await audit.record(manager, {
      action: 'pii.key_rotation_started',
      entityType: 'pii_key_rotation',
      entityId: created.id,
      after: { keyId },
      actor: ACTOR,
    });
    return created;
  });

  let rewritten = 0;
  let remaining = 0;
  for (let sweep = 0; sweep < 3; sweep++) {
    for (const column of SEALED_COLUMNS) {
      rewritten += await rotateColumn(db, keyring, rotation, column, chunk, log);
    }
    remaining = await countOlder(db, keyId);
    if (remaining === 0) break;
    // Start the walk over for what was written behind it.
    rotation.progress = {};
    await db.query(`UPDATE pii_key_rotations SET progress = '{}' WHERE id = $1`, [rotation.id]);
  }
  await db.transaction(async (manager: EntityManager) => {
    await manager.query(`UPDATE pii_key_rotations SET finished_at = now() WHERE id = $1`, [rotation.id]);
    await audit.record(manager, {
      action: 'pii.key_rotation_finished',
      entityType: 'pii_key_rotation',
      entityId: rotation.id,
      after: { keyId, rewritten, remaining },
      actor: ACTOR,
    });
  });
  return { keyId, rewritten, remaining };
}

async function rotateColumn(
  db: DataSource,
  keyring: Keyring,
  rotation: RotationRow,
  c: SealedColumn,
  chunk: number,
  log: RotationLog,
): Promise<number> {
  let after: string | null = rotation.progress[name(c)] ?? null;
  let rewritten = 0;
  for (;;) {
    const done = await db.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT ${c.key}::text AS key, ${c.column} AS value FROM ${c.table}
          WHERE ${c.key} IN (SELECT ${c.key} FROM ${c.table}
                              WHERE $1::${c.keyType} IS NULL OR ${c.key} > $1::${c.keyType}
                              ORDER BY ${c.key} LIMIT ${chunk})
          ORDER BY ${c.key} FOR UPDATE`,
        [after],
      )) as { key: string; value: Buffer }[];
      if (rows.length === 0) return true;
      const stale = rows.filter((row) => Keyring.keyIdOf(row.value) !== rotation.key_id);
      if (stale.length > 0) {
        await manager.query(
          `UPDATE ${c.table} t SET ${c.column} = u.value
             FROM unnest($1::${c.keyType}[], $2::bytea[]) AS u(key, value) WHERE t.${c.key} = u.key`,
          [stale.map((row) => row.key), stale.map((row) => keyring.encrypt(keyring.decrypt(row.value)))],
        );
      }
      after = rows[rows.length - 1].key;
      rewritten += stale.length;
      await manager.query(
        `UPDATE pii_key_rotations SET progress = progress || jsonb_build_object($2::text, $3::text),
                rows_done = rows_done + $4 WHERE id = $1`,
        [rotation.id, name(c), after, stale.length],
      );
      return rows.length < chunk;
    });
    if (done) break;
  }
  if (after !== null) rotation.progress[name(c)] = after;
  log('cli.columnRotated', { column: name(c), rewritten });
  return rewritten;
}

async function countOlder(db: DataSource, keyId: number): Promise<number> {
  let count = 0;
  for (const c of SEALED_COLUMNS) {
    const [row] = (await db.query(`SELECT count(*)::int AS n FROM ${c.table} WHERE ${keyIdOf(c.column)} <> $1`, [
      keyId,
    ])) as { n: number }[];
    count += row.n;
  }
  return count;
}
