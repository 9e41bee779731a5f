import pg from 'pg';
import type { INestApplication } from '@nestjs/common';
import { requestContext, type Actor } from '../../src/common/request-context.js';
import { JobsService } from '../../src/modules/jobs/jobs.service.js';
import { OverpaymentRecheckService } from '../../src/modules/overpayments/recheck.js';
import type { ActivitySampler } from './sampler.js';
import { Stopwatch, type StageResult } from './report.js';

/** The day the late deaths happened: January's OCP_REWARD stays owed, February and March were not. */
const LATE_DEATH_ON = '2025-01-15';

/**
 * The city-wide overpayment re-check, after the pipeline has paid the city: a bulk
 * correction (untimed, straight to the register, so no life event listener runs) records a late
 * death of the only child in 1% of the households paid OCP_REWARD, then the re-check job decides
 * every paid period of every paid household in the city again (timed). Rows are the households
 * re-checked; the note gives the periods decided and the claims found.
 */
export async function overpaymentRecheckStage(
  client: pg.Client,
  app: INestApplication,
  finance: Actor,
  sampler: ActivitySampler | undefined,
): Promise<StageResult> {
  const late = await client.query(
    `UPDATE persons p SET death_date = $1
       FROM household_members m
      WHERE m.person_id = p.id AND m.relation = 'CHILD' AND p.death_date IS NULL AND p.birth_date < $1
        AND m.household_id IN (
              SELECT DISTINCT l.household_id FROM disbursement_lines l JOIN disbursement_batches b ON b.id = l.batch_id
               WHERE b.policy_code = 'OCP_REWARD' AND l.status = 'PAID'
                 AND ('x' || substr(md5(l.household_id::text), 1, 8))::bit(32)::int % 100 = 0)`,
    [LATE_DEATH_ON],
  );
  await client.query('ANALYZE persons');
  const watch = new Stopwatch(sampler, 'overpayment re-check (1% late deaths)');
  const { jobId } = await requestContext.run({ requestId: 'bench-overpayments', actor: finance }, () =>
    app.get(OverpaymentRecheckService).start(finance, '410100'),
  );
  const jobs = app.get(JobsService);
  for (;;) {
    const job = await jobs.get(jobId);
    if (job.state === 'failed') throw new Error(`overpayment re-check failed: ${JSON.stringify(job.error)}`);
    if (job.state === 'completed') {
      const result = job.result as { households: number; units: number; periods: number; amount: string };
      const claims = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM overpayment_claims`);
      return {
        ...watch.stop(result.households),
        note:
          `${late.rowCount} late deaths; ${result.households} paid households, ${result.units} paid periods decided ` +
          `again; ${result.periods} periods overpaid in ${claims.rows[0].n} claims, ${result.amount} yuan`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
