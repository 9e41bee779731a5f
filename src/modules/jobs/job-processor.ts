import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ProblemDetails } from '../../common/http/problem-details.filter.js';

export const JOB_PROCESSOR = 'yikatong:job-processor';

/** What a processor sees of its job, the same under Bull and in-process. */
export interface JobContext<D = Record<string, unknown>> {
  id: string;
  name: string;
  data: D;
  /** 1 on the first run; higher when a crashed or retried job runs again. */
  attempt: number;
  /** Reports progress 0-100; cheap to call per chunk, and never fails the job. */
  progress(percent: number): Promise<void>;
  /**
   * True once the process is stopping (SIGTERM): a chunked processor finishes the chunk it is in
   * and throws JobStoppedError, and the job goes back to the queue without losing an attempt.
   */
  stopping(): boolean;
}

/** A job that will not run again: what it was and why it stopped. */
export interface FailedJob<D = Record<string, unknown>> {
  id: string;
  name: string;
  data: D;
  attempts: number;
  problem: ProblemDetails;
}

/**
 * A class that does one kind of long work. It is the only code that runs the job: Bull's worker and
 * the in-process runner both call `run`, so no path exists in one mode only. Processors must be
 * idempotent: a rerun after a crash finds the finished part and completes the rest.
 */
export interface JobHandler<D = Record<string, unknown>, R = unknown> {
  run(job: JobContext<D>): Promise<R>;
  /**
   * Called once, inside the transaction that records the job's final failure, so that what the job
   * was working on says so too (a batch becomes GENERATION_FAILED): a job never fails silently.
   */
  onFailed?(manager: EntityManager, job: FailedJob<D>): Promise<void>;
}

/** Marks a provider as the processor of the named job. */
export const JobProcessor = (name: string): ClassDecorator => SetMetadata(JOB_PROCESSOR, name);
