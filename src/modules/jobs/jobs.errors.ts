import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../../common/errors.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const JOBS_ERROR_CODES = [
  'JOB_INTERRUPTED',
  'JOB_RETRIES_EXHAUSTED',
  'JOB_STOPPED',
  'QUEUE_UNAVAILABLE',
  'UNKNOWN_JOB',
] as const;
export type JobsErrorCode = (typeof JOBS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<JobsErrorCode, true> {}
}

/** Redis did not answer in time: the request is refused rather than left hanging. */
export class QueueUnavailableError extends DomainError {
  constructor(detail = 'The job queue (Redis) is not answering; try again shortly') {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'QUEUE_UNAVAILABLE', detail);
  }
}

/** A job whose runs kept stopping half way (a worker killed, a connection lost) until attempts ran out. */
export class JobInterruptedError extends DomainError {
  constructor(runs: number, lastError?: string) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'JOB_INTERRUPTED',
      `The job was interrupted ${runs} time(s) before it could finish` + (lastError ? ` (last: ${lastError})` : ''),
      { runs },
    );
  }
}

/** The database or the queue stayed unavailable through every attempt the job was allowed. */
export class JobRetriesExhaustedError extends DomainError {
  constructor(attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'JOB_RETRIES_EXHAUSTED',
      `The job failed ${attempts} time(s) on an unavailable database or queue (last: ${reason})`,
      { attempts },
    );
  }
}

export class UnknownJobError extends DomainError {
  constructor(name: string) {
    super(HttpStatus.INTERNAL_SERVER_ERROR, 'UNKNOWN_JOB', `No processor is registered for job ${name}`, { name });
  }
}

/** Thrown by a processor between chunks when its process stops: not a failure, the job goes on later. */
export class JobStoppedError extends DomainError {
  constructor() {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'JOB_STOPPED', 'The job was paused because its process is stopping');
  }
}
