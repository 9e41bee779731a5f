import { maskPiiText } from '../../common/pii/redact.js';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { problemFor, type ProblemDetails } from '../../common/http/problem-details.filter.js';
import { DEFAULT_LANGUAGE } from '../../common/i18n/i18n.js';
import { AppConfig } from '../../config/app-config.js';
import { queryOne } from '../../database/sql.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JOB_PROCESSOR, type JobHandler } from './job-processor.js';
import { JobInterruptedError, JobRetriesExhaustedError, JobStoppedError, UnknownJobError } from './jobs.errors.js';
import { isTransient } from './transient-errors.js';
import { Transactions } from '../../database/transactions.js';

interface ClaimedJob {
  id: string;
  name: string;
  data: Record<string, unknown>;
  attempts: number;
  last_error: ProblemDetails | null;
}

/** What became of one run: the caller (Bull's worker or the in-process runner) acts on it. */
export type JobOutcome =
  /** The job finished now. */
  | { kind: 'completed' }
  /** Nothing to do: the job had finished, or a live runner holds its lease. */
  | { kind: 'skipped'; reason: 'finished' | 'leased' }
  /** A transient failure: the row is back to `waiting`; run it again after a backoff. */
  | { kind: 'retry'; attempts: number; error: unknown }
  /** The process is stopping: the job paused after a chunk and waits for the next runner. */
  | { kind: 'stopped' }
  /** The job is recorded as failed (and whatever it worked on says so); it will not run again. */
  | { kind: 'failed' };

/** Delays between attempts at the job table's own bookkeeping while the database is away. */
const BOOKKEEPING_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 16000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one job by id through its processor and records state, progress, result or error in the
 * `jobs` table, which is what GET /jobs/:id reads in either mode. A run claims the job with a lease
 * that it renews while it works; a runner that dies stops renewing, and once the lease has run out
 * another runner may claim the job. Crashes and transient errors count as attempts; after
 * JOB_MAX_ATTEMPTS the job is recorded as failed, with the failure handed to its processor.
 */
