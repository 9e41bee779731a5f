import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { RUNTIME, type RuntimeSettings } from '../../runtime-settings.js';
import { JobExecutor } from './job-executor.js';

export const JOBS_QUEUE = 'jobs';

export interface QueueHealth {
  mode: 'bull' | 'in-process';
  up: boolean;
  detail?: string;
}

/** Hands a recorded job to whatever runs jobs in this deployment. */
export abstract class JobDispatcher {
  abstract dispatch(id: string, name: string): Promise<void>;
  abstract health(): Promise<QueueHealth>;
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
    await this.queue.add(name, { jobId: id }, { jobId: id, removeOnComplete: 1000, removeOnFail: 5000 });
  }

  async health(): Promise<QueueHealth> {
    try {
      await this.queue.client.ping();
      return { mode: 'bull', up: true };
    } catch (error) {
      return { mode: 'bull', up: false, detail: String(error) };
    }
  }

  onApplicationBootstrap(): void {
    if (!this.runtime.consumeJobs) return;
    this.logger.log(`consuming queue "${JOBS_QUEUE}" (concurrency ${this.config.WORKER_CONCURRENCY})`);
    void this.queue.process('*', this.config.WORKER_CONCURRENCY, async (job) => {
      const { jobId } = job.data as { jobId: string };
      await this.executor.execute(jobId, (percent) => job.progress(percent));
    });
  }
}

/**
 * No Redis: the API process runs jobs itself, through the same executor and processors, a few at a
 * time. Jobs left waiting or active by a previous run of this process (a crash) are resumed at start.
 */
@Injectable()
export class InProcessJobDispatcher extends JobDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly pending: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly executor: JobExecutor,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {
    super();
  }

  async dispatch(id: string): Promise<void> {
    if (!this.pending.includes(id)) this.pending.push(id);
    this.pump();
  }

  async health(): Promise<QueueHealth> {
    return { mode: 'in-process', up: !this.stopping };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.consumeJobs) return;
    const unfinished: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM jobs WHERE state IN ('waiting', 'active') ORDER BY created_at`,
    );
    if (unfinished.length > 0) this.logger.log(`resuming ${unfinished.length} unfinished job(s)`);
    for (const { id } of unfinished) await this.dispatch(id);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.pending.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when nothing is queued or running (tests and the CLI use it). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.running.size > 0) {
      await Promise.allSettled([...this.running]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.config.WORKER_CONCURRENCY && this.pending.length > 0) {
      const id = this.pending.shift()!;
      const run = this.executor
        .execute(id)
        .catch(() => undefined) // the executor has recorded the failure on the job
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}
