import type { EnrollmentReasonCode } from '../../common/i18n/stored-reason.js';
import type { EnrollmentStatus } from './enrollment-state.js';

export interface Outcome {
  status: Extract<EnrollmentStatus, 'SUSPENDED' | 'TERMINATED'>;
  /** Worded in the reader's language when answered (`enrollmentReasonText`). */
  reason: { code: EnrollmentReasonCode; params: { conditions: string[] } };
}

export interface OutcomeInput {
  policyCode: string;
  /** The life event that triggered the re-decision, if any. */
  eventType?: string;
  /** The beneficiary (or, for a household benefit, every parent) died on or before the date. */
  beneficiaryDied: boolean;
  /** The household now lives outside the city. */
  movedOutOfCity: boolean;
  /** The only child reached 18 on or before the date. */
  onlyChildAdult: boolean;
  /** The conditions that failed, for the record. */
  failedConditions: string[];
}

/**
 * What happens to an enrollment that is no longer eligible (SPEC.md, "Enrollment"): death, a move
 * out of the city and the only child coming of age end it for good; anything else (a second child,
 * a revoked certificate, a grade lifted, a hukou change) suspends it for the county to review.
 */
export function outcomeWhenIneligible(input: OutcomeInput): Outcome {
  const params = { conditions: input.failedConditions };
  const end = (status: Outcome['status'], code: EnrollmentReasonCode): Outcome => ({
    status,
    reason: { code, params },
  });
  if (input.beneficiaryDied) return end('TERMINATED', 'BENEFICIARY_DIED');
  if (input.movedOutOfCity) return end('TERMINATED', 'MOVED_OUT');
  if (input.onlyChildAdult && input.policyCode === 'OCP_REWARD') return end('TERMINATED', 'ONLY_CHILD_ADULT');
  if (input.eventType === 'BIRTH' || input.eventType === 'ADOPTION') return end('SUSPENDED', 'SECOND_CHILD');
  return end('SUSPENDED', 'NO_LONGER_ELIGIBLE');
}
