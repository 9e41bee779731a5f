import { languageOf, translate } from '../../common/i18n/i18n.js';
import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service.js';

/**
 * Times every request and labels it with the route's pattern (`/api/v1/households/:id`), never the
 * raw URL, so the series stay few; a request no route matched is `unmatched`.
 */
export function httpMetrics(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const pattern = (request.route as { path?: string } | undefined)?.path;
      const route = pattern ? `${request.baseUrl}${pattern}` : ((response.locals.route as string) ?? 'unmatched');
      metrics.observeRequest(
        request.method,
        route,
        response.statusCode,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}

/** `/metrics` at the root, where Prometheus scrapes by default (the API also has `/api/v1/metrics`). */
export function rootMetricsEndpoint(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' || request.path !== '/metrics') return next();
    response.locals.route = '/metrics';
    if (!metrics.allows(request.headers.authorization)) {
      const lang = languageOf(request.headers['accept-language']);
      response.setHeader('Content-Language', lang);
      response
        .status(401)
        .type('application/problem+json')
        .json({
          type: 'about:blank',
          title: translate('titles.401', {}, lang),
          status: 401,
          detail: translate('messages.metricsToken', {}, lang),
          code: 'UNAUTHORIZED',
        });
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => response.status(200).type(contentType).send(body),
      (error: unknown) => next(error),
    );
  };
}
