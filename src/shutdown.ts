import type { INestApplicationContext } from '@nestjs/common';
import { JobExecutor } from './modules/jobs/job-executor.js';

type Log = (message: string) => void;

/**
 * The one handler of SIGINT and SIGTERM (Nest's own shutdown hooks stay off, or both would run):
 * jobs pause at their next chunk boundary, the application closes (the HTTP server stops taking
 * requests and finishes those in flight, the job runners hand their jobs back, pools close), then
 * `stopRuntime` stops what the process started (the embedded PostgreSQL), and the process exits 0.
 * A second signal while stopping exits at once with status 1.
 */
export function onShutdownSignal(app: INestApplicationContext, stopRuntime: () => Promise<void>, log: Log): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping (jobs pause after their current chunk; requests in flight finish)`);
    app.get(JobExecutor, { strict: false }).stop();
    app
      .close()
      .then(stopRuntime)
      .then(
        () => {
          log('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log(`stop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
