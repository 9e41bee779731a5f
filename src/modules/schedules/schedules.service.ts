import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { todayInChina } from '../../common/calendar.js';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import type { Actor } from '../../common/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../database/transactions.js';
import { RUNTIME, type RuntimeSettings } from '../../runtime-settings.js';
import { AuditService } from '../audit/audit.service.js';
import { JobDispatcher } from '../jobs/job-queue.js';
import { JobsService } from '../jobs/jobs.service.js';
import { nextFiring, SCHEDULE_TZ } from './cron.js';
import { MONTHLY_BATCH_DRAFTS_JOB } from './monthly-batch-drafts.js';
import { SchedulesRepository, type ScheduleRow } from './schedules.repository.js';
import { SYSTEM_ACTOR } from './system-actor.js';
import { CITY_CODE } from '../../common/region-scope.js';

/** How often the in-process scheduler looks for due schedules. */
const TICK_MS = 15_000;

export interface ScheduleView {
  name: string;
  jobName: string;
  cron: string;
  timeZone: string;
  enabled: boolean;
  description: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastJobId: string | null;
  updatedBy: string | null;
  updatedAt: string;
}

const toView = (row: ScheduleRow): ScheduleView => ({
  name: row.name,
  jobName: row.job_name,
  cron: row.cron,
  timeZone: SCHEDULE_TZ,
  enabled: row.enabled,
  description: row.description,
  nextRunAt: row.next_run_at?.toISOString() ?? null,
  lastRunAt: row.last_run_at?.toISOString() ?? null,
  lastJobId: row.last_job_id,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at.toISOString(),
});

/** What each scheduled job is given when it fires at `due`. */
function jobDataFor(jobName: string, due: Date): { data: object; regionCode?: string } {
  // The yearly re-check decides the whole city as of the (China) day the schedule fired.
  if (jobName === 'enrollments.recheck')
    return { data: { asOf: todayInChina(due), regionCode: CITY_CODE }, regionCode: CITY_CODE };
  // The month the schedule fired in, China time.
  if (jobName === MONTHLY_BATCH_DRAFTS_JOB)
    return { data: { period: todayInChina(due).slice(0, 7) }, regionCode: CITY_CODE };
  return { data: {} };
}

