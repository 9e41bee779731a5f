import type { INestApplication } from '@nestjs/common';

import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { FILE_BODY_TYPES, MAX_JSON_BODY, refuseDeepJson } from './common/http/body-limits.js';
import { createOpenApiDocument } from './common/openapi/openapi-document.js';
import { HostileInputPipe } from './common/http/hostile-input.pipe.js';
import { createValidationPipe } from './common/http/validation.js';
import { assignRequestId } from './common/http/request-context.js';
import type { AppConfig } from './config/app-config.js';
import { httpMetrics, rootMetricsEndpoint } from './modules/metrics/http-metrics.js';
import { MetricsService } from './modules/metrics/metrics.service.js';

export const API_PREFIX = 'api/v1';

/** TRUST_PROXY as Express reads it: a hop count is a number, `true`/`false` booleans, the rest a list. */
export function trustProxy(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

/** Everything main.ts and the e2e tests must set up identically on the HTTP application. */
export function configureApp(app: NestExpressApplication, config: AppConfig): INestApplication {
  app.useLogger(app.get(Logger));
  app.set('trust proxy', trustProxy(config.TRUST_PROXY));
  app.disable('x-powered-by');
  app.use(assignRequestId);
  const metrics = app.get(MetricsService);
  app.use(httpMetrics(metrics));
  app.use(rootMetricsEndpoint(metrics));
  app.use(helmet());
  // Size and depth are refused before JSON.parse (413 PAYLOAD_TOO_LARGE, 400 BODY_TOO_DEEP).
  // express.json itself: Nest's useBodyParser keeps `verify` for its raw-body option.
  app.use(json({ limit: MAX_JSON_BODY, verify: refuseDeepJson }));
  // Files sent as the body stay bytes: their encoding (UTF-8, GB18030/GBK) is decided by a strict
  // read later, never by the parser's guess (which would store U+FFFD for GBK bytes).
  app.useBodyParser('raw', { type: [...FILE_BODY_TYPES], limit: '200mb' });
  if (config.CORS_ORIGINS) {
    app.enableCors({ origin: config.CORS_ORIGINS.split(',').map((origin) => origin.trim()) });
  }
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new HostileInputPipe(), createValidationPipe());
  // No enableShutdownHooks(): main.ts handles SIGINT/SIGTERM itself (see shutdown.ts), once.

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
