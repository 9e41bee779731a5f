import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { problemFor } from '../../common/http/problem-details.filter.js';
import { queryOne } from '../../database/sql.js';
import { JOB_PROCESSOR, type JobHandler } from './job-processor.js';

interface ClaimedJob {
  id: string;
  name: string;
  data: Record<string, unknown>;
  attempts: number;
}

/**
 * Runs one job by id through its processor and records state, progress, result or error in the
 * `jobs` table, which is what GET /jobs/:id reads in either mode.
 */
@Injectable()
export class JobExecutor implements OnModuleInit {
  private readonly logger = new Logger(JobExecutor.name);
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectDataSource() private readonly dataSource: DataSource,
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

  knows(name: string): boolean {
    return this.handlers.has(name);
  }

  /** Executes the job unless it already completed. `onProgress` mirrors progress to Bull. */
  async execute(id: string, onProgress?: (percent: number) => Promise<void>): Promise<void> {
    const job = await queryOne<ClaimedJob>(
      this.dataSource,
      `UPDATE jobs SET state = 'active', attempts = attempts + 1, error = NULL,
              started_at = coalesce(started_at, now()), updated_at = now()
        WHERE id = $1 AND state <> 'completed'
        RETURNING id, name, data, attempts`,
      [id],
    );
    if (!job) return;
    const handler = this.handlers.get(job.name);
    if (!handler) {
      await this.fail(job.id, new Error(`No processor for job ${job.name}`));
      return;
    }
    let lastReported = -1;
    try {
      const result = await handler.run({
        id: job.id,
        name: job.name,
        data: job.data,
        attempt: job.attempts,
        progress: async (percent: number) => {
          const value = Math.max(0, Math.min(100, Math.floor(percent)));
          if (value === lastReported) return;
          lastReported = value;
          await this.dataSource.query(`UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1`, [
            job.id,
            value,
          ]);
          await onProgress?.(value);
        },
      });
      await this.dataSource.query(
        `UPDATE jobs SET state = 'completed', progress = 100, result = $2, finished_at = now(), updated_at = now()
          WHERE id = $1`,
        [job.id, JSON.stringify(result ?? null)],
      );
    } catch (error) {
      await this.fail(job.id, error);
      throw error;
    }
  }

  private async fail(id: string, error: unknown): Promise<void> {
    const problem = problemFor(error);
    if (problem.status >= 500) this.logger.error({ err: error, jobId: id }, 'job failed');
    await this.dataSource.query(
      `UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(problem)],
    );
  }
}
