const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is a UUID in its 8-4-4-4-12 hex form (any version). Route parameters are checked by
 * Nest's `ParseUUIDPipe`; this is for ids that arrive otherwise (cursors, tokens, bodies read by
 * services), so that a malformed one is refused before PostgreSQL's `uuid` cast would fail on it.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
