import { Injectable } from '@nestjs/common';
import { formatMoney, money } from '../../common/money.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { queryOne } from '../../database/sql.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { JobStoppedError } from '../jobs/jobs.errors.js';
import { JobsService } from '../jobs/jobs.service.js';
import { OverpaymentsRepository } from './overpayments.repository.js';
import { OverpaymentsService } from './overpayments.service.js';

export const OVERPAYMENT_RECHECK_JOB = 'overpayments.recheck';
/** Households per chunk (one transaction each). */
export const RECHECK_CHUNK = 500;

export interface OverpaymentRecheckData {
  regionCode: string;
  chunkSize?: number;
}

export interface OverpaymentRecheckResult {
  regionCode: string;
  households: number;
  units: number;
  periods: number;
  amount: string;
}

interface Place {
  after_household: string;
  households: number;
  units: number;
  periods: number;
  amount: string;
}

@Injectable()
export class OverpaymentRecheckService {
  constructor(
    private readonly jobs: JobsService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /** Records the city-wide (or one region's) re-check job and its audit event, then starts it. */
  async start(actor: Actor, regionCode: string): Promise<{ jobId: string }> {
    new RegionScope(actor.regionCode).assert(regionCode, 'region');
    const data: OverpaymentRecheckData = { regionCode };
    const jobId = await this.transactions.run(async (manager) => {
      const id = await this.jobs.record(manager, OVERPAYMENT_RECHECK_JOB, data, { regionCode });
      await this.audit.record(manager, {
        action: 'overpayment.recheck_started',
        entityType: 'job',
        entityId: id,
        regionCode,
        after: { name: OVERPAYMENT_RECHECK_JOB, ...data },
      });
      return id;
    });
    await this.jobs.dispatch(jobId, OVERPAYMENT_RECHECK_JOB);
    return { jobId };
  }
}

/**
 * The overpayment re-check after bulk corrections: every household of the region with paid lines,
 * in keyset chunks of households, has all its paid periods decided again from the registry's
 * history (OverpaymentsService.detect, as after a life event). Each chunk commits with the job's
 * place (`overpayment_rechecks`), so a rerun after a crash or a stop resumes after the last chunk.
 */
@Injectable()
@JobProcessor(OVERPAYMENT_RECHECK_JOB)
export class OverpaymentRecheckProcessor implements JobHandler<OverpaymentRecheckData, OverpaymentRecheckResult> {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: OverpaymentsRepository,
    private readonly overpayments: OverpaymentsService,
  ) {}

  async run(job: JobContext<OverpaymentRecheckData>): Promise<OverpaymentRecheckResult> {
    const { regionCode } = job.data;
    const chunkSize = job.data.chunkSize ?? RECHECK_CHUNK;
    const prefix = new RegionScope(regionCode).prefix;
    const db = this.transactions.dataSource.manager;
    await db.query(
      `INSERT INTO overpayment_rechecks (job_id, region_code) VALUES ($1, $2) ON CONFLICT (job_id) DO NOTHING`,
      [job.id, regionCode],
    );
    const total = await this.repository.countPaidHouseholds(db, prefix);
    let place = (await this.place(job.id))!;
    for (;;) {
      const households = await this.repository.paidHouseholds(db, prefix, place.after_household, chunkSize);
      if (households.length === 0) break;
      place = await this.transactions.run(async (manager) => {
        const found = await this.overpayments.detect(manager, households, '0001-01-01', { jobId: job.id });
        return (await queryOne<Place>(
          manager,
          `UPDATE overpayment_rechecks
              SET after_household = $2, households = households + $3, units = units + $4, periods = periods + $5,
                  amount = amount + $6, updated_at = now()
            WHERE job_id = $1 AND after_household = $7
        RETURNING after_household, households, units, periods, amount::text`,
          [
            job.id,
            households[households.length - 1],
            households.length,
            found.unitsDecided,
            found.periodsClaimed,
            found.amountClaimed,
            place.after_household,
          ],
        ))!;
      });
      await job.progress(total === 0 ? 99 : Math.min(99, (place.households / total) * 100));
      if (job.stopping()) throw new JobStoppedError();
    }
    return {
      regionCode,
      households: place.households,
      units: place.units,
      periods: place.periods,
      amount: formatMoney(money(place.amount)),
    };
  }

  private place(jobId: string): Promise<Place | undefined> {
    return queryOne<Place>(
      this.transactions.dataSource.manager,
      `SELECT after_household, households, units, periods, amount::text FROM overpayment_rechecks WHERE job_id = $1`,
      [jobId],
    );
  }
}
