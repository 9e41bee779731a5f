import { CONFLICT_SQLSTATES, UNAVAILABLE_SQLSTATES } from '../../database/sqlstate.js';

/**
 * Which failures are worth another attempt: the database or the queue went away for a moment (a
 * restart, a dropped connection, a deadlock or serialization conflict), as opposed to a domain
 * refusal or a bug, which would fail again the same way. Pure, so it is tested without a server.
 */
const TRANSIENT_SQLSTATES = new Set([...CONFLICT_SQLSTATES, ...UNAVAILABLE_SQLSTATES]);

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection is closed/i,
  /terminating connection/i,
  /encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /job stalled more than allowable limit/i,
  /missing key for job/i,
  /did not answer within/i,
  // TypeORM releases a transaction's query runner when its connection dies; the next statement says so.
  /query runner already released/i,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function isTransient(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as ErrorLike;
  if (typeof e.code === 'string' && (TRANSIENT_SQLSTATES.has(e.code) || TRANSIENT_SYSTEM_CODES.has(e.code))) {
    return true;
  }
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(e.message as string))) {
    return true;
  }
  // TypeORM wraps the driver's error; AggregateError (a failed connect to every address) lists them.
  if (e.driverError && isTransient(e.driverError, depth + 1)) return true;
  if (e.cause && isTransient(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => isTransient(inner, depth + 1));
}

/** The delay before attempt `attempt + 1`: 1 s, 2 s, 4 s ... capped at a minute. */
export function backoffMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
