import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/app-config.js';
import { configureApp } from '../../src/configure-app.js';

/**
 * The service as the bench drives it: the whole Nest application on `databaseUrl`, in production
 * mode, consuming its jobs in-process (no HTTP until the caller listens).
 */
export async function startBenchApp(env: NodeJS.ProcessEnv, databaseUrl: string): Promise<NestExpressApplication> {
  // The bench measures the service, not its rate limit: off unless the bench's environment sets one.
  const config = loadConfig({ RATE_LIMIT_MAX: '0', ...env, NODE_ENV: 'production', DATABASE_URL: databaseUrl });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, { databaseUrl, jwtSecret: config.JWT_SECRET!, consumeJobs: true }),
    { bufferLogs: true },
  );
  configureApp(app, config);
  await app.init();
  return app;
}
