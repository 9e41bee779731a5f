import type { INestApplicationContext } from '@nestjs/common';
import type pg from 'pg';
import { requestContext, type Actor } from '../../src/common/request-context.js';
import { BulkActionFailedError } from '../../src/modules/enrollments/enrollments.errors.js';
import { EnrollmentsService } from '../../src/modules/enrollments/enrollments.service.js';
import { Stopwatch, type StageResult } from './report.js';
import type { ActivitySampler } from './sampler.js';

/** Ids per bulk approval (what one console request would send). */
const APPROVAL_CHUNK = 500;

/**
 * The sample of the staged eligible that the bench left PUBLICIZED (notice over), as the staging
 * table's rows: those whose household, policy and person hash into the first `percent` of 100.
 */
export const approvalSample = (percent: number): string =>
  `(abs(hashtext(s.household_id::text || s.policy_code || coalesce(s.person_id::text, ''))) % 100) < ${Math.trunc(percent)}`;

/**
 * Bulk enrollment approval through the real workflow: every PUBLICIZED enrollment (the sample the
 * enrollment shortcut left publicized, notice over) is approved by its county's officer with
 * `EnrollmentsService.bulk(ids, 'approve')`, APPROVAL_CHUNK ids a call, as the console's bulk
 * approval does: each enrollment is decided again as of today, updated, its transitions and audit
 * written, all or nothing per call. An enrollment no longer eligible today is refused by the call
 * (409 BULK_ACTION_FAILED lists it): it is left out and the rest of the chunk approved again, as a
 * clerk would. Rows are the enrollments approved.
 */
export async function approvalStage(
  client: pg.Client,
  app: INestApplicationContext,
  officers: Map<string, Actor>,
  sampler: ActivitySampler | undefined,
): Promise<StageResult> {
  const enrollments = app.get(EnrollmentsService);
  const { rows } = await client.query<{ id: string; county: string }>(
    `SELECT id, substr(region_code, 1, 6) AS county FROM enrollments WHERE status = 'PUBLICIZED' ORDER BY region_code, id`,
  );
  const byCounty = new Map<string, string[]>();
  for (const row of rows) byCounty.set(row.county, [...(byCounty.get(row.county) ?? []), row.id]);
  const watch = new Stopwatch(sampler, 'enrollment approval (bulk, real workflow)');
  let approved = 0;
  let refused = 0;
  for (const [county, ids] of byCounty) {
    const officer = officers.get(county)!;
    for (let start = 0; start < ids.length; start += APPROVAL_CHUNK) {
      let chunk = ids.slice(start, start + APPROVAL_CHUNK);
      while (chunk.length > 0) {
        try {
          const done = await requestContext.run({ requestId: `bench-approve-${county}`, actor: officer }, () =>
            enrollments.bulk(officer, chunk, 'approve'),
          );
          approved += done.length;
          break;
        } catch (error) {
          if (!(error instanceof BulkActionFailedError)) throw error;
          const failed = new Set((error.extra as { failures: { id: string }[] }).failures.map((f) => f.id));
          refused += failed.size;
          chunk = chunk.filter((id) => !failed.has(id));
        }
      }
    }
  }
  return {
    ...watch.stop(approved),
    note: `${approved} approved by ${byCounty.size} county officers, ${APPROVAL_CHUNK} a call; ${refused} no longer eligible`,
  };
}
