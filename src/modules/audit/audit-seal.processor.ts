import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { RUNTIME, type RuntimeSettings } from '../../runtime-settings.js';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { AuditSealer, type SealResult } from './audit-sealer.js';

export const AUDIT_SEAL_JOB = 'audit.seal';
/** How often a process that consumes jobs seals what has committed. */
const SEAL_EVERY_MS = 60_000;

/**
 * The sealer as a job (enqueue 'audit.seal' to seal on demand from anywhere), and a periodic seal in
 * every process that consumes jobs. Concurrent sealers take turns on an advisory lock; the periodic
 * one skips when another holds it. Tests (NODE_ENV=test) seal explicitly instead.
 */
@Injectable()
@JobProcessor(AUDIT_SEAL_JOB)
export class AuditSealProcessor implements JobHandler, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealProcessor.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sealer: AuditSealer,
    private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  async run(job: JobContext): Promise<SealResult> {
    const result = await this.sealer.seal({ wait: false });
    await job.progress(100);
    return result;
  }

  onApplicationBootstrap(): void {
    if (!this.runtime.consumeJobs || this.config.NODE_ENV === 'test') return;
    this.timer = setInterval(() => {
      this.sealer
        .seal({ wait: false })
        .catch((error: unknown) => this.logger.error({ err: error }, 'audit seal failed'));
    }, SEAL_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
