import { translate } from '../../common/i18n/i18n.js';
import { ConflictError, ForbiddenError, UnprocessableError, type FieldProblem } from '../../common/errors.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const DISBURSEMENTS_ERROR_CODES = [
  'BANK_FILE_REJECTED',
  'BANK_FILE_UNENCODABLE',
  'BANK_FORMAT_CONFLICT',
  'BANK_FORMAT_UNKNOWN',
  'IDEMPOTENCY_KEY_REUSED',
  'NOT_PAYABLE',
  'SELF_APPROVAL_FORBIDDEN',
] as const;
export type DisbursementsErrorCode = (typeof DISBURSEMENTS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<DisbursementsErrorCode, true> {}
}

export class SelfApprovalForbiddenError extends ForbiddenError {
  constructor() {
    super('SELF_APPROVAL_FORBIDDEN', 'The user who submitted a batch can never approve or reject it');
  }
}

export class BankFileRejectedError extends UnprocessableError {
  constructor(problems: { line: number; lineNo?: string; message: string }[]) {
    super(
      'BANK_FILE_REJECTED',
      `The result file was refused whole: ${problems.length} problem(s); nothing was changed`,
      { problems },
      problems.map((p) => ({ field: `line ${p.line}`, message: p.message }) satisfies FieldProblem),
    );
  }
}

/** Why a policy cannot be paid in a batch: a code worded from `reasons.notPayable.*`. */
export type NotPayableReason = 'NON_CASH';

export class NotPayableError extends UnprocessableError {
  constructor(policyCode: string, reason: NotPayableReason) {
    super(
      'NOT_PAYABLE',
      `${policyCode} cannot be paid in a batch: ${translate(`reasons.notPayable.${reason}`, {}, 'en')}`,
      { policyCode, reason },
    );
  }
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
  }
}
