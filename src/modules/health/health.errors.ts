/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const HEALTH_ERROR_CODES = ['DATABASE_UNAVAILABLE'] as const;
export type HealthErrorCode = (typeof HEALTH_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<HealthErrorCode, true> {}
}
