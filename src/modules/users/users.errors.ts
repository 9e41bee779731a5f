/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const USERS_ERROR_CODES = ['USERNAME_TAKEN', 'WRONG_PASSWORD'] as const;
export type UsersErrorCode = (typeof USERS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<UsersErrorCode, true> {}
}
