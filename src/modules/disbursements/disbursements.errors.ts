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

export class NotPayableError extends UnprocessableError {
  constructor(policyCode: string, why: string) {
    super('NOT_PAYABLE', `${policyCode} cannot be paid in a batch: ${why}`, { policyCode });
  }
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
  }
}
