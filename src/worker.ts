import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './app.module.js';
import { bootLogger } from './common/boot-logger.js';
import { ConfigError } from './config/app-config.js';
import { prepareRuntime } from './database/runtime.js';
import { onShutdownSignal } from './shutdown.js';
import { startWorkerProbes } from './worker-probes.js';

const log = bootLogger('Worker');

/** The job worker: consumes the Bull queue with the same processors the in-process runner uses. */
async function main(): Promise<void> {
  const runtime = await prepareRuntime({ log: (message) => log.info(message) });
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
  const port = runtime.config.WORKER_HEALTH_PORT;
  const probes = port === undefined ? undefined : await startWorkerProbes(app, port);
  onShutdownSignal(
    app,
    async () => {
      probes?.close();
      await runtime.close();
    },
    (message) => log.info(message),
  );
  await app.init();
  const address = probes?.address() as { port: number } | undefined;
  log.info(
    { healthPort: address?.port ?? null },
    address ? `Yikatong worker consuming jobs (probes on :${address.port})` : 'Yikatong worker consuming jobs',
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) log.fatal({ problems: error.problems }, error.message);
  else log.fatal({ err: error }, 'the worker could not start');
  process.exit(1);
});
