import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './app.module.js';
import { ConfigError } from './config/app-config.js';
import { prepareRuntime } from './database/runtime.js';
import { onShutdownSignal } from './shutdown.js';

/** The job worker: consumes the Bull queue with the same processors the in-process runner uses. */
async function main(): Promise<void> {
  const runtime = await prepareRuntime();
  if (runtime.config.inProcessJobs) {
    await runtime.close();
    throw new ConfigError(['REDIS_URL is required for a separate worker; without it the API runs jobs itself']);
  }
  const app = await NestFactory.createApplicationContext(
    WorkerModule.register(runtime.config, {
      databaseUrl: runtime.databaseUrl,
      jwtSecret: runtime.jwtSecret,
      consumeJobs: true,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  onShutdownSignal(async () => {
    await app.close();
    await runtime.close();
  });
  await app.init();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
