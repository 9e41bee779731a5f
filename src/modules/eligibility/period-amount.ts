import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import { sumAmounts } from './amount-rule.js';
import { monthsOf, parsePeriod } from './calendar.js';
import { decideBeneficiary } from './decide.js';
import type { Reason } from './rule.js';

/** One decided month of a period (for annual and one-time benefits, the one decision date). */
export interface PeriodMonth {
  /** `YYYY-MM`. */
  month: string;
  /** The date whose snapshot and version decided: the month's first day (monthly), 31 December (annual), the period's last day (one-time, standing). */
  decidedOn: string;
  eligible: boolean;
  amount: string | null;
  versionId: string | null;
  reasons: Reason[];
}

export interface PeriodAmount {
  policyCode: PolicyCode;
  personId: string | null;
  period: string;
  /** Sum of the eligible months' amounts, two places; null for a non-cash benefit. */
  total: string | null;
  months: PeriodMonth[];
}

/**
 * What one beneficiary is owed by one policy for one period, by the time rules of SPEC.md:
 * - MONTHLY: each calendar month of the period (`YYYY-MM`, or the 12 months of `YYYY`) whose first
 *   day satisfies the rule, at the amount of the version in force that day;
 * - ANNUAL: the year (`YYYY` only), decided on 31 December with the version in force that day;
 * - ONE_TIME and STANDING: decided once, on the period's last day. "Once ever" is the payments'
 *   concern (a one-time benefit already paid is not owed again), not this function's.
 *
 * `snapshotAt(date)` gives the household as of a date (the caller preloads them: this function is
 * pure). Throws RangeError for a malformed period or a month period of an annual benefit.
 */
export function amountForPeriod(
  policy: PolicyWithVersions,
  snapshotAt: (date: string) => HouseholdSnapshot,
  personId: string | null,
  period: string,
): PeriodAmount {
  const parsed = parsePeriod(period);
  if (!parsed) throw new RangeError(`period ${JSON.stringify(period)} is neither YYYY nor YYYY-MM`);
  const beneficiary = policy.unit === 'HOUSEHOLD' ? null : personId;
  const months: PeriodMonth[] = [];
  const decide = (month: string, date: string) => {
    const decision = decideBeneficiary(policy, snapshotAt(date), date, beneficiary);
    months.push({
      month,
      decidedOn: date,
      eligible: decision.eligible,
      amount: decision.amount,
      versionId: decision.versionId,
      reasons: decision.reasons,
    });
  };
  switch (policy.frequency) {
    case 'MONTHLY':
      for (const month of monthsOf(parsed)) decide(month, `${month}-01`);
      break;
    case 'ANNUAL':
      if (parsed.kind !== 'YEAR') throw new RangeError(`${policy.code} is annual: its period is a year (YYYY)`);
      decide(`${period}-12`, parsed.lastDay);
      break;
    case 'ONE_TIME':
    case 'STANDING':
      decide(parsed.lastDay.slice(0, 7), parsed.lastDay);
      break;
  }
  const total =
    policy.benefitKind === 'NON_CASH'
      ? null
      : sumAmounts(months.filter((month) => month.eligible && month.amount !== null).map((month) => month.amount!));
  return { policyCode: policy.code, personId: beneficiary, period, total, months };
}
