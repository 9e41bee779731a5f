import { SetMetadata } from '@nestjs/common';

export const JOB_PROCESSOR = 'yikatong:job-processor';

/** What a processor sees of its job, the same under Bull and in-process. */
export interface JobContext<D = Record<string, unknown>> {
  id: string;
  name: string;
  data: D;
  /** 1 on the first run; higher when a crashed or retried job runs again. */
  attempt: number;
  /** Reports progress 0-100; cheap to call per chunk. */
  progress(percent: number): Promise<void>;
}

/**
 * A class that does one kind of long work. It is the only code that runs the job: Bull's worker and
 * the in-process runner both call `run`, so no path exists in one mode only. Processors must be
 * idempotent: a rerun after a crash finds the finished part and completes the rest.
 */
export interface JobHandler<D = Record<string, unknown>, R = unknown> {
  run(job: JobContext<D>): Promise<R>;
}

/** Marks a provider as the processor of the named job. */
export const JobProcessor = (name: string): ClassDecorator => SetMetadata(JOB_PROCESSOR, name);
