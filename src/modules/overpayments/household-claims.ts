import type { EntityManager } from 'typeorm';
import { RegionScope } from '../../common/region-scope.js';
import { OverpaymentsRepository } from './overpayments.repository.js';
import { toClaimView, type ClaimView } from './overpayments.service.js';

const repository = new OverpaymentsRepository();

/**
 * Every overpayment claim of a household with its periods and recoveries, read in the caller's
 * transaction (the auditor's household trace reads it in its one snapshot).
 */
export async function householdClaims(manager: EntityManager, householdId: string): Promise<ClaimView[]> {
  const rows = await repository.listClaims(manager, { householdId }, new RegionScope('41'), undefined, 500);
  const ids = rows.map((row) => row.id);
  const lines = await repository.claimLines(manager, ids);
  const recoveries = await repository.recoveries(manager, ids);
  return rows.map((row) =>
    toClaimView(
      row,
      lines.filter((l) => l.claim_id === row.id),
      recoveries.filter((r) => r.claim_id === row.id),
    ),
  );
}
