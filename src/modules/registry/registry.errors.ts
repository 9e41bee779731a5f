import { HttpStatus } from '@nestjs/common';
import { ConflictError, DomainError, UnprocessableError, type FieldProblem } from '../../common/errors.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const REGISTRY_ERROR_CODES = [
  'ACCOUNT_HELD_BY_ANOTHER',
  'ALREADY_ADMITTED',
  'BIRTH_ORDER_TAKEN',
  'CERTIFICATE_ALREADY_ISSUED',
  'CORRECTION_NOT_SUPPORTED',
  'DUPLICATE_CERTIFICATE',
  'DUPLICATE_HOUSEHOLD',
  'DUPLICATE_PERSON',
  'EVENT_ALREADY_WITHDRAWN',
  'EVENT_BEFORE_BIRTH',
  'EVENT_BEFORE_ISSUE',
  'EVENT_CONTRADICTS_RECORD',
  'EVENT_DATE_IN_FUTURE',
  'EVENT_HAS_DEPENDENTS',
  'EVENT_NO_CHANGE',
  'EVENT_OUT_OF_ORDER',
  'HOLDER_DECEASED',
  'HOLDER_NOT_ADULT',
  'HOLDER_NOT_MEMBER',
  'IMPORT_CONFLICT',
  'IMPORT_REJECTED',
  'INVALID_EVENT_DATA',
  'INVALID_ID_NUMBER',
  'MEMBER_ALREADY_IN_HOUSEHOLD',
  'MEMBER_ALREADY_LEFT',
  'MEMBER_NAME_DIFFERS',
  'MEMBER_WAS_IN_HOUSEHOLD',
  'NO_ACTIVE_CERTIFICATE',
  'PERSON_ALREADY_DEAD',
  'PERSON_DECEASED',
  'PERSON_NOT_IN_HOUSEHOLD',
  'QUOTA_ALREADY_WAIVED',
  'REGION_NOT_FOUND',
  'VIOLATION_ALREADY_RECORDED',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<RegistryErrorCode, true> {}
}

/** 400: an ID number fails GB 11643 (shape, date, check character) or disagrees with a given value. */
export class InvalidIdNumberError extends DomainError {
  constructor(errors: FieldProblem[]) {
    super(HttpStatus.BAD_REQUEST, 'INVALID_ID_NUMBER', errors[0]?.message ?? 'The ID number is not valid', {}, errors);
  }
}

/**
 * 409: the ID number is already registered. The holding household is named only when it lies
 * within the caller's region; otherwise the answer says no more than that the person exists.
 */
export class DuplicatePersonError extends ConflictError {
  constructor(idNumber: string, holder?: { householdId: string; householdNo: string }) {
    super(
      'DUPLICATE_PERSON',
      holder
        ? `The person ${idNumber} is already registered in household ${holder.householdNo}`
        : `The person ${idNumber} is already registered in the city`,
      holder ? { idNumber, householdId: holder.householdId, householdNo: holder.householdNo } : { idNumber },
    );
  }
}

/** 409: a household with this number exists. */
export class DuplicateHouseholdError extends ConflictError {
  constructor(householdNo: string) {
    super('DUPLICATE_HOUSEHOLD', `Household number ${householdNo} is already registered`, { householdNo });
  }
}

/** 422: a life event or a registration that contradicts the record. Nothing is written. */
export class EventContradictsRecordError extends UnprocessableError {
  constructor(code: RegistryErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(code, message, extra);
  }
}

/** 409: an event that would repeat what can happen once (a second death, a second waiver). */
export class EventConflictError extends ConflictError {
  constructor(code: RegistryErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(code, message, extra);
  }
}

/** 422: a bulk import with bad rows; `errors` names each by line. Nothing was imported. */
export class ImportRejectedError extends UnprocessableError {
  constructor(errors: (FieldProblem & { line?: number })[], errorCount: number) {
    super('IMPORT_REJECTED', `The file has ${errorCount} problem(s); nothing was imported`, { errorCount }, errors);
  }
}

/**
 * 409: the account number already belongs to another holder somewhere in the city (one account
 * number, one holder: a database constraint). The other holder is not named.
 */
export class AccountHeldByAnotherError extends ConflictError {
  constructor(accountNo: string) {
    super(
      'ACCOUNT_HELD_BY_ANOTHER',
      `The account ${accountNo.slice(0, 4)}…${accountNo.slice(-4)} belongs to another holder (一个账号只能属于一个持卡人)`,
      {},
    );
  }
}

/**
 * 422: the event's `data` does not fit its type (LIFE_EVENT_DTOS): `errors` names each field
 * (`data.grade`, `data.member.relation`). The envelope (`type`, `date`, `personId`, unknown
 * top-level fields) answers 400 VALIDATION_FAILED as every body does.
 */
export class InvalidEventDataError extends UnprocessableError {
  constructor(type: string, errors: FieldProblem[]) {
    super(
      'INVALID_EVENT_DATA',
      `The data of the ${type} event is not valid: ${errors.map((e) => e.field).join(', ')}`,
      { type, fields: errors.map((e) => e.field).join(', ') },
      errors,
    );
  }
}

/** 409: the event cannot be withdrawn while a later event that was checked against it stands. */
export class EventHasDependentsError extends ConflictError {
  constructor(eventId: string, dependent: { id: string; type: string }) {
    super(
      'EVENT_HAS_DEPENDENTS',
      `Event ${eventId} cannot be withdrawn: the later ${dependent.type} event ${dependent.id} depends on it (withdraw that one first)`,
      { eventId, dependentEventId: dependent.id, dependentType: dependent.type },
    );
  }
}

/** At start: a life event type without its handler (a programming error, caught before any request). */
export class MissingEventHandlerError extends Error {
  constructor(types: string[]) {
    super(`No life event handler for ${types.join(', ')}`);
    this.name = 'MissingEventHandlerError';
  }
}
