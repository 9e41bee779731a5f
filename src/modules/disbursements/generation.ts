import { formatMoney, money } from '../../common/money.js';
import { amountForPeriod, type PeriodMonth } from '../eligibility/period-amount.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdTimeline } from '../registry/household-history.js';
import type { BatchUnits } from './batch-period.js';

export interface Candidate {
  enrollmentId: string;
  householdId: string;
  personId: string | null;
  beneficiaryKey: string;
}

/** What one enrollment is owed by a batch: the unpaid eligible units with their amounts and decisions. */
export interface Owed {
  units: string[];
  unitAmounts: string[];
  total: string;
  months: PeriodMonth[];
  versionIds: string[];
}

/**
 * Decides what one candidate is owed, with the very function that answers a single eligibility
 * question (amountForPeriod), unit by unit, leaving out the units already covered.
 */
export function owedFor(
  policy: PolicyWithVersions,
  units: BatchUnits,
  candidate: Candidate,
  timeline: Pick<HouseholdTimeline, 'at' | 'changesIn'>,
  covered: ReadonlySet<string>,
): Owed | null {
  const owed: Owed = { units: [], unitAmounts: [], total: '0.00', months: [], versionIds: [] };
  let total = money(0);
  for (const unit of units.units) {
    if (covered.has(`${candidate.beneficiaryKey}|${unit}`)) continue;
    const result = amountForPeriod(policy, timeline.at, candidate.personId, units.periodOf(unit), timeline.changesIn);
    if (result.total === null) continue;
    const amount = money(result.total);
    if (amount.lessThanOrEqualTo(0)) continue;
    owed.units.push(unit);
    owed.unitAmounts.push(formatMoney(amount));
    owed.months.push(...result.months.filter((month) => month.eligible));
    for (const month of result.months) {
      if (month.eligible && month.versionId && !owed.versionIds.includes(month.versionId)) {
        owed.versionIds.push(month.versionId);
      }
    }
    total = total.plus(amount);
  }
  if (owed.units.length === 0) return null;
  owed.total = formatMoney(total);
  return owed;
}
