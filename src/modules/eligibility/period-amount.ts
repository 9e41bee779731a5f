import { DEFAULT_LANGUAGE, type Language } from '../../common/i18n/i18n.js';
import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import { sumAmounts } from './amount-rule.js';
import { wording } from './condition-labels.js';
import { daysInMonth, formatDate, monthEnd, monthOf, monthsOf, parsePeriod, yearOf } from '../../common/calendar.js';
import {
  DayFacts,
  decideBeneficiary,
  decisionDate,
  judgeOne,
  versionOn,
  type Decision,
  type Verdict,
  type VerdictOrDecision,
} from './decide.js';
import type { Reason } from './rule.js';

/** One decided month of a period (for annual and one-time benefits, the one decision date). */
export interface PeriodMonth {
  /** `YYYY-MM`. */
  month: string;
  /**
   * The date whose snapshot and version decided: for a monthly benefit the first day of the month
   * on which the rule held (or the month's first day when it held on none), 1 January (annual),
   * the period's last day (one-time, standing).
   */
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

/** The household as of a date (null where the registry has no household yet). */
export type SnapshotAt = (date: string) => HouseholdSnapshot | null;

/**
 * The days from `first` to `last` (inclusive, `first` < `last` or equal) on which something in the
 * registry changed (a dated history row, an event), beyond what the snapshot of the last day shows;
 * the registry's history answers it (household-history.ts `changeDays`).
 */
export type ChangesIn = (first: string, last: string) => readonly string[];

/**
 * The days of [first, last] on which a decision can differ from the day before: the first day; each
 * member's birthday (ages change), birth, adoption, death and college admission; the certificate's
 * issue and revocation; the waiver; a version starting; and whatever `changesIn` adds (the dated
 * history: hukou, grades, residence, region, members joining, violations recorded). Between two of
 * these days every fact and the version are constant, so a rule that holds on some day of the span
 * holds on one of them.
 */
export function decisionDays(
  policy: PolicyWithVersions,
  snapshotAt: SnapshotAt,
  first: string,
  last: string,
  changesIn?: ChangesIn,
): string[] {
  const days = new Set<string>([first]);
  const add = (date: string | null | undefined) => {
    if (date && date > first && date <= last) days.add(date);
  };
  const end = snapshotAt(last);
  if (end) {
    const firstYear = yearOf(first);
    const lastYear = yearOf(last);
    for (const member of end.members) {
      add(member.birthDate);
      add(member.adoptedOn);
      add(member.deathDate);
      add(member.collegeAdmittedOn);
      const month = monthOf(member.birthDate);
      const day = Number(member.birthDate.slice(8, 10));
      for (let year = firstYear; year <= lastYear; year++) {
        // 29 February: the birthday is 1 March in common years (see calendar.ageOn).
        const leapDay = month === 2 && day === 29 && daysInMonth(year, 2) === 28;
        add(leapDay ? formatDate(year, 3, 1) : formatDate(year, month, day));
      }
    }
    add(end.certificate?.issuedOn);
    add(end.certificate?.revokedOn);
    add(end.quotaWaivedOn);
  }
  for (const version of policy.versions) add(version.effectiveFrom);
  if (changesIn) for (const date of changesIn(first, last)) add(date);
  return [...days].sort();
}

/** The days a policy's unit containing `asOf` is decided on (see `decideUnit`). */
export function unitDays(
  policy: PolicyWithVersions,
  snapshotAt: SnapshotAt,
  asOf: string,
  changesIn?: ChangesIn,
): string[] {
  switch (policy.frequency) {
    case 'MONTHLY': {
      const year = yearOf(asOf);
      const month = monthOf(asOf);
      return decisionDays(
        policy,
        snapshotAt,
        formatDate(year, month, 1),
        formatDate(year, month, daysInMonth(year, month)),
        changesIn,
      );
    }
    case 'ANNUAL':
      return [decisionDate(policy, asOf)];
    case 'ONE_TIME':
    case 'STANDING':
      return [asOf];
  }
}

/** Facts per day of one household, each day's built once. */
export class HouseholdDays {
  private readonly days = new Map<string, DayFacts | null>();
  constructor(readonly snapshotAt: SnapshotAt) {}

