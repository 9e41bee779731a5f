import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import { RUNTIME, type RuntimeSettings } from '../../runtime-settings.js';
import { JobDispatcher, type UnheldJob } from './job-queue.js';
import { QueueUnavailableError } from './jobs.errors.js';

/** Jobs looked at per sweep; the rest wait for the next one. */
const SWEEP_LIMIT = 500;

/**
 * Finds jobs whose row says unfinished but which nobody is running (no live lease) and hands them
 * to the dispatcher again: a dispatch lost while Redis was down, a queue flushed, a job Bull gave up
 * on after stalls, a process that died mid-run. Runs at start and every JOB_SWEEP_MS in every
 * process that consumes jobs; several sweepers at once are harmless (a job id is queued once).
 */
@Injectable()
export class JobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: JobDispatcher,
    private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.consumeJobs) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.JOB_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; answers how many unheld jobs it handed on. Never throws. */
  sweep(): Promise<number> {
    this.sweeping ??= this.pass().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async pass(): Promise<number> {
    let jobs: UnheldJob[];
    try {
      // A job recorded a moment ago may not be dispatched yet by the request that recorded it.
      jobs = await queryRows<UnheldJob>(
        this.dataSource,
        `SELECT id, name, attempts FROM jobs
          WHERE state IN ('waiting', 'active') AND (lease_until IS NULL OR lease_until < now())
            AND updated_at < now() - interval '1 second'
          ORDER BY created_at
          LIMIT ${SWEEP_LIMIT}`,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'job sweep could not read the jobs table');
      return 0;
    }
    let handed = 0;
    for (const job of jobs) {
      try {
        await this.dispatcher.redispatch(job);
        handed++;
      } catch (error) {
        this.logger.warn({ err: error, jobId: job.id }, 'job sweep could not queue a job');
        if (error instanceof QueueUnavailableError) break; // the next sweep tries again
      }
    }
    return handed;
  }
}
