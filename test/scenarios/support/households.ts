import type { Decision } from '../../../src/modules/eligibility/decide.js';
import {
  amountForPeriod,
  decideHouseholdForUnits,
  type PeriodAmount,
} from '../../../src/modules/eligibility/period-amount.js';
import { cataloguePolicies } from '../../../src/modules/policies/catalogue.js';
import type { PolicyCode } from '../../../src/modules/policies/policy-codes.js';
import type { PolicyWithVersions } from '../../../src/modules/policies/policy-model.js';
import type {
  HouseholdSnapshot,
  HukouType,
  PersonSnapshot,
  Relation,
  Sex,
} from '../../../src/modules/registry/household-snapshot.js';

/**
 * A household's history for scenario tests: people with dated changes, from which `at(date)` builds
 * the registry's snapshot as of that date (what the registry does from its events).
 */
export interface PersonHistory {
  id: string;
  sex: Sex;
  born: string;
  relation: Relation;
  hukou?: HukouType;
  /** Hukou changes: [{ from, hukou }] in date order. */
  hukouChanges?: { from: string; hukou: HukouType }[];
  died?: string;
  birthOrder?: number;
  adoptedOn?: string;
  /** Disability assessments in date order; grade null lifts it. */
  disability?: { from: string; grade: number | null }[];
  complication?: { from: string; grade: number | null }[];
  collegeAdmittedOn?: string;
  /** The person's own mother and father (ids of people of the history); a CHILD without them is linked to the HEAD and SPOUSE by sex. */
  mother?: string;
  father?: string;
  /** Hukou moved into the city on this date (not resident before); moved out on `movedOut`. */
  movedIn?: string;
  /** Left the household on this date (MEMBER_LEFT). */
  left?: string;
  movedOut?: string;
}

export const SEEDED_POLICIES = cataloguePolicies();

export interface HouseholdHistory {
  id?: string;
  regionCode?: string;
  people: PersonHistory[];
  certificate?: { issuedOn: string; revokedOn?: string };
  violations?: { year: number; recordedOn: string }[];
  quotaWaivedOn?: string;
}

function latest<T extends { from: string }>(changes: T[] | undefined, date: string): T | undefined {
  let found: T | undefined;
  for (const change of changes ?? []) if (change.from <= date) found = change;
  return found;
}

function parentOf(history: HouseholdHistory, person: PersonHistory, role: 'mother' | 'father'): string | null {
  if (person[role] !== undefined) return person[role]!;
  if (person.relation !== 'CHILD' || person.mother !== undefined || person.father !== undefined) return null;
  const sex = role === 'mother' ? 'F' : 'M';
  return history.people.find((p) => (p.relation === 'HEAD' || p.relation === 'SPOUSE') && p.sex === sex)?.id ?? null;
}

export function snapshotAt(history: HouseholdHistory, date: string): HouseholdSnapshot {
  const members: PersonSnapshot[] = history.people
    .filter((person) => (person.adoptedOn ?? person.born) <= date)
    .map((person) => ({
      personId: person.id,
      idNumber: `410122${person.born.replace(/-/g, '')}0000`,
      name: person.id,
      sex: person.sex,
      birthDate: person.born,
      deathDate: person.died !== undefined && person.died <= date ? person.died : null,
      hukouType: latest(person.hukouChanges, date)?.hukou ?? person.hukou ?? 'RURAL',
      relation: person.relation,
      birthOrder: person.relation === 'CHILD' ? (person.birthOrder ?? 1) : null,
      adopted: person.adoptedOn !== undefined,
      adoptedOn: person.adoptedOn ?? null,
      disabilityGrade: latest(person.disability, date)?.grade ?? null,
      complicationGrade: latest(person.complication, date)?.grade ?? null,
      collegeAdmittedOn:
        person.collegeAdmittedOn !== undefined && person.collegeAdmittedOn <= date ? person.collegeAdmittedOn : null,
      leftOn: person.left !== undefined && person.left <= date ? person.left : null,
      motherId: parentOf(history, person, 'mother'),
      fatherId: parentOf(history, person, 'father'),
      resident:
        (person.movedIn === undefined || person.movedIn <= date) &&
        (person.movedOut === undefined || person.movedOut > date),
    }));
  const certificate = history.certificate;
  return {
    householdId: history.id ?? '00000000-0000-4000-8000-000000000001',
    householdNo: 'H-0001',
    regionCode: history.regionCode ?? '410122100201',
    address: '中牟县',
    asOf: date,
    members,
    certificate:
      certificate && certificate.issuedOn <= date
        ? {
            certificateNo: 'C-1',
            issuedOn: certificate.issuedOn,
            revokedOn:
              certificate.revokedOn !== undefined && certificate.revokedOn <= date ? certificate.revokedOn : null,
          }
        : null,
    violationYears: (history.violations ?? []).filter((v) => v.recordedOn <= date).map((v) => v.year),
    quotaWaivedOn: history.quotaWaivedOn !== undefined && history.quotaWaivedOn <= date ? history.quotaWaivedOn : null,
    bankAccount: null,
  };
}

