import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors.js';
import { isDate } from '../../common/calendar.js';
import { RegionScope } from '../../common/region-scope.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { queryRows } from '../../database/sql.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { EligibilityService } from '../eligibility/eligibility.service.js';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { JobsService } from '../jobs/jobs.service.js';
import { HouseholdSnapshots } from '../registry/household-snapshots.service.js';
import { EnrollmentsRepository, type EnrollmentRow } from './enrollments.repository.js';
import { EnrollmentsService } from './enrollments.service.js';

export const RECHECK_JOB = 'enrollments.recheck';
const CHUNK_HOUSEHOLDS = 500;

interface RecheckData {
  asOf: string;
  regionCode: string;
}

export interface RecheckResult {
  asOf: string;
  regionCode: string;
  households: number;
  enrollments: number;
  ended: number;
}

@Injectable()
export class RecheckService {
  constructor(
    private readonly jobs: JobsService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /** Records the re-check job and its audit event together, then starts it. */
  async start(actor: Actor, asOf: string, regionCode: string): Promise<{ jobId: string }> {
    if (!isDate(asOf)) {
      throw new ValidationFailedError([
        { field: 'asOf', message: callerText('messages.dateField', { field: 'asOf' }) },
      ]);
    }
    new RegionScope(actor.regionCode).assert(regionCode, 'region');
    const data: RecheckData = { asOf, regionCode };
    const jobId = await this.transactions.run(async (manager) => {
      const id = await this.jobs.record(manager, RECHECK_JOB, data, {
        regionCode,
        dedupeKey: `${RECHECK_JOB}:${regionCode}:${asOf}`,
      });
      await this.audit.record(manager, {
        action: 'enrollment.recheck_started',
        entityType: 'job',
        entityId: id,
        regionCode,
        after: { name: RECHECK_JOB, ...data },
      });
      return id;
    });
    await this.jobs.dispatch(jobId, RECHECK_JOB);
    return { jobId };
  }
}

/**
 * The yearly re-check: every active enrollment in the region is decided again as of a date,
 * household by household in chunks (one transaction per chunk, keyset-paginated, so a rerun after
 * a crash simply finds the finished chunks already ended and goes on).
 */
@Injectable()
@JobProcessor(RECHECK_JOB)
export class RecheckProcessor implements JobHandler<RecheckData, RecheckResult> {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: EnrollmentsRepository,
    private readonly enrollments: EnrollmentsService,
    private readonly eligibility: EligibilityService,
    private readonly snapshots: HouseholdSnapshots,
  ) {}

  async run(job: JobContext<RecheckData>): Promise<RecheckResult> {
    const { asOf, regionCode } = job.data;
    const prefix = new RegionScope(regionCode).prefix;
    const [{ total }] = await queryRows<{ total: number }>(
      this.transactions.dataSource,
      `SELECT count(DISTINCT household_id)::int AS total FROM enrollments
        WHERE region_code LIKE $1 AND status IN ('APPROVED', 'ACTIVE')`,
      [`${prefix}%`],
    );
    const result: RecheckResult = { asOf, regionCode, households: 0, enrollments: 0, ended: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const households = await queryRows<{ household_id: string }>(
        this.transactions.dataSource,
        `SELECT DISTINCT household_id FROM enrollments
          WHERE region_code LIKE $1 AND status IN ('APPROVED', 'ACTIVE') AND household_id > $2
          ORDER BY household_id LIMIT $3`,
        [`${prefix}%`, after, CHUNK_HOUSEHOLDS],
      );
      if (households.length === 0) break;
      after = households[households.length - 1].household_id;
      await this.transactions.run(async (manager) => {
        // One snapshot load and one catalogue read per chunk; each household is then decided as it
        // stands on the day (`decideOnDay`), as after a life event.
        const ids = households.map((h) => h.household_id);
        const snapshots = await this.snapshots.forHouseholds(ids, asOf, manager);
        const decided = await this.eligibility.decideOnDay(snapshots, asOf, manager);
        for (const [index, snapshot] of snapshots.entries()) {
          const rows: EnrollmentRow[] = await this.repository.lockOpenOfHousehold(manager, snapshot.householdId);
          if (rows.length === 0) continue;
          result.enrollments += rows.length;
          result.ended += await this.enrollments.endIneligible(
            manager,
            rows,
            decided[index].decisions,
            snapshot,
            asOf,
            undefined,
            { kind: 'recheck', asOf },
          );
        }
      });
      result.households += households.length;
      await job.progress(total === 0 ? 100 : (result.households / total) * 100);
    }
    return result;
  }
}
