import { Injectable } from '@nestjs/common';
import { requestContext } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { DisbursementsService } from '../disbursements/disbursements.service.js';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { PoliciesService } from '../policies/policies.service.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SYSTEM_ACTOR } from './system-actor.js';

export const MONTHLY_BATCH_DRAFTS_JOB = 'batches.monthly-drafts';

export interface MonthlyDraftsResult {
  period: string;
  created: { policyCode: string; countyCode: string; batchId: string; jobId: string }[];
  /** County and policy pairs that already had a batch for the period (not cancelled). */
  existing: number;
}

/**
 * The `monthly-batch-drafts` schedule's job (off by default): for the month it fired in, a DRAFT
 * batch of each monthly cash policy for each county with an active enrollment in it, created
 * through DisbursementsService.create (so generated as an officer's batch would be) by the system
 * actor, whom the audit trail names. Idempotent per county, policy and period: a pair that already
 * has a batch that is not cancelled is left alone, so a rerun after a crash creates only the rest.
 */
@Injectable()
@JobProcessor(MONTHLY_BATCH_DRAFTS_JOB)
export class MonthlyBatchDraftsProcessor implements JobHandler<{ period: string }, MonthlyDraftsResult> {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: SchedulesRepository,
    private readonly policies: PoliciesService,
    private readonly disbursements: DisbursementsService,
  ) {}

  run(job: JobContext<{ period: string }>): Promise<MonthlyDraftsResult> {
    return requestContext.run({ requestId: `job:${job.id}`, actor: SYSTEM_ACTOR }, () => this.draft(job));
  }

  private async draft(job: JobContext<{ period: string }>): Promise<MonthlyDraftsResult> {
    const { period } = job.data;
    const manager = this.transactions.dataSource.manager;
    const monthly = (await this.policies.catalogue(manager)).filter(
      (policy) => policy.frequency === 'MONTHLY' && policy.benefitKind === 'CASH',
    );
    const result: MonthlyDraftsResult = { period, created: [], existing: 0 };
    for (const [index, policy] of monthly.entries()) {
      const counties = await this.repository.countiesPaying(manager, policy.code);
      const taken = new Set(await this.repository.countiesWithBatch(manager, policy.code, period));
      for (const countyCode of counties) {
        if (taken.has(countyCode)) {
          result.existing++;
          continue;
        }
        const { batch, jobId } = await this.disbursements.create(SYSTEM_ACTOR, {
          policyCode: policy.code,
          period,
          countyCode,
        });
        result.created.push({ policyCode: policy.code, countyCode, batchId: batch.id, jobId });
      }
      await job.progress(Math.round(((index + 1) / monthly.length) * 100));
    }
    return result;
  }
}