export function policy(code: PolicyCode): PolicyWithVersions {
  const found = SEEDED_POLICIES.find((candidate) => candidate.code === code);
  if (!found) throw new Error(`no seeded policy ${code}`);
  return found;
}

/** The days from `first` to `last` on which a dated fact of the history changed (what the registry's history answers). */
export function changesIn(history: HouseholdHistory, first: string, last: string): string[] {
  const dates = history.people.flatMap((p) => [
    ...(p.hukouChanges ?? []).map((c) => c.from),
    ...(p.disability ?? []).map((c) => c.from),
    ...(p.complication ?? []).map((c) => c.from),
    ...(p.movedIn ? [p.movedIn] : []),
    ...(p.movedOut ? [p.movedOut] : []),
    ...(p.left ? [p.left] : []),
  ]);
  dates.push(...(history.violations ?? []).map((v) => v.recordedOn));
  return dates.filter((d) => d >= first && d <= last);
}

/**
 * Every decision for the household asked on `date` (each for the unit containing it: its month, its
 * year, once), with the seeded catalogue: what GET eligibility?asOf= answers.
 */
export function decisionsOn(history: HouseholdHistory, date: string): Decision[] {
  return decideHouseholdForUnits(
    SEEDED_POLICIES,
    (on) => snapshotAt(history, on),
    date,
    (first, last) => changesIn(history, first, last),
  ) as Decision[];
}

/** The decision of one policy for one beneficiary (null: the household) on `date`. */
export function decide(
  history: HouseholdHistory,
  code: PolicyCode,
  date: string,
  personId: string | null = null,
): Decision {
  const found = decisionsOn(history, date).find(
    (decision) => decision.policyCode === code && decision.personId === personId,
  );
  if (!found) throw new Error(`no decision for ${code} / ${personId ?? 'household'} on ${date}`);
  return found;
}

export function periodAmount(
  history: HouseholdHistory,
  code: PolicyCode,
  period: string,
  personId: string | null = null,
): PeriodAmount {
  return amountForPeriod(
    policy(code),
    (date) => snapshotAt(history, date),
    personId,
    period,
    (first, last) => changesIn(history, first, last),
  );
}

/** The conditions that failed, by their text. */
export const failed = (decision: Decision) => decision.reasons.filter((r) => !r.passed).map((r) => r.condition);

/** Shorthands for the usual family. */
export const father = (born: string, extra: Partial<PersonHistory> = {}): PersonHistory => ({
  id: 'father',
  sex: 'M',
  born,
  relation: 'HEAD',
  ...extra,
});
export const mother = (born: string, extra: Partial<PersonHistory> = {}): PersonHistory => ({
  id: 'mother',
  sex: 'F',
  born,
  relation: 'SPOUSE',
  ...extra,
});
export const child = (id: string, sex: Sex, born: string, extra: Partial<PersonHistory> = {}): PersonHistory => ({
  id,
  sex,
  born,
  relation: 'CHILD',
  ...extra,
});