/**
 * The service's timetable (the `schedules` table): listed and changed by an ADMIN. With Redis each
 * enabled schedule is a Bull repeatable job (synced by the workers at start and on every change);
 * without it, a timer in the process that runs jobs fires what is due. Either way a firing becomes
 * a job row of its own with a key of the schedule and the due time, so a firing runs once however
 * many processes see it.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulesService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transactions: Transactions,
    private readonly repository: SchedulesRepository,
    private readonly jobs: JobsService,
    private readonly dispatcher: JobDispatcher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.dispatcher.onScheduleFired((name, due) => this.fire(name, due).then(() => undefined));
    // Tests drive the schedules with a clock of their own (fireDue, sync).
    if (!this.runtime.consumeJobs || this.config.NODE_ENV === 'test') return;
    if (this.config.inProcessJobs) {
      await this.initialise(new Date());
      const tick = () =>
        this.fireDue(new Date()).catch((error: unknown) => this.logger.warn({ err: error }, 'schedule tick failed'));
      void tick();
      this.timer = setInterval(() => void tick(), TICK_MS);
      this.timer.unref();
    } else {
      await this.sync().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not sync the schedules with Redis'),
      );
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.repository.list(this.transactions.dataSource.manager)).map(toView);
  }

  /** ADMIN changes a schedule's time or turns it on or off; audited; the queue follows at once. */
  async update(actor: Actor, name: string, changes: { cron?: string; enabled?: boolean }): Promise<ScheduleView> {
    const updated = await this.transactions.run(async (manager) => {
      const row = await this.repository.find(manager, name, true);
      if (!row) throw new NotFoundError('Schedule', name);
      const cron = changes.cron ?? row.cron;
      const next = nextFiring(cron, new Date());
      if (typeof next === 'string') throw new ValidationFailedError([{ field: 'cron', message: next }]);
      const enabled = changes.enabled ?? row.enabled;
      const after = await this.repository.update(manager, name, {
        cron,
        enabled,
        next_run_at: enabled ? next : null,
        updated_by: actor.id,
      });
      await this.audit.record(manager, {
        action: 'schedule.updated',
        entityType: 'schedule',
        entityId: name,
        before: toView(row),
        after: toView(after),
      });
      return after;
    });
    if (!this.config.inProcessJobs) await this.sync();
    return toView(updated);
  }

  /** Bull mode: makes the queue's repeatable jobs match the table. */
  async sync(): Promise<void> {
    const rows = await this.repository.list(this.transactions.dataSource.manager);
    await this.dispatcher.syncSchedules(
      rows.map((row) => ({ name: row.name, cron: row.cron, enabled: row.enabled })),
      SCHEDULE_TZ,
    );
  }

  /**
   * In-process mode: fires every enabled schedule due at `now` (once, even if several firings were
   * missed while the service was down) and sets its next time; answers the firings.
   */
  async fireDue(now: Date): Promise<{ schedule: string; jobId: string }[]> {
    const fired: { schedule: string; id: string; jobName: string }[] = [];
    await this.transactions.run(async (manager) => {
      for (const row of await this.repository.lockDue(manager, now)) {
        const next = nextFiring(row.cron, now);
        const jobId = await this.record(manager, row, row.next_run_at!);
        await this.repository.update(manager, row.name, {
          next_run_at: typeof next === 'string' ? null : next,
          last_run_at: now,
          last_job_id: jobId,
        });
        fired.push({ schedule: row.name, id: jobId, jobName: row.job_name });
      }
    });
    for (const job of fired) await this.jobs.dispatch(job.id, job.jobName);
    return fired.map((job) => ({ schedule: job.schedule, jobId: job.id }));
  }

  /** Records (once) and queues the job of one firing; the Bull repeatable job calls this. */
  async fire(name: string, due: Date): Promise<string | undefined> {
    const recorded = await this.transactions.run(async (manager) => {
      const row = await this.repository.find(manager, name, true);
      if (!row || !row.enabled) return undefined;
      const jobId = await this.record(manager, row, due);
      await this.repository.update(manager, name, { last_run_at: new Date(), last_job_id: jobId });
      return { jobId, jobName: row.job_name };
    });
    if (!recorded) return undefined;
    await this.jobs.dispatch(recorded.jobId, recorded.jobName);
    return recorded.jobId;
  }

  /** Sets the next firing of enabled schedules that have none (a new row, or one just enabled). */
  private async initialise(now: Date): Promise<void> {
    await this.transactions.run(async (manager) => {
      for (const row of await this.repository.list(manager)) {
        if (!row.enabled || row.next_run_at) continue;
        const next = nextFiring(row.cron, now);
        if (typeof next !== 'string') await this.repository.update(manager, row.name, { next_run_at: next });
      }
    });
  }

  /**
   * Records the job of one firing (once: the schedule's row is locked by the caller, and the job's
   * key is the schedule and its due time) and, the first time, a `schedule.fired` audit event by
   * the system actor naming the job.
   */
  private async record(manager: EntityManager, row: ScheduleRow, due: Date): Promise<string> {
    const { data, regionCode } = jobDataFor(row.job_name, due);
    const dedupeKey = `schedule:${row.name}:${due.toISOString()}`;
    const recorded = await this.repository.firingRecorded(manager, dedupeKey);
    const jobId = await this.jobs.record(manager, row.job_name, data, { dedupeKey, regionCode });
    if (!recorded) {
      await this.audit.record(manager, {
        action: 'schedule.fired',
        entityType: 'schedule',
        entityId: row.name,
        actor: SYSTEM_ACTOR,
        after: { jobId, jobName: row.job_name, due: due.toISOString(), data },
      });
    }
    return jobId;
  }
}
