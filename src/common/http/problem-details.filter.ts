import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type FieldProblem } from '../errors.js';
import { requestContext } from '../request-context.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Builds a problem-details body; also used outside HTTP (jobs store their error the same way). */
export function problemFor(error: unknown, requestId?: string): ProblemDetails {
  // A domain error thrown inside Express middleware (the body parser's depth check) reaches the
  // filter wrapped by the adapter in an HttpException: answer the domain error itself.
  if (error instanceof HttpException && error.cause instanceof DomainError && error.cause.status < 500) {
    return problemFor(error.cause, requestId);
  }
  if (error instanceof DomainError) {
    return {
      type: `https://yikatong.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
      requestId,
      ...error.extra,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail =
      typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return {
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code: CODES_BY_STATUS[status] ?? 'HTTP_ERROR',
      requestId,
    };
  }
  return {
    type: 'about:blank',
    title: TITLES[500],
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    detail: `An internal error occurred; quote request id ${requestId ?? 'n/a'} to the operators.`,
    code: 'INTERNAL_ERROR',
    requestId,
  };
}

/** The one global filter: every error leaves the API as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const requestId = (request as Request & { id?: string }).id ?? requestContext.current()?.requestId;
    const problem = problemFor(exception, requestId);
    problem.instance = request.originalUrl;
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    }
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
