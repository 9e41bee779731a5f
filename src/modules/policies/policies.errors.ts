import { ConflictError } from '../../common/errors.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const POLICIES_ERROR_CODES = ['VERSION_IN_USE'] as const;
export type PoliciesErrorCode = (typeof POLICIES_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<PoliciesErrorCode, true> {}
}

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
