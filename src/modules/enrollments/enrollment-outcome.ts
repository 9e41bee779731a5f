import type { EnrollmentStatus } from './enrollment-state.js';

export interface Outcome {
  status: Extract<EnrollmentStatus, 'SUSPENDED' | 'TERMINATED'>;
  reason: string;
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
  const detail = input.failedConditions.length > 0 ? ` (${input.failedConditions.join('; ')})` : '';
  if (input.beneficiaryDied) return { status: 'TERMINATED', reason: `death of the beneficiary${detail}` };
  if (input.movedOutOfCity) return { status: 'TERMINATED', reason: `the household moved out of the city${detail}` };
  if (input.onlyChildAdult && input.policyCode === 'OCP_REWARD') {
    return { status: 'TERMINATED', reason: `the only child reached 18${detail}` };
  }
  if (input.eventType === 'BIRTH' || input.eventType === 'ADOPTION') {
    return { status: 'SUSPENDED', reason: `a second child${detail}` };
  }
  return { status: 'SUSPENDED', reason: `no longer eligible${detail}` };
}
