import { ConflictError, ForbiddenError, UnprocessableError, DomainError } from '../../common/errors.js';
import { HttpStatus } from '@nestjs/common';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const ENROLLMENTS_ERROR_CODES = [
  'BULK_ACTION_FAILED',
  'DUPLICATE_ENROLLMENT',
  'IMPORT_CONFLICT',
  'NOTICE_PERIOD_NOT_OVER',
  'NOT_ELIGIBLE',
  'SELF_APPROVAL_FORBIDDEN',
] as const;
export type EnrollmentsErrorCode = (typeof ENROLLMENTS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<EnrollmentsErrorCode, true> {}
}

export interface FailedCondition {
  condition: string;
  actual: unknown;
  expected: unknown;
  passed: boolean;
}

export class NotEligibleError extends UnprocessableError {
  constructor(policyCode: string, failedConditions: FailedCondition[], asOf: string) {
    super(
      'NOT_ELIGIBLE',
      `The beneficiary does not qualify for ${policyCode} as of ${asOf}` +
        (failedConditions.length > 0 ? `: ${failedConditions.map((c) => c.condition).join('; ')}` : ''),
      { policyCode, asOf, failedConditions },
    );
  }
}

export class DuplicateEnrollmentError extends ConflictError {
  constructor(existingEnrollmentId: string, status: string) {
    super(
      'DUPLICATE_ENROLLMENT',
      `The beneficiary already holds enrollment ${existingEnrollmentId} (${status}) in this policy`,
      { existingEnrollmentId, existingStatus: status },
    );
  }
}

export class SelfApprovalForbiddenError extends ForbiddenError {
  constructor() {
    super('SELF_APPROVAL_FORBIDDEN', 'Whoever opened or submitted an enrollment can never approve it');
  }
}

export class NoticePeriodNotOverError extends ConflictError {
  constructor(noticeEndsOn: string) {
    super('NOTICE_PERIOD_NOT_OVER', `The public notice runs until ${noticeEndsOn}; approve on or after that day`, {
      noticeEndsOn,
    });
  }
}

export interface BulkFailure {
  id: string;
  status: number;
  code: string;
  detail: string;
}

export class BulkActionFailedError extends DomainError {
  constructor(action: string, failures: BulkFailure[], total: number) {
    super(
      HttpStatus.CONFLICT,
      'BULK_ACTION_FAILED',
      `${failures.length} of ${total} enrollments cannot be ${action}; nothing was changed`,
      { failures },
    );
  }
}
