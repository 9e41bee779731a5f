import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONFLICT_SQLSTATES, sqlStateOf, UNAVAILABLE_SQLSTATES } from '../../database/sqlstate.js';
import { DomainError, type FieldProblem } from '../errors.js';
import { DEFAULT_LANGUAGE, label, languageOf, translate, translateIfKnown, type Language } from '../i18n/i18n.js';
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

const titleOf = (status: number, lang: Language): string =>
  translateIfKnown(`titles.${status}`, {}, lang) ?? translate('titles.other', {}, lang);

/**
 * The parameters a catalogue detail may name, from the error's `extra` plus a few derived ones
 * (labels of the enum values the error carries, counts of its problems).
 */
function detailParams(error: DomainError, lang: Language): Record<string, unknown> {
  const extra = error.extra as Record<string, unknown>;
  const params: Record<string, unknown> = { ...extra };
  if (typeof extra.policyCode === 'string') params.policyName = label('policy', extra.policyCode, lang);
  if (typeof extra.from === 'string') {
    params.fromLabel =
      translateIfKnown(`labels.enrollmentStatus.${extra.from}`, {}, lang) ?? label('batchStatus', extra.from, lang);
  }
  if (typeof extra.action === 'string') params.actionLabel = label('action', extra.action, lang);
  if (error.code === 'NOT_PAYABLE' && typeof extra.reason === 'string') {
    params.whyText = translateIfKnown(`reasons.notPayable.${extra.reason}`, {}, lang) ?? extra.reason;
  }
  if (Array.isArray(extra.problems)) params.count = extra.problems.length;
  if (typeof extra.errorCount === 'number') params.count = extra.errorCount;
  const line = extra.budgetLine as {
    fiscalYear?: number;
    policyCode?: string;
    fundingLevel?: string;
    countyCode?: string;
  };
  if (line && typeof line === 'object') {
    params.line = [
      line.fiscalYear,
      line.policyCode ? label('policy', line.policyCode, lang) : undefined,
      line.fundingLevel ? label('fundingLevel', line.fundingLevel, lang) : undefined,
      line.countyCode,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
  }
  return params;
}

/**
 * The detail in the caller's language. English keeps the message written at the throw site (it
 * names every specific); Chinese comes from the catalogue keyed by the stable code, filled from
 * the error's parameters, and falls back to the Chinese title, never to English text.
 */
export function domainDetail(error: DomainError, lang: Language): string {
  if (lang === 'en') return error.message;
  return translateIfKnown(`errors.${error.code}`, detailParams(error, lang), lang) ?? titleOf(error.status, lang);
}

/**
 * Builds a problem-details body, `title` and `detail` in `lang` (Chinese unless the caller asked
 * for English); also used outside HTTP (jobs store their error the same way, in Chinese).
 */
export function problemFor(error: unknown, requestId?: string, lang: Language = DEFAULT_LANGUAGE): ProblemDetails {
  // A domain error thrown inside Express middleware (the body parser's depth check) reaches the
  // filter wrapped by the adapter in an HttpException: answer the domain error itself.
  if (error instanceof HttpException && error.cause instanceof DomainError && error.cause.status < 500) {
    return problemFor(error.cause, requestId, lang);
  }
  if (error instanceof DomainError) {
    return {
      type: `https://yikatong.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
      title: titleOf(error.status, lang),
      status: error.status,
      detail: domainDetail(error, lang),
      code: error.code,
      requestId,
      ...error.extra,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const response = error.getResponse();
    const code = CODES_BY_STATUS[status] ?? 'HTTP_ERROR';
    const english =
      typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return {
      type: 'about:blank',
      title: titleOf(status, lang),
      status,
      detail: lang === 'en' ? english : (translateIfKnown(`errors.${code}`, {}, lang) ?? titleOf(status, lang)),
      code,
      requestId,
    };
  }
  const state = sqlStateOf(error);
  if (state && (CONFLICT_SQLSTATES.has(state) || UNAVAILABLE_SQLSTATES.has(state))) {
    // The transaction was rolled back whole, so the request changed nothing and may be sent again.
    const conflict = CONFLICT_SQLSTATES.has(state);
    const code = conflict ? 'CONCURRENT_UPDATE' : 'DATABASE_UNAVAILABLE';
    const status = conflict ? HttpStatus.CONFLICT : HttpStatus.SERVICE_UNAVAILABLE;
    return {
      type: `https://yikatong.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: titleOf(status, lang),
      status,
      detail: translate(conflict ? 'errors.CONCURRENT_UPDATE' : 'errors.DATABASE_UNAVAILABLE', {}, lang),
      code,
      requestId,
    };
  }
  return {
    type: 'about:blank',
    title: titleOf(500, lang),
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    detail: translate('errors.INTERNAL_ERROR', { requestId: requestId ?? 'n/a' }, lang),
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
    const lang = languageOf(request.headers['accept-language']);
    const problem = problemFor(exception, requestId, lang);
    problem.instance = request.originalUrl;
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    }
    if (response.headersSent) return;
    response.setHeader('Content-Language', lang);
    if (problem.code === 'CONCURRENT_UPDATE' || problem.code === 'DATABASE_UNAVAILABLE') {
      response.setHeader('Retry-After', '1');
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
