/**
 * PostgreSQL failures that say nothing about the request itself: two transactions collided (one
 * was rolled back, so retrying it succeeds) or the server is away for a moment. Pure, so the HTTP
 * filter, the jobs' retry rule and the services' own retries agree without a server.
 */
export const CONFLICT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
]);

export const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '53300', // too_many_connections
  '57P01', // admin_shutdown (the server is restarting)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '08000', // connection_exception and its subclasses
  '08001',
  '08003',
  '08004',
  '08006',
  '08P01',
]);

interface Wrapped {
  code?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** The SQLSTATE of a driver error, also when TypeORM or a cause chain wraps it. */
export function sqlStateOf(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const e = error as Wrapped;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return sqlStateOf(e.driverError, depth + 1) ?? sqlStateOf(e.cause, depth + 1);
}

/** A deadlock, serialization failure or lock timeout: the transaction was rolled back whole. */
export const isConcurrencyConflict = (error: unknown): boolean => CONFLICT_SQLSTATES.has(sqlStateOf(error) ?? '');

/**
 * Runs `work` (one whole transaction) again when PostgreSQL rolled it back for colliding with
 * another (a deadlock between two requests that lock the same rows in opposite order). The work
 * must be a function of its input only: nothing it did survived the rollback.
 */
export async function retryConflicts<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConcurrencyConflict(error)) throw error;
      // A short random pause so that the two colliding transactions do not meet again.
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40 * attempt)));
    }
  }
}
