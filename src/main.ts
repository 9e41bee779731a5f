import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { bootLogger } from './common/boot-logger.js';
import { ConfigError } from './config/app-config.js';
import { configureApp } from './configure-app.js';
import { prepareRuntime } from './database/runtime.js';
import { onShutdownSignal } from './shutdown.js';

const log = bootLogger('Main');

async function main(): Promise<void> {
  const runtime = await prepareRuntime({ log: (message) => log.info(message) });
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
  onShutdownSignal(app, runtime.close, (message) => log.info(message));
  await app.listen(config.PORT);
  const address = app.getHttpServer().address() as { port: number } | null;
  const port = address?.port ?? config.PORT;
  log.info(
    {
      port,
      database: config.embeddedDatabase ? 'embedded' : 'DATABASE_URL',
      jobs: config.inProcessJobs ? 'in-process' : 'Bull',
    },
    `Yikatong API on http://localhost:${port}/api/v1 (docs: http://localhost:${port}/api/docs)`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) log.fatal({ problems: error.problems }, error.message);
  else log.fatal({ err: error }, 'the API could not start');
  process.exit(1);
});
