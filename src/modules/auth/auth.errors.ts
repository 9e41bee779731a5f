/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const AUTH_ERROR_CODES = ['TOO_MANY_LOGIN_ATTEMPTS'] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<AuthErrorCode, true> {}
}
