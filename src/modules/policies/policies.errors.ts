import { ConflictError } from '../../common/errors.js';

/** A version that a payment (or an entitlement) rests on is never changed again. */
export class VersionInUseError extends ConflictError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('VERSION_IN_USE', message, extra);
  }
}

/** SQLSTATE raised by the `policy_versions_guard` trigger. */
export const VERSION_IN_USE_SQLSTATE = 'YK409';

export function isVersionInUseViolation(error: unknown): boolean {
  return (
    (error as { driverError?: { code?: string }; code?: string })?.driverError?.code === VERSION_IN_USE_SQLSTATE ||
    (error as { code?: string })?.code === VERSION_IN_USE_SQLSTATE
  );
}
