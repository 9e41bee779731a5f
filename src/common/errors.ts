import { HttpStatus } from '@nestjs/common';

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
    readonly code: string,
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
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(HttpStatus.CONFLICT, code, message, extra);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(HttpStatus.FORBIDDEN, code, message, extra);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}, errors?: FieldProblem[]) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, code, message, extra, errors);
  }
}

export class InvalidStateTransitionError extends ConflictError {
  constructor(entity: string, from: string, action: string) {
    super('INVALID_STATE_TRANSITION', `A ${entity} in state ${from} cannot be ${action}`, { from, action });
  }
}
