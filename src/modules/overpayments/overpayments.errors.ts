import { ConflictError, ForbiddenError } from '../../common/errors.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const OVERPAYMENTS_ERROR_CODES = [
  'DUPLICATE_RECEIPT',
  'OFFSETS_PENDING',
  'REFUND_EXCEEDS_OUTSTANDING',
  'SELF_APPROVAL_FORBIDDEN',
] as const;
export type OverpaymentsErrorCode = (typeof OVERPAYMENTS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<OverpaymentsErrorCode, true> {}
}

/** A refund larger than what is still outstanding (net of offsets reserved on generated lines). */
export class RefundExceedsOutstandingError extends ConflictError {
  constructor(amount: string, outstanding: string) {
    super('REFUND_EXCEEDS_OUTSTANDING', `The refund of ${amount} exceeds the ${outstanding} still outstanding`, {
      amount,
      outstanding,
    });
  }
}

/** A receipt number already recorded for another refund. */
export class DuplicateReceiptError extends ConflictError {
  constructor(receiptNo: string) {
    super('DUPLICATE_RECEIPT', `Receipt ${receiptNo} is already recorded for another refund`, { receiptNo });
  }
}

/** A write-off while offsets are reserved on generated lines: approve or reject those batches first. */
export class OffsetsPendingError extends ConflictError {
  constructor(reserved: string) {
    super('OFFSETS_PENDING', `${reserved} of this claim is reserved by offsets on batches not yet approved`, {
      reserved,
    });
  }
}

export class WriteOffSelfApprovalError extends ForbiddenError {
  constructor() {
    super('SELF_APPROVAL_FORBIDDEN', 'The user who proposed a write-off can never approve or reject it');
  }
}
