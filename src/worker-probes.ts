import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { HealthService } from './modules/health/health.service.js';
import { MetricsService } from './modules/metrics/metrics.service.js';

/**
 * The worker has no HTTP API, but an orchestrator and Prometheus still need to ask it: on
 * WORKER_HEALTH_PORT it answers `/health/live`, `/health/ready` and `/metrics` (its job durations
 * and outcomes are observed here, where the jobs run) exactly as the API answers them.
 */
export async function startWorkerProbes(app: INestApplicationContext, port: number): Promise<Server> {
  const health = app.get(HealthService, { strict: false });
  const metrics = app.get(MetricsService, { strict: false });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0].replace(/^\/api\/v1/, '');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return json(405, { status: 405, title: 'Method Not Allowed' });
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready' || path === '/health') {
      health.readiness().then(
        (result) => json(result.status === 'ok' ? 200 : 503, result),
        () => json(503, { status: 'error' }),
      );
      return;
    }
    if (path === '/metrics') {
      if (!metrics.allows(request.headers.authorization)) {
        return json(401, { status: 401, title: 'Unauthorized', code: 'UNAUTHORIZED' });
      }
      metrics.render().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        () => json(500, { status: 500, title: 'Internal Server Error' }),
      );
      return;
    }
    json(404, { status: 404, title: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
