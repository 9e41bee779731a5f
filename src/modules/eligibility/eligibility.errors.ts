import { UnprocessableError } from '../../common/errors.js';
import type { Reason } from './rule.js';

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
