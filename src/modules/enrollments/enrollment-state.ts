import type { Role } from '../../common/auth/roles.js';
import { addDays } from '../../common/calendar.js';

export const ENROLLMENT_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'PUBLICIZED',
  'APPROVED',
  'ACTIVE',
  'REJECTED',
  'SUSPENDED',
  'TERMINATED',
] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

export type EnrollmentAction = 'submit' | 'publicize' | 'approve' | 'reject' | 'suspend' | 'resume' | 'terminate';

/** Statuses that hold the beneficiary's one place per policy (the partial unique index). */
export const OPEN_STATUSES: readonly EnrollmentStatus[] = [
  'DRAFT',
  'SUBMITTED',
  'PUBLICIZED',
  'APPROVED',
  'ACTIVE',
  'SUSPENDED',
];

interface Transition {
  from: readonly EnrollmentStatus[];
  to: EnrollmentStatus;
  roles: readonly Role[];
}

/**
 * SPEC.md, "Enrollment": DRAFT -> SUBMITTED (township) -> PUBLICIZED (county starts the notice) ->
 * APPROVED (county, after the notice, never the opener) -> ACTIVE; or REJECTED; later SUSPENDED or
 * TERMINATED when eligibility ends. Approval makes the enrollment ACTIVE at once (both steps are
 * recorded), since nothing else stands between them.
 */
export const TRANSITIONS: Record<EnrollmentAction, Transition> = {
  submit: { from: ['DRAFT'], to: 'SUBMITTED', roles: ['CLERK', 'OFFICER'] },
  publicize: { from: ['SUBMITTED'], to: 'PUBLICIZED', roles: ['OFFICER'] },
  approve: { from: ['PUBLICIZED'], to: 'ACTIVE', roles: ['OFFICER'] },
  reject: { from: ['DRAFT', 'SUBMITTED', 'PUBLICIZED'], to: 'REJECTED', roles: ['OFFICER'] },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['OFFICER'] },
  resume: { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['OFFICER'] },
  terminate: { from: ['ACTIVE', 'SUSPENDED'], to: 'TERMINATED', roles: ['OFFICER'] },
};

/** "approve" -> "approved", for messages. */
export const PAST_TENSE: Record<EnrollmentAction, string> = {
  submit: 'submitted',
  publicize: 'publicized',
  approve: 'approved',
  reject: 'rejected',
  suspend: 'suspended',
  resume: 'resumed',
  terminate: 'terminated',
};

export function canTransition(action: EnrollmentAction, from: EnrollmentStatus): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The first day on which an enrollment publicized on `publicizedOn` may be approved. */
export function noticeEndsOn(publicizedOn: string, noticeDays: number): string {
  return addDays(publicizedOn, noticeDays);
}
