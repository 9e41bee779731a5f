import { HttpStatus } from '@nestjs/common';

/**
 * The stable problem codes of API.md. Each module lists its own in its `x.errors.ts` as a const
 * array and registers them here by declaration merging:
 *
 *   export const REGISTRY_ERROR_CODES = ['DUPLICATE_PERSON', ...] as const;
 *   export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];
 *   declare module '../../common/errors.js' {
 *     interface ErrorCodes extends Record<RegistryErrorCode, true> {}
 *   }
 *
 * so a refusal (and an `@ApiProblems` list) can only name a code some module declares: a typo or
 * an undeclared code fails the build, not a client. These are the ones common code answers.
 */
export const COMMON_ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'FORBIDDEN',
  'OUT_OF_SCOPE',
  'CONFLICT',
  'INVALID_STATE_TRANSITION',
  'UNPROCESSABLE',
  'UNAUTHENTICATED',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'HTTP_ERROR',
  'INTERNAL_ERROR',
  'BODY_TOO_DEEP',
  'ROLE_FORBIDDEN',
  'ROUTE_NOT_DECLARED',
] as const;
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by each module's errors file
export interface ErrorCodes extends Record<CommonErrorCode, true> {}
export type ErrorCode = keyof ErrorCodes;

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A refusal the client can act on. `code` is the stable machine name of API.md; the global filter
 * turns it into RFC 9457 problem details. Anything that is not a DomainError is an internal error
 * and is hidden behind the request id.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly errors?: FieldProblem[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldProblem[], message = 'The request is not valid') {
    super(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', message, {}, errors);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string | number) {
    super(HttpStatus.NOT_FOUND, 'NOT_FOUND', `${entity} ${id} was not found`, { entity, id });
  }
}

export class ConflictError extends DomainError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(HttpStatus.CONFLICT, code, message, extra);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(HttpStatus.FORBIDDEN, code, message, extra);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, errors?: FieldProblem[]) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, code, message, extra, errors);
  }
}

export class InvalidStateTransitionError extends ConflictError {
  constructor(entity: string, from: string, action: string) {
    super('INVALID_STATE_TRANSITION', `A ${entity} in state ${from} cannot be ${action}`, { from, action });
  }
}
