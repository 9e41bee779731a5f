import { DataSource, QueryFailedError, type EntityManager, type QueryRunner } from 'typeorm';

type Queryable = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/** The part of node-postgres' pool that a prepared statement needs. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** How many statements a process prepares at most (a guard against SQL built with values in it). */
export const MAX_PREPARED_STATEMENTS = 200;

const prepared = new Map<string, string>();

/** The name `sql` is prepared under, or undefined once the process has prepared its maximum. */
function preparedName(sql: string): string | undefined {
  let name = prepared.get(sql);
  if (name === undefined && prepared.size < MAX_PREPARED_STATEMENTS) {
    name = `yk_${prepared.size + 1}`;
    prepared.set(sql, name);
  }
  return name;
}

function poolOf(db: Queryable): PgPool | undefined {
  if (!(db instanceof DataSource) || db.options.type !== 'postgres' || db.options.logging) return undefined;
  return (db.driver as unknown as { master?: PgPool }).master;
}

/**
 * Runs SQL and returns its rows, whatever the statement. (TypeORM's postgres driver answers
 * UPDATE/DELETE ... RETURNING with `[rows, affectedCount]` but SELECT and INSERT with `rows`.)
 */
export async function queryRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/**
 * `queryRows` for a statement that runs again and again outside a transaction (the guard's user
 * lookup, the eligibility GET's snapshot): prepared on each pooled connection it meets, PostgreSQL
 * parses and plans it once per connection instead of on every call (for the snapshot's LATERAL
 * joins, planning took several times longer than running). Only for statements whose best plan
 * does not depend on the parameters' values (a key, ids and a date): after five runs PostgreSQL
 * may keep one generic plan, which for a search by prefix or region pattern is a scan (the bench's
 * search fell from 63 to 25 requests/s when every repeated statement was prepared). In a
 * transaction, or with query logging on, it is `queryRows`. Same rows, same `QueryFailedError`.
 */
export async function queryPrepared<T>(db: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  const pool = poolOf(db);
  const name = pool && preparedName(sql);
  if (!pool || name === undefined) return queryRows<T>(db, sql, params);
  try {
    return (await pool.query({ name, text: sql, values: params })).rows as T[];
  } catch (error) {
    throw new QueryFailedError(sql, params, error as Error);
  }
}

/** The first row, or undefined. */
export async function queryOne<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, sql, params))[0];
}
