import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A backup: the pg_dump file (custom format), its SHA-256, and the chains' heads at that moment. */
export interface BackupResult {
  file: string;
  sha256: string;
  headsFile: string;
}

export class BackupError extends Error {}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** pg_dump and pg_restore must be at least the server's major version; say so plainly if not. */
async function checkClientVersion(tool: 'pg_dump' | 'pg_restore', url: string): Promise<void> {
  let output: string;
  try {
    output = (await run(tool, ['--version'])).stdout;
  } catch {
    throw new BackupError(`${tool} is not installed (Debian: apt-get install postgresql-client)`);
  }
  const client = Number(/(\d+)(?:\.\d+)?/.exec(output)?.[1] ?? 0);
  const server = await withClient(url, async (c) =>
    Math.floor(Number((await c.query<{ v: string }>(`SHOW server_version_num`)).rows[0].v) / 10000),
  );
  if (client < server) {
    throw new BackupError(
      `${tool} ${client} cannot read a PostgreSQL ${server} server; install the PostgreSQL ${server} client ` +
        `(the embedded server of \`npm start\` is ${server}: stop the service and copy DATA_DIR instead)`,
    );
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * `pg_dump --format=custom` of the whole database into `dir`, with `<name>.sha256` and the chains'
 * heads (`<name>.heads.json`) beside it, so that a restored copy can be checked against both.
 */
export async function backupDatabase(url: string, dir: string, heads: object): Promise<BackupResult> {
  await checkClientVersion('pg_dump', url);
  await mkdir(dir, { recursive: true });
  const name = `yikatong-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const file = join(dir, `${name}.dump`);
  await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${url}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const sha256 = await sha256Of(file);
  await writeFile(join(dir, `${name}.sha256`), `${sha256}  ${name}.dump\n`);
  const headsFile = join(dir, `${name}.heads.json`);
  await writeFile(headsFile, `${JSON.stringify(heads, null, 2)}\n`);
  return { file, sha256, headsFile };
}

/**
 * Restores a backup into an empty database (it refuses one that has tables: a restore never
 * overwrites data), in one transaction: all of it or nothing.
 */
export async function restoreDatabase(url: string, file: string): Promise<void> {
  await checkClientVersion('pg_restore', url);
  const tables = await withClient(url, async (c) =>
    Number(
      (
        await c.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
        )
      ).rows[0].n,
    ),
  );
  if (tables > 0) throw new BackupError(`the target database has ${tables} tables; restore into an empty database`);
  await run(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${url}`, file],
    { maxBuffer: 16 * 1024 * 1024 },
  );
}
