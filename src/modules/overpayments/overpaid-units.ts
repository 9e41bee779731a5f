import type { Decimal } from 'decimal.js';
import { money } from '../../common/money.js';
import { amountForPeriod } from '../eligibility/period-amount.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdTimeline } from '../registry/household-history.js';
import { lastDayOf } from '../../common/calendar.js';
import type { PaidUnitRow } from './overpayments.repository.js';

/** The period the eligibility engine decides for a paid unit (a one-time unit: its batch's period). */
export const periodOfUnit = (unit: Pick<PaidUnitRow, 'period_unit' | 'period'>): string =>
  unit.period_unit === 'ONCE' ? unit.period : unit.period_unit;

/** Whether a fact changed on `fromDay` can change what a paid unit is owed (the unit ends on or after it). */
export const unitReaches = (unit: Pick<PaidUnitRow, 'period_unit' | 'period'>, fromDay: string): boolean =>
  lastDayOf(periodOfUnit(unit)) >= fromDay;

/** A paid unit decided again from the registry's corrected history. */
export interface Redecided {
  unit: PaidUnitRow;
  paid: Decimal;
  /** What the corrected history says was owed for the unit. */
  owed: Decimal;
  /** paid - owed when positive, else zero. */
  overpaid: Decimal;
}

/**
 * Decides a paid unit again with the very function batches pay by (amountForPeriod, as generation's
 * owedFor does), from the household's corrected history: what was owed for it now.
 */
export function redecide(policy: PolicyWithVersions, timeline: HouseholdTimeline, unit: PaidUnitRow): Redecided {
  const result = amountForPeriod(policy, timeline.at, unit.person_id, periodOfUnit(unit), timeline.changesIn);
  const paid = money(unit.paid);
  const owed = money(result.total ?? 0);
  const overpaid = paid.greaterThan(owed) ? paid.minus(owed) : money(0);
  return { unit, paid, owed, overpaid };
}
