import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../../config/app-config.js';
import { RUNTIME, type RuntimeSettings } from '../../runtime-settings.js';
import { JobExecutor } from './job-executor.js';
import {
  JobDispatcher,
  JOBS_QUEUE,
  withinTime,
  type QueueHealth,
  type QueueSchedule,
  type UnheldJob,
} from './job-queue.js';

/**
 * What the Bull worker throws to hand a queue entry back to Bull (a retry with backoff, or a failed
 * entry when discarded): the job row, not this message, says what happened.
 */
class HandBackToQueue extends Error {}

/** Bull's name for the repeatable jobs that fire schedules, and their ids' prefix. */
const SCHEDULE_JOB = 'schedule';
import { backoffMs } from './transient-errors.js';

/** Bull's queue settings that fit long, chunked jobs whose runs are leased in the jobs table. */
export function bullQueueSettings(config: AppConfig) {
  return {
    // Bull's lock is the queue's view of the same lease the jobs table keeps.
    lockDuration: config.JOB_LEASE_MS,
    stalledInterval: Math.max(500, Math.min(30_000, Math.floor(config.JOB_LEASE_MS / 2))),
    // A stall (a killed worker) returns the job to the queue; the executor counts it as an attempt.
    maxStalledCount: config.JOB_MAX_ATTEMPTS,
  };
}

