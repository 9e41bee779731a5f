import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { ConfigError } from './config/app-config.js';
import { configureApp } from './configure-app.js';
import { prepareRuntime } from './database/runtime.js';
import { onShutdownSignal } from './shutdown.js';

async function main(): Promise<void> {
  const runtime = await prepareRuntime();
  const { config } = runtime;
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, {
      databaseUrl: runtime.databaseUrl,
      jwtSecret: runtime.jwtSecret,
      // Without Redis the API runs jobs itself; with Redis the worker processes do.
      consumeJobs: config.inProcessJobs,
    }),
    { bufferLogs: true },
  );
  configureApp(app, config);
  onShutdownSignal(async () => {
    await app.close();
    await runtime.close();
  });
  await app.listen(config.PORT);
  process.stderr.write(
    `Yikatong API on http://localhost:${config.PORT}/api/v1 (docs: http://localhost:${config.PORT}/api/docs); ` +
      `database: ${config.embeddedDatabase ? 'embedded' : 'DATABASE_URL'}, jobs: ${config.inProcessJobs ? 'in-process' : 'Bull'}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
