/** The overpayment claims (多付追回) as the console reads them, and where a claim's links lead per role. */
import type { Role, Schemas } from '../../api/types';

export type Claim = Schemas['ClaimDto'];
export type ClaimDetail = Schemas['ClaimDetailDto'];
export type ClaimLine = Claim['lines'][number];
export type ClaimRecovery = Claim['recoveries'][number];
export type ClaimEvent = ClaimDetail['history'][number];
export type Region = Schemas['RegionDto'];

/** A batch's page for the role: finance approves and settles, auditors trace, officers generate. */
export function batchPath(role: Role, batchId: string): string {
  if (role === 'FINANCE') return `/finance/batches/${batchId}`;
  if (role === 'AUDITOR') return `/audit/batches/${batchId}`;
  return `/batches/${batchId}`;
}

/** The household's page the role may open: the auditor's fund trace, or the officer's record; none for finance. */
export function householdPath(role: Role, householdId: string): { to: string; text: string } | undefined {
  if (role === 'AUDITOR') return { to: `/audit/households/${householdId}`, text: '户资金追溯' };
  if (role === 'OFFICER') return { to: `/households/${householdId}`, text: '户籍档案' };
  return undefined;
}

/** What a claim still collects: refunds and write-off proposals only while OPEN or RECOVERING. */
export const collecting = (claim: Claim) => claim.status === 'OPEN' || claim.status === 'RECOVERING';
