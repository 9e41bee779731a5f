import type { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';

interface PgPool extends EventEmitter {
  _clients?: EventEmitter[];
}

const GUARDED = Symbol('yikatong:connection-error-guard');

/**
 * When PostgreSQL drops a connection (a restart, pg_terminate_backend), node-postgres can emit
 * 'error' on a client more than once; TypeORM stops listening after the first, and an 'error' event
 * with no listener ends the process. Every client of the pool keeps one listener of ours for its
 * whole life, so a lost connection is a failed query (which the jobs retry), never a crash.
 */
export function guardConnectionErrors(dataSource: DataSource, warn: (error: unknown) => void): DataSource {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool) return dataSource;
  const guard = (client: EventEmitter) => {
    const marked = client as EventEmitter & { [GUARDED]?: true };
    if (marked[GUARDED]) return;
    marked[GUARDED] = true;
    client.on('error', warn);
  };
  pool.on('connect', guard);
  for (const client of pool._clients ?? []) guard(client);
  return dataSource;
}
