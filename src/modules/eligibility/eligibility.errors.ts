import { UnprocessableError } from '../../common/errors.js';
import type { Reason } from './rule.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const ELIGIBILITY_ERROR_CODES = ['NOT_ELIGIBLE'] as const;
export type EligibilityErrorCode = (typeof ELIGIBILITY_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<EligibilityErrorCode, true> {}
}

export class NotEligibleError extends UnprocessableError {
  constructor(policyCode: string, personId: string | null, asOf: string, failed: Reason[]) {
    super(
      'NOT_ELIGIBLE',
      `${personId ? `Person ${personId}` : 'The household'} is not eligible for ${policyCode} on ${asOf}: ` +
        (failed.map((reason) => reason.condition).join('; ') || 'not a possible beneficiary'),
      { policyCode, personId, asOf, reasons: failed },
    );
  }
}
