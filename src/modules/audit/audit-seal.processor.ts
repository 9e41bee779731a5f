import { Injectable } from '@nestjs/common';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { AuditSealer, type SealResult } from './audit-sealer.js';

export const AUDIT_SEAL_JOB = 'audit.seal';

/**
 * The sealer as a job: the `audit-seal` schedule queues it every minute (src/modules/schedules), and
 * it can be queued on demand from anywhere. Concurrent sealers take turns on an advisory lock; a
 * seal that finds another one running skips. Tests (NODE_ENV=test) seal explicitly instead.
 */
@Injectable()
@JobProcessor(AUDIT_SEAL_JOB)
export class AuditSealProcessor implements JobHandler {
  constructor(private readonly sealer: AuditSealer) {}

  async run(job: JobContext): Promise<SealResult> {
    const result = await this.sealer.seal({ wait: false });
    await job.progress(100);
    return result;
  }
}