  on(date: string): DayFacts | null {
    let day = this.days.get(date);
    if (day === undefined) {
      const snapshot = this.snapshotAt(date);
      day = snapshot === null ? null : new DayFacts(snapshot, date);
      this.days.set(date, day);
    }
    return day;
  }
}

/**
 * One unit (a month, a year, once) of one policy for one beneficiary, decided on `days` in order:
 * the decision of the first day on which the rule holds (its version, its amount: "at the amount
 * of the version in force on the first such day"), or, when it holds on none, the first day's.
 * Every question about a unit (the eligibility endpoint, enrollments, batch generation) comes here.
 */
export function decideUnit(
  policy: PolicyWithVersions,
  days: HouseholdDays,
  personId: string | null,
  dates: readonly string[],
  lang: Language = DEFAULT_LANGUAGE,
): { decision: Decision; date: string } {
  let first: { decision: Decision; date: string } | undefined;
  for (const date of dates) {
    const day = days.on(date);
    if (day === null) continue;
    const decision = decideBeneficiary(policy, day.snapshot, date, personId, day, lang);
    if (decision.eligible) return { decision, date };
    first ??= { decision, date };
  }
  if (first) return first;
  const date = dates[0];
  return {
    date,
    decision: {
      policyCode: policy.code,
      personId,
      eligible: false,
      amount: null,
      versionId: null,
      reasons: [
        {
          condition: `the household is registered on ${date}`,
          label: wording(lang).phrase('notRegistered', { date }),
          actual: null,
          expected: 'registered',
          passed: false,
        },
      ],
    },
  };
}

/** The date `judgeUnit` decided on (its first eligible day, else its first day): read right after the call. */
let judgedOn = '';

/**
 * `decideUnit` without the explanation: the same days, the same first eligible day and version.
 * The day it decided on is left in `judgedOn` (no wrapper object per call: the bulk stream makes
 * millions of these).
 */
export function judgeUnit(
  policy: PolicyWithVersions,
  days: HouseholdDays,
  personId: string | null,
  dates: readonly string[],
): Verdict {
  let first: Verdict | undefined;
  let firstDate = dates[0];
  for (let d = 0; d < dates.length; d++) {
    const date = dates[d];
    const day = days.on(date);
    if (day === null) continue;
    const version = versionOn(policy, decisionDate(policy, date));
    let verdict: Verdict;
    if (policy.unit === 'HOUSEHOLD') verdict = judgeOne(policy, version, day.household(), null, null);
    else {
      const member = day.beneficiary(policy, personId);
      verdict = member
        ? judgeOne(policy, version, day.familyOf(policy, member), personId, day.person(member))
        : { policyCode: policy.code, personId, eligible: false, amount: null, versionId: version?.id ?? null };
    }
    if (verdict.eligible) {
      judgedOn = date;
      return verdict;
    }
    if (first === undefined) {
      first = verdict;
      firstDate = date;
    }
  }
  judgedOn = firstDate;
  return first ?? { policyCode: policy.code, personId, eligible: false, amount: null, versionId: null };
}

/**
 * The possible beneficiaries of a person benefit over a unit's days: those of any of the days, in
 * order of appearance (ids).
 */
function candidatesOver(policy: PolicyWithVersions, days: HouseholdDays, dates: readonly string[]): readonly string[] {
  const seen: string[] = [];
  for (let d = 0; d < dates.length; d++) {
    const day = days.on(dates[d]);
    if (day === null) continue;
    const list = day.beneficiaries(policy);
    for (let i = 0; i < list.length; i++) if (!seen.includes(list[i].personId)) seen.push(list[i].personId);
  }
  return seen;
}

/**
 * Every policy for every possible beneficiary of one household, for the unit (month, year, once)
 * that contains `asOf`, each decided by `decideUnit` (explained) or `judgeUnit` (with `explain`
 * picking the verdicts to explain after all): the GET eligibility answer and the bulk stream.
 * Possible beneficiaries: those of any of the unit's decision days, in order of appearance.
 */
export function decideHouseholdForUnits(
  catalogue: readonly PolicyWithVersions[],
  snapshotAt: SnapshotAt,
  asOf: string,
  changesIn?: ChangesIn,
  mode: { explained: true; lang?: Language } | { explained: false; explain?: (verdict: Verdict) => boolean } = {
    explained: true,
  },
): VerdictOrDecision[] {
  const days = new HouseholdDays(snapshotAt);
  const out: VerdictOrDecision[] = [];
  // The month's days without the versions' start days are the household's, computed once; a
  // policy whose version starts within the month adds that day. The other units' single days are
  // shared too, so that policies deciding on the same days share their beneficiaries.
  let monthDays: string[] | undefined;
  const singleDays = new Map<string, string[]>();
  // The possible beneficiaries per kind (PARENTS, CHILDREN, MEMBERS) and unit's days.
  const candidates = new Map<readonly string[], Map<string, readonly string[]>>();
  for (const policy of catalogue) {
    let dates: string[];
    if (policy.frequency === 'MONTHLY') {
      monthDays ??= unitDays({ ...policy, versions: [] }, snapshotAt, asOf, changesIn);
      const first = monthDays[0];
      const last = monthEnd(first);
      let starts = false;
      for (const version of policy.versions) {
        if (version.effectiveFrom > first && version.effectiveFrom <= last) starts = true;
      }
      dates = !starts
        ? monthDays
        : [
            ...new Set([
              ...monthDays,
              ...policy.versions
                .filter((v) => v.effectiveFrom > first && v.effectiveFrom <= last)
                .map((v) => v.effectiveFrom),
            ]),
          ].sort();
    } else {
      const day = policy.frequency === 'ANNUAL' ? decisionDate(policy, asOf) : asOf;
      let shared = singleDays.get(day);
      if (shared === undefined) {
        shared = [day];
        singleDays.set(day, shared);
      }
      dates = shared;
    }
    if (policy.unit === 'HOUSEHOLD') {
      out.push(judgeOrDecide(policy, days, null, dates, mode));
      continue;
    }
    let byKind = candidates.get(dates);
    if (byKind === undefined) {
      byKind = new Map();
      candidates.set(dates, byKind);
    }
    let persons = byKind.get(policy.beneficiaries);
    if (persons === undefined) {
      persons = candidatesOver(policy, days, dates);
      byKind.set(policy.beneficiaries, persons);
    }
    for (let i = 0; i < persons.length; i++) out.push(judgeOrDecide(policy, days, persons[i], dates, mode));
  }
  return out;
}

function judgeOrDecide(
  policy: PolicyWithVersions,
  days: HouseholdDays,
  personId: string | null,
  dates: readonly string[],
  mode: { explained: true; lang?: Language } | { explained: false; explain?: (verdict: Verdict) => boolean },
): VerdictOrDecision {
  if (mode.explained) return decideUnit(policy, days, personId, dates, mode.lang).decision;
  const verdict = judgeUnit(policy, days, personId, dates);
  return mode.explain?.(verdict) ? decideUnit(policy, days, personId, [judgedOn]).decision : verdict;
}

/**
 * What one beneficiary is owed by one policy for one period, by the time rules of SPEC.md:
 * - MONTHLY: each calendar month of the period (`YYYY-MM`, or the 12 months of `YYYY`) in which the
 *   rule holds on at least one day, at the amount of the version in force on the first such day;
 * - ANNUAL: the year (`YYYY` only), decided on 1 January with the version in force that day (ages
 *   by birth year); what happens during the year does not take it back;
 * - ONE_TIME and STANDING: decided once, on the period's last day. "Once ever" is the payments'
 *   concern (a one-time benefit already paid is not owed again), not this function's.
 *
 * `snapshotAt(date)` gives the household as of a date and `changesIn` the days its dated history
 * changed (the caller preloads them: this function is pure). Throws RangeError for a malformed
 * period or a month period of an annual benefit.
 */
export function amountForPeriod(
  policy: PolicyWithVersions,
  snapshotAt: SnapshotAt,
  personId: string | null,
  period: string,
  changesIn?: ChangesIn,
  days: HouseholdDays = new HouseholdDays(snapshotAt),
  lang: Language = DEFAULT_LANGUAGE,
): PeriodAmount {
  const parsed = parsePeriod(period);
  if (!parsed) throw new RangeError(`period ${JSON.stringify(period)} is neither YYYY nor YYYY-MM`);
  const beneficiary = policy.unit === 'HOUSEHOLD' ? null : personId;
  const months: PeriodMonth[] = [];
  const decide = (month: string, dates: readonly string[]) => {
    const { decision, date } = decideUnit(policy, days, beneficiary, dates, lang);
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
      for (const month of monthsOf(parsed)) {
        const [year, m] = month.split('-').map(Number);
        decide(
          month,
          decisionDays(policy, snapshotAt, `${month}-01`, formatDate(year, m, daysInMonth(year, m)), changesIn),
        );
      }
      break;
    case 'ANNUAL':
      if (parsed.kind !== 'YEAR') throw new RangeError(`${policy.code} is annual: its period is a year (YYYY)`);
      decide(`${period}-01`, [parsed.firstDay]);
      break;
    case 'ONE_TIME':
    case 'STANDING':
      decide(parsed.lastDay.slice(0, 7), [parsed.lastDay]);
      break;
  }
  const total =
    policy.benefitKind === 'NON_CASH'
      ? null
      : sumAmounts(months.filter((month) => month.eligible && month.amount !== null).map((month) => month.amount!));
  return { policyCode: policy.code, personId: beneficiary, period, total, months };
}