@Injectable()
export class JobExecutor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobExecutor.name);
  private readonly handlers = new Map<string, JobHandler>();
  private stopRequested = false;

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const name = Reflect.getMetadata(JOB_PROCESSOR, metatype) as string | undefined;
      if (!name) continue;
      if (this.handlers.has(name)) throw new Error(`Two processors for job ${name}`);
      this.handlers.set(name, instance as JobHandler);
    }
  }

  /**
   * The process is stopping: running jobs pause at their next chunk boundary (and go back to the
   * queue), new runs are not started. Called by the signal handler before the application closes,
   * and again by Nest when it destroys the module.
   */
  stop(): void {
    this.stopRequested = true;
  }

  onModuleDestroy(): void {
    this.stop();
  }

  knows(name: string): boolean {
    return this.handlers.has(name);
  }

  get maxAttempts(): number {
    return this.config.JOB_MAX_ATTEMPTS;
  }

  /**
   * Runs the job unless it finished or a live runner holds it. `onProgress` mirrors progress to
   * Bull; neither it nor the progress row can fail the job. Throws only when the database cannot
   * be reached even to record what happened (the caller retries later).
   */
  async execute(id: string, onProgress?: (percent: number) => Promise<unknown>): Promise<JobOutcome> {
    if (this.stopRequested) return { kind: 'stopped' };
    const started = process.hrtime.bigint();
    let name = 'unknown';
    try {
      const outcome = await this.runOnce(id, (claimed) => (name = claimed), onProgress);
      if (outcome.kind !== 'skipped')
        this.metrics.observeJob(name, outcome.kind, Number(process.hrtime.bigint() - started) / 1e9);
      return outcome;
    } catch (error) {
      this.metrics.observeJob(name, 'lost', Number(process.hrtime.bigint() - started) / 1e9);
      throw error;
    }
  }

  private async runOnce(
    id: string,
    claimed: (name: string) => void,
    onProgress?: (percent: number) => Promise<unknown>,
  ): Promise<JobOutcome> {
    const leaseMs = this.config.JOB_LEASE_MS;
    const job = await queryOne<ClaimedJob>(
      this.dataSource,
      `UPDATE jobs SET state = 'active', attempts = attempts + 1, error = NULL,
              lease_until = now() + $2 * interval '1 millisecond',
              started_at = coalesce(started_at, now()), updated_at = now()
        WHERE id = $1
          AND (state = 'waiting' OR (state = 'active' AND (lease_until IS NULL OR lease_until < now())))
        RETURNING id, name, data, attempts, last_error`,
      [id, leaseMs],
    );
    if (!job) {
      const row = await queryOne<{ state: string }>(this.dataSource, `SELECT state FROM jobs WHERE id = $1`, [id]);
      return { kind: 'skipped', reason: row?.state === 'active' ? 'leased' : 'finished' };
    }
    claimed(job.name);
    const handler = this.handlers.get(job.name);
    if (!handler) {
      await this.fail(job, new UnknownJobError(job.name));
      return { kind: 'failed' };
    }
    if (job.attempts > this.maxAttempts) {
      // Every earlier run stopped without recording an outcome: a crash loop, not a reason to go on.
      await this.fail(job, new JobInterruptedError(job.attempts - 1, job.last_error?.detail), handler);
      return { kind: 'failed' };
    }

    const heartbeat = setInterval(
      () => {
        this.dataSource
          .query(
            `UPDATE jobs SET lease_until = now() + $2 * interval '1 millisecond' WHERE id = $1 AND state = 'active'`,
            [job.id, leaseMs],
          )
          .catch((error: unknown) => this.logger.warn({ err: error, jobId: job.id }, 'could not renew the job lease'));
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();

    let result: unknown;
    let lastReported = -1;
    try {
      result = await handler.run({
        id: job.id,
        name: job.name,
        data: job.data,
        attempt: job.attempts,
        stopping: () => this.stopRequested,
        progress: async (percent: number) => {
          const value = Math.max(0, Math.min(100, Math.floor(percent)));
          if (value === lastReported) return;
          lastReported = value;
          try {
            await this.dataSource.query(
              `UPDATE jobs SET progress = $2, lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
                WHERE id = $1 AND state = 'active'`,
              [job.id, value, leaseMs],
            );
          } catch (error) {
            this.logger.warn({ err: error, jobId: job.id }, 'could not record the job progress');
          }
          if (onProgress) {
            await onProgress(value).catch((error: unknown) =>
              this.logger.warn({ err: error, jobId: job.id }, 'could not mirror the job progress to the queue'),
            );
          }
        },
      });
    } catch (error) {
      clearInterval(heartbeat);
      return this.afterError(job, handler, error);
    }
    clearInterval(heartbeat);
    await this.bookkeeping(job.id, 'record the completion', () =>
      this.dataSource.query(
        `UPDATE jobs SET state = 'completed', progress = 100, result = $2, lease_until = NULL,
                finished_at = now(), updated_at = now()
          WHERE id = $1`,
        [job.id, maskPiiText(JSON.stringify(result ?? null))],
      ),
    );
    return { kind: 'completed' };
  }

  /**
   * A job that no runner can finish any more (its queue entry failed for good, say a stall limit,
   * while the row still says unfinished): records it as failed, once.
   */
  async failAbandoned(id: string, reason: string): Promise<void> {
    const job = await queryOne<ClaimedJob>(
      this.dataSource,
      `SELECT id, name, data, attempts, last_error FROM jobs WHERE id = $1 AND state IN ('waiting', 'active')`,
      [id],
    );
    if (!job) return;
    await this.fail(
      job,
      new JobInterruptedError(job.attempts, job.last_error?.detail ?? reason),
      this.handlers.get(job.name),
    );
  }

  private async afterError(job: ClaimedJob, handler: JobHandler, error: unknown): Promise<JobOutcome> {
    if (error instanceof JobStoppedError) {
      // A clean stop is not an attempt: the job is handed back as it was found, minus its done chunks.
      await this.bookkeeping(job.id, 'hand the job back', () =>
        this.dataSource.query(
          `UPDATE jobs SET state = 'waiting', attempts = attempts - 1, lease_until = NULL, updated_at = now()
            WHERE id = $1 AND state = 'active'`,
          [job.id],
        ),
      );
      this.logger.log({ jobId: job.id }, 'job paused for the stop; it resumes in the next runner');
      return { kind: 'stopped' };
    }
    if (isTransient(error) && job.attempts < this.maxAttempts) {
      this.logger.warn({ err: error, jobId: job.id, attempt: job.attempts }, 'job attempt failed; it will be retried');
      const problem = { ...problemFor(error), detail: error instanceof Error ? error.message : String(error) };
      await this.bookkeeping(job.id, 'record the retry', () =>
        this.dataSource.query(
          `UPDATE jobs SET state = 'waiting', lease_until = NULL, last_error = $2, updated_at = now()
            WHERE id = $1 AND state = 'active'`,
          [job.id, maskPiiText(JSON.stringify(problem))],
        ),
      );
      return { kind: 'retry', attempts: job.attempts, error };
    }
    await this.fail(job, isTransient(error) ? new JobRetriesExhaustedError(job.attempts, error) : error, handler);
    return { kind: 'failed' };
  }

  /** Records the final failure and lets the processor mark its subject, in one transaction. */
  private async fail(job: ClaimedJob, error: unknown, handler?: JobHandler): Promise<void> {
    // A job started by a request carries its caller's language (the registry import's does).
    const problem = problemFor(error, `job:${job.id}`, job.data?.language === 'en' ? 'en' : DEFAULT_LANGUAGE);
    if (problem.status >= 500) this.logger.error({ err: error, jobId: job.id }, 'job failed');
    await this.bookkeeping(job.id, 'record the failure', () =>
      this.transactions.run(async (manager) => {
        const updated = await queryOne<{ id: string }>(
          manager,
          `UPDATE jobs SET state = 'failed', error = $2, last_error = $2, lease_until = NULL,
                  finished_at = now(), updated_at = now()
            WHERE id = $1 AND state IN ('waiting', 'active')
            RETURNING id`,
          [job.id, maskPiiText(JSON.stringify(problem))],
        );
        if (updated && handler?.onFailed) {
          await handler.onFailed(manager, {
            id: job.id,
            name: job.name,
            data: job.data,
            attempts: job.attempts,
            problem,
          });
        }
      }),
    );
  }

  /**
   * The job table's own writes, retried through a short database outage (a restart takes a few
   * seconds), so that the outcome of a run is not lost to the moment the database was away.
   */
  private async bookkeeping(jobId: string, what: string, write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        if (!isTransient(error) || attempt >= BOOKKEEPING_DELAYS_MS.length) throw error;
        this.logger.warn({ err: error, jobId }, `could not ${what}; trying again`);
        await sleep(BOOKKEEPING_DELAYS_MS[attempt]);
      }
    }
  }
}
