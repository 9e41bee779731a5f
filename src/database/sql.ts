import { DataSource, QueryFailedError, type EntityManager, type QueryRunner } from 'typeorm';

type Queryable = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/** The part of node-postgres' pool that a prepared statement needs. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Uses after which a statement is prepared, and how many statements a process prepares at most. */
export const PREPARE_AFTER_USES = 10;
export const MAX_PREPARED_STATEMENTS = 200;
const MAX_TRACKED_STATEMENTS = 2_000;

const uses = new Map<string, number>();
const prepared = new Map<string, string>();

/**
 * The name under which `sql` is prepared, once it has run PREPARE_AFTER_USES times: statements
 * with parameters only (one command each), and at most MAX_PREPARED_STATEMENTS of them, so SQL
 * built with values in its text can never fill the connections with statements.
 */
function preparedName(sql: string, params: unknown[]): string | undefined {
  const name = prepared.get(sql);
  if (name !== undefined || params.length === 0 || prepared.size >= MAX_PREPARED_STATEMENTS) return name;
  const count = (uses.get(sql) ?? 0) + 1;
  if (count < PREPARE_AFTER_USES) {
    if (uses.size >= MAX_TRACKED_STATEMENTS) uses.clear();
    uses.set(sql, count);
    return undefined;
  }
  uses.delete(sql);
  const fresh = `yk_${prepared.size + 1}`;
  prepared.set(sql, fresh);
  return fresh;
}

function poolOf(db: Queryable): PgPool | undefined {
  if (!(db instanceof DataSource) || db.options.type !== 'postgres' || db.options.logging) return undefined;
  return (db.driver as unknown as { master?: PgPool }).master;
}

/**
 * Runs SQL and returns its rows, whatever the statement. (TypeORM's postgres driver answers
 * UPDATE/DELETE ... RETURNING with `[rows, affectedCount]` but SELECT and INSERT with `rows`.)
 *
 * A statement that runs again and again outside a transaction (the eligibility GET's snapshot
 * reads, the guard's user lookup) is prepared on each pooled connection it meets: PostgreSQL then
 * parses and plans it once per connection instead of on every call, which for the snapshot's
 * LATERAL joins took several times longer than running them. The answer and the errors
 * (`QueryFailedError`) are the same either way.
 */
export async function queryRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const pool = poolOf(db);
  const name = pool && preparedName(sql, params);
  if (pool && name !== undefined) {
    try {
      return (await pool.query({ name, text: sql, values: params })).rows as T[];
    } catch (error) {
      throw new QueryFailedError(sql, params, error as Error);
    }
  }
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** The first row, or undefined. */
export async function queryOne<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, sql, params))[0];
}
