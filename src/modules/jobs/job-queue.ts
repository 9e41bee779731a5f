/** What the rest of the service knows of the job queue: the dispatcher's contract and the Redis timeout. */
import { QueueUnavailableError } from './jobs.errors.js';

export const JOBS_QUEUE = 'jobs';

export interface QueueHealth {
  mode: 'bull' | 'in-process';
  up: boolean;
  detail?: string;
}

/** An unfinished job row that no runner holds a live lease on, as the sweeper finds it. */
export interface UnheldJob {
  id: string;
  name: string;
  attempts: number;
}

/** A schedule as the queue needs it (src/modules/schedules owns the table). */
export interface QueueSchedule {
  name: string;
  cron: string;
  enabled: boolean;
}

/** Records a schedule's firing as a job (the schedules module registers it). */
export type ScheduleFiring = (name: string, due: Date) => Promise<void>;

/** Hands a recorded job to whatever runs jobs in this deployment. */
export abstract class JobDispatcher {
  protected scheduleFiring: ScheduleFiring | undefined;

  /** Who records a schedule's firing when the queue fires it. */
  onScheduleFired(firing: ScheduleFiring): void {
    this.scheduleFiring = firing;
  }

  /**
   * Makes the queue fire the enabled schedules at their times (Bull repeatable jobs, in China time);
   * in-process the schedules module's own timer fires them, so this is a no-op there.
   */
  abstract syncSchedules(schedules: QueueSchedule[], tz: string): Promise<void>;

  /** Queues the job; throws QueueUnavailableError when the queue does not answer in time. */
  abstract dispatch(id: string, name: string): Promise<void>;
  abstract health(): Promise<QueueHealth>;
  /** The queue's own counts by state (waiting, active, delayed, failed ...), for the metrics. */
  abstract counts(): Promise<Record<string, number>>;
  /**
   * Makes sure a job the sweeper found unheld is queued: a no-op when the queue holds it, a new
   * entry when its dispatch was lost (Redis down or flushed), a retry when the queue gave up on it.
   */
  abstract redispatch(job: UnheldJob): Promise<void>;
}

/** A Redis call that does not answer within `ms` (a paused or black-holed server) is refused. */
export function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`Redis did not answer within ${ms} ms (${what})`)), ms);
  });
  work.catch(() => undefined); // a late rejection after the timeout is not an unhandled one
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
