import type { Decimal } from 'decimal.js';
import { HttpStatus } from '@nestjs/common';
import { ConflictError, DomainError, UnprocessableError, type FieldProblem } from '../../common/errors.js';
import { formatMoney } from '../../common/money.js';
import type { AccountRef } from './ledger.types.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const LEDGER_ERROR_CODES = [
  'ACCOUNT_LIMIT_EXCEEDED',
  'ALREADY_REVERSED',
  'AMOUNT_OUT_OF_RANGE',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_TRANSFER',
  'UNKNOWN_ACCOUNT',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<LedgerErrorCode, true> {}
}

/** A transfer the ledger never accepts: non-positive amount, one account on both sides, ... */
export class InvalidTransferError extends UnprocessableError {
  constructor(errors: FieldProblem[]) {
    super('INVALID_TRANSFER', 'The ledger refuses these transfers', {}, errors);
  }
}

export class UnknownAccountError extends UnprocessableError {
  constructor(accountIds: string[]) {
    super('UNKNOWN_ACCOUNT', `Ledger accounts ${accountIds.join(', ')} do not exist`, { accountIds });
  }
}

/** An idempotency id that was already used for a different transfer. */
export class IdempotencyConflictError extends ConflictError {
  constructor(idempotencyId: string) {
    super('IDEMPOTENCY_KEY_REUSED', `Idempotency id ${idempotencyId} was already used for a different transfer`, {
      idempotencyId,
    });
  }
}

export interface AccountLimitViolation {
  account: AccountRef;
  flag: 'DEBITS_MUST_NOT_EXCEED_CREDITS' | 'CREDITS_MUST_NOT_EXCEED_DEBITS';
  /** By how much the limited side would exceed the other. */
  shortfall: Decimal;
}

/** Posting would make a flagged account break its flag; the whole post is refused. */
export class AccountLimitError extends ConflictError {
  constructor(readonly violations: AccountLimitViolation[]) {
    super('ACCOUNT_LIMIT_EXCEEDED', 'Posting would take a ledger account past its limit', {
      violations: violations.map((v) => ({ ...v.account, flag: v.flag, shortfall: formatMoney(v.shortfall) })),
    });
  }
}

/** A transfer is reversed at most once. */
export class AlreadyReversedError extends ConflictError {
  constructor(transferId: string) {
    super('ALREADY_REVERSED', `Transfer ${transferId} has already been reversed`, { transferId });
  }
}

/**
 * Posting would take an account's running totals past what `numeric(18,2)` holds: the amount is more
 * than the budget line can take, refused as a bad amount (400) before anything is written.
 */
export class AccountCapacityError extends DomainError {
  constructor(accounts: AccountRef[]) {
    super(
      HttpStatus.BAD_REQUEST,
      'AMOUNT_OUT_OF_RANGE',
      'The amount is more than the budget line can hold: its ledger totals would exceed 9999999999999999.99',
      { accounts },
      [{ field: 'amount', message: 'more than the budget line can hold' }],
    );
  }
}