/** Production shape: jobs go through Redis to any number of worker processes. */
@Injectable()
export class BullJobDispatcher extends JobDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger('Jobs');

  constructor(
    @Inject(getQueueToken(JOBS_QUEUE)) private readonly queue: Queue,
    private readonly executor: JobExecutor,
    private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {
    super();
  }

  async dispatch(id: string, name: string): Promise<void> {
    // The job id doubles as Bull's: adding the same job twice is a no-op.
    await withinTime(
      this.queue.add(
        name,
        { jobId: id },
        {
          jobId: id,
          attempts: this.config.JOB_MAX_ATTEMPTS,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      ),
      this.config.REDIS_TIMEOUT_MS,
      'adding a job',
    );
  }

  async health(): Promise<QueueHealth> {
    try {
      await withinTime(this.queue.client.ping(), this.config.REDIS_TIMEOUT_MS, 'ping');
      return { mode: 'bull', up: true };
    } catch (error) {
      return { mode: 'bull', up: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async counts(): Promise<Record<string, number>> {
    const counts = await withinTime(this.queue.getJobCounts(), this.config.REDIS_TIMEOUT_MS, 'queue counts');
    return { ...counts };
  }

  async syncSchedules(schedules: QueueSchedule[], tz: string): Promise<void> {
    const timeout = this.config.REDIS_TIMEOUT_MS;
    // Bull's repeat keys are ':'-separated, so the id must not contain one.
    const wanted = new Map(schedules.filter((s) => s.enabled).map((s) => [`${SCHEDULE_JOB}-${s.name}`, s]));
    for (const repeatable of await withinTime(this.queue.getRepeatableJobs(), timeout, 'reading schedules')) {
      const schedule = repeatable.id ? wanted.get(repeatable.id) : undefined;
      if (schedule && schedule.cron === repeatable.cron && repeatable.tz === tz) {
        wanted.delete(repeatable.id!);
      } else {
        await withinTime(this.queue.removeRepeatableByKey(repeatable.key), timeout, 'removing a schedule');
      }
    }
    for (const [id, schedule] of wanted) {
      await withinTime(
        this.queue.add(
          SCHEDULE_JOB,
          { schedule: schedule.name },
          { repeat: { cron: schedule.cron, tz }, jobId: id, removeOnComplete: 100, removeOnFail: 100 },
        ),
        timeout,
        'adding a schedule',
      );
    }
  }

  async redispatch(job: UnheldJob): Promise<void> {
    const timeout = this.config.REDIS_TIMEOUT_MS;
    const entry: Job | null = await withinTime(this.queue.getJob(job.id), timeout, 'reading a job');
    if (entry) {
      const state = await withinTime(entry.getState(), timeout, 'reading a job state');
      if (state !== 'failed' && state !== 'completed') return; // waiting, delayed, active: the queue has it
      if (job.attempts >= this.config.JOB_MAX_ATTEMPTS) {
        await this.executor.failAbandoned(job.id, entry.failedReason ?? 'the queue gave up on the job');
        return;
      }
      this.logger.warn(`job ${job.id} is ${state} in the queue but unfinished in the database; queueing it again`);
      await withinTime(entry.remove(), timeout, 'removing a job');
    } else {
      this.logger.warn(`job ${job.id} is unfinished but no queue holds it; queueing it again`);
    }
    await this.dispatch(job.id, job.name);
  }

  onApplicationBootstrap(): void {
    if (!this.runtime.consumeJobs) return;
    this.logger.log(`consuming queue "${JOBS_QUEUE}" (concurrency ${this.config.WORKER_CONCURRENCY})`);
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'queue error'));
    // process() settles only when the queue stops; closing it while a blocking read is pending
    // rejects with "Connection is closed". Left unhandled, that rejection surfaced in whatever ran
    // next in the process (the next test file in a Jest worker failed in its beforeAll).
    const consuming = this.queue.process('*', this.config.WORKER_CONCURRENCY, async (job: Job) => {
      const { jobId, schedule } = job.data as { jobId?: string; schedule?: string };
      if (schedule) {
        // A repeatable job's id ends with the time it was due; the firing is recorded as a job of its own.
        const due = Number(String(job.id).split(':').pop());
        await this.scheduleFiring?.(schedule, new Date(Number.isFinite(due) && due > 0 ? due : job.timestamp));
        return;
      }
      if (!jobId) throw new HandBackToQueue(`queue entry ${String(job.id)} names no job`);
      const outcome = await this.executor.execute(jobId, (percent) =>
        withinTime(job.progress(percent), this.config.REDIS_TIMEOUT_MS, 'reporting progress'),
      );
      if (outcome.kind === 'retry') {
        // Bull retries with its exponential backoff; the row says `waiting` with the last error.
        throw outcome.error instanceof Error ? outcome.error : new HandBackToQueue(String(outcome.error));
      }
      if (outcome.kind === 'failed') {
        await job.discard(); // a domain failure or attempts exhausted: no Bull retry either
        throw new HandBackToQueue('the job failed; GET /jobs/:id says why');
      }
      if (outcome.kind === 'stopped') {
        // Back to Bull's delayed set: another worker (or this one, restarted) takes it from there.
        throw new HandBackToQueue('the worker is stopping; the job resumes in the next run');
      }
      if (outcome.kind === 'skipped' && outcome.reason === 'leased') {
        // Delivered again while another runner's lease is live (a stall seen early): try later.
        throw new HandBackToQueue('another runner holds the job; retrying after its lease');
      }
    });
    consuming.catch((error: unknown) => this.logger.warn({ err: error }, 'the queue stopped consuming'));
  }
}

/**
 * No Redis: the API process runs jobs itself, through the same executor and processors, a few at a
 * time, with the same retries (a backoff timer instead of Bull's delayed set). Jobs a previous run
 * of the process left unfinished are found by the sweeper at start.
 */
@Injectable()
export class InProcessJobDispatcher extends JobDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly pending: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  /** Runs that threw (the database away even for bookkeeping), by job id, for the backoff. */
  private readonly crashes = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly executor: JobExecutor,
    private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {
    super();
  }

  async dispatch(id: string): Promise<void> {
    // A process that runs no jobs (the CLI) leaves the row waiting for a runner's sweeper.
    if (!this.runtime.consumeJobs || this.stopping || this.holds(id)) return;
    this.pending.push(id);
    this.pump();
  }

  async redispatch(job: UnheldJob): Promise<void> {
    await this.dispatch(job.id);
  }

  async syncSchedules(): Promise<void> {
    // In-process, the schedules module's timer fires the schedules itself.
  }

  async counts(): Promise<Record<string, number>> {
    return { waiting: this.pending.length, active: this.running.size, delayed: this.delayed.size };
  }

  async health(): Promise<QueueHealth> {
    return { mode: 'in-process', up: !this.stopping };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.pending.length = 0;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when nothing is queued, running or waiting for a retry (tests and the CLI use it). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.running.size > 0 || this.delayed.size > 0) {
      await Promise.allSettled([...this.running.values()]);
      await new Promise((resolve) => setTimeout(resolve, this.running.size > 0 ? 0 : 20));
    }
  }

  private holds(id: string): boolean {
    return this.pending.includes(id) || this.running.has(id) || this.delayed.has(id);
  }

  private later(id: string, ms: number): void {
    if (this.stopping || this.delayed.has(id)) return;
    const timer = setTimeout(() => {
      this.delayed.delete(id);
      void this.dispatch(id);
    }, ms);
    timer.unref();
    this.delayed.set(id, timer);
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.config.WORKER_CONCURRENCY && this.pending.length > 0) {
      const id = this.pending.shift()!;
      const run = this.executor
        .execute(id)
        .then(
          (outcome) => {
            this.crashes.delete(id);
            if (outcome.kind === 'retry') this.later(id, backoffMs(outcome.attempts));
          },
          (error: unknown) => {
            // Not even the outcome could be recorded; the row still says unfinished. Try again.
            const crashes = (this.crashes.get(id) ?? 0) + 1;
            this.crashes.set(id, crashes);
            this.logger.warn({ err: error, jobId: id }, 'job run stopped without an outcome; retrying');
            this.later(id, backoffMs(crashes));
          },
        )
        .finally(() => {
          this.running.delete(id);
          this.pump();
        });
      this.running.set(id, run);
    }
  }
}
