import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

type Queryable = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

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

/** The first row, or undefined. */
export async function queryOne<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, sql, params))[0];
}
