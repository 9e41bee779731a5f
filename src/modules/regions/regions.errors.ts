/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const REGIONS_ERROR_CODES = ['REGION_EXISTS'] as const;
export type RegionsErrorCode = (typeof REGIONS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<RegionsErrorCode, true> {}
}
