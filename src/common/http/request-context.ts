import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Observable } from 'rxjs';
import { languageOf } from '../i18n/i18n.js';
import { requestContext, type Actor } from '../request-context.js';

type IdentifiedRequest = Request & { id?: string; actor?: Actor };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Express middleware: every request gets an id (the caller's X-Request-Id if sane), echoed back. */
export function assignRequestId(request: IdentifiedRequest, response: Response, next: NextFunction): void {
  const given = request.headers['x-request-id'];
  request.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', request.id);
  next();
}

/**
 * Runs the handler inside the request context (id, address, the actor the guard resolved), so the
 * audit writer and the logs know who did what from where without passing it down every call.
 * An interceptor rather than a middleware: it starts after body parsing and the guard, so neither
 * can lose the async context.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IdentifiedRequest>();
    const store = {
      requestId: request.id ?? randomUUID(),
      address: request.ip,
      actor: request.actor,
      language: languageOf(request.headers['accept-language']),
    };
    return new Observable((subscriber) => requestContext.run(store, () => next.handle().subscribe(subscriber)));
  }
}
