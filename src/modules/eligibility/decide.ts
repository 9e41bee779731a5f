import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyDefinition, PolicyInForce, PolicyVersion, PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdSnapshot, PersonSnapshot } from '../registry/household-snapshot.js';
import { DEFAULT_LANGUAGE, type Language } from '../../common/i18n/i18n.js';
import { compileAmountRule, type AmountFn } from './amount-rule.js';
import { wording } from './condition-labels.js';
import {
  childFamily,
  familyFacts,
  householdParents,
  isChildMember,
  isParentMember,
  isPresent,
  parentFamily,
  personFacts,
  type Facts,
  type FamilyKey,
} from './facts.js';
import { compileRule, evaluateRule, ruleHolds, type CompiledRule, type Reason } from './rule.js';

/**
 * The eligibility engine: pure functions of (household snapshot, date, policy versions). Every
 * explained decision (the single-household endpoint, enrollments, period amounts, the explained
 * stream) comes through `decideOne`; the unexplained bulk answer comes through `judgeOne`, which
 * runs the same compiled tests and amount rule and only skips building the reasons.
 */
export interface Verdict {
  policyCode: PolicyCode;
  /** The beneficiary; null for a benefit paid to the household. */
  personId: string | null;
  eligible: boolean;
  /** Two-place yuan for the period (month, year, or the one-time sum) when eligible; null for non-cash or not eligible. */
  amount: string | null;
  /** The version that decided; null when no version was in force on the date. */
  versionId: string | null;
}

/** A verdict with its explanation: for each condition, the fact's value and whether it held. */
export interface Decision extends Verdict {
  reasons: Reason[];
}

/**
 * The date a policy's decision is made on for a question asked on `asOf`: 1 January of the year
 * for annual benefits (SPEC.md: "a year is decided on 1 January"), else the date itself.
 */
export function decisionDate(policy: Pick<PolicyDefinition, 'frequency'>, asOf: string): string {
  return policy.frequency !== 'ANNUAL' || asOf.endsWith('-01-01') ? asOf : `${asOf.slice(0, 4)}-01-01`;
}

/** The version in force on `date`, or null. */
export function versionOn(policy: PolicyWithVersions, date: string): PolicyVersion | null {
  for (const version of policy.versions) {
    if (version.effectiveFrom <= date && (version.effectiveTo === null || version.effectiveTo >= date)) return version;
  }
  return null;
}

/** For each policy, the version that decides `asOf` (see `decisionDate`). */
export function selectVersionsInForce(policies: readonly PolicyWithVersions[], asOf: string): PolicyInForce[] {
  return policies.map((policy) => ({ policy, version: versionOn(policy, decisionDate(policy, asOf)) }));
}

interface CompiledVersion {
  rule: CompiledRule;
  amount: AmountFn;
}

/** Versions are immutable once loaded, so each is compiled once per process. */
const compiled = new WeakMap<PolicyVersion, CompiledVersion>();

function compileVersion(version: PolicyVersion): CompiledVersion {
  let entry = compiled.get(version);
  if (!entry) {
    entry = { rule: compileRule(version.rule), amount: compileAmountRule(version.amount) };
    compiled.set(version, entry);
  }
  return entry;
}

/**
 * Whether a member is a possible beneficiary: for PARENTS, a member with a linked child in the
 * household (born or adopted by the date, living or not); for CHILDREN, a member whose mother or
 * father is a member; for MEMBERS, everyone. Links, never relations to the head.
 */
export function isBeneficiary(
  policy: Pick<PolicyDefinition, 'beneficiaries'>,
  snapshot: HouseholdSnapshot,
  person: PersonSnapshot,
): boolean {
  switch (policy.beneficiaries) {
    case 'HOUSEHOLD':
      return false;
    case 'PARENTS':
      return isParentMember(snapshot, person);
    case 'CHILDREN':
      return isChildMember(snapshot, person);
    case 'MEMBERS':
      return isPresent(person);
  }
}

const sameKey = (a: FamilyKey, b: FamilyKey) => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * The facts of one household on one date, each family's and member's computed at most once: the
 * household's own family (household benefits, MEMBERS), a parent's family (PARENTS: the parent, the
 * other parent of their children, their own children), a child's family (CHILDREN: its mother and
 * father and their children).
 */
export class DayFacts {
  private householdKey: FamilyKey | undefined;
  private householdValues: Facts | undefined;
  private readonly parentFamilies = new Map<string, Facts>();
  private readonly childFamilies = new Map<string, Facts>();
  private readonly persons = new Map<string, Facts>();
  /** Per kind of beneficiaries (PARENTS, CHILDREN, MEMBERS): the members who are, in member order. */
  private readonly beneficiaryLists = new Map<PolicyDefinition['beneficiaries'], PersonSnapshot[]>();

  constructor(
    readonly snapshot: HouseholdSnapshot,
    readonly date: string,
  ) {}

  /** The members who are possible beneficiaries of a person benefit on this day (`isBeneficiary`), in member order. */
  beneficiaries(policy: Pick<PolicyDefinition, 'beneficiaries'>): readonly PersonSnapshot[] {
    let list = this.beneficiaryLists.get(policy.beneficiaries);
    if (list === undefined) {
      list = [];
      for (const member of this.snapshot.members) if (isBeneficiary(policy, this.snapshot, member)) list.push(member);
      this.beneficiaryLists.set(policy.beneficiaries, list);
    }
    return list;
  }

  /**
   * The member `personId` when it is a possible beneficiary of `policy` on this day, else
   * undefined: `isBeneficiary` of the member with that id (a person is a member once).
   */
  beneficiary(policy: Pick<PolicyDefinition, 'beneficiaries'>, personId: string | null): PersonSnapshot | undefined {
    const list = this.beneficiaries(policy);
    for (let i = 0; i < list.length; i++) if (list[i].personId === personId) return list[i];
    return undefined;
  }

  household(): Facts {
    if (this.householdValues === undefined) {
      this.householdKey = householdParents(this.snapshot);
      this.householdValues = familyFacts(this.snapshot, this.date, this.householdKey);
    }
    return this.householdValues;
  }

  /** The `household.*` facts a decision for `member` under `policy` reads. */
  familyOf(policy: Pick<PolicyDefinition, 'beneficiaries'>, member: PersonSnapshot): Facts {
    if (policy.beneficiaries === 'MEMBERS' || policy.beneficiaries === 'HOUSEHOLD') return this.household();
    const parent = policy.beneficiaries === 'PARENTS';
    const families = parent ? this.parentFamilies : this.childFamilies;
    let facts = families.get(member.personId);
    if (facts === undefined) {
      const household = this.household();
      if (parent) {
        const key = parentFamily(this.snapshot, member.personId);
        facts = familyFacts(this.snapshot, this.date, key, [member.personId]);
      } else {
        const key = childFamily(this.snapshot, member);
        facts = sameKey(key, this.householdKey!) ? household : familyFacts(this.snapshot, this.date, key);
      }
      families.set(member.personId, facts);
    }
    return facts;
  }

  person(member: PersonSnapshot): Facts {
    let facts = this.persons.get(member.personId);
    if (facts === undefined) {
      facts = personFacts(member, this.date);
      this.persons.set(member.personId, facts);
    }
    return facts;
  }
}

/** The residence condition every decision starts with (SPEC.md "Residence"). */
function residenceReason(resident: boolean, person: boolean, lang: Language): Reason {
  return {
    condition: person ? 'person.resident = true' : 'household.resident = true',
    label: residenceLabels(lang)[person ? (resident ? 0 : 1) : resident ? 2 : 3],
    actual: resident,
    expected: '= true',
    passed: resident,
  };
}

/** The four residence labels (person yes, person no, household yes, household no) of a language. */
const residenceLabels = (() => {
  const made = new Map<Language, string[]>();
  return (lang: Language): string[] => {
    let labels = made.get(lang);
    if (!labels) {
      const words = wording(lang);
      labels = ['person.resident', 'household.resident'].flatMap((fact) =>
        [true, false].map((resident) =>
          words.phrase('residence', { fact: words.fact(fact), actual: words.value(resident) }),
        ),
      );
      made.set(lang, labels);
    }
    return labels;
  };
})();

const residentOf = (household: Facts, person: Facts | null): boolean =>
  (person === null ? household['household.resident'] : person['person.resident']) === true;

/**
 * Decides one policy for one beneficiary (person facts null for a household benefit). Every
 * decision of this module is made here.
 */
export function decideOne(
  policy: PolicyDefinition,
  version: PolicyVersion | null,
  asOf: string,
  household: Facts,
  personId: string | null,
  person: Facts | null,
  lang: Language = DEFAULT_LANGUAGE,
): Decision {
  const reasons: Reason[] = [];
  if (version === null) {
    reasons.push({
      condition: `a version of ${policy.code} in force on ${decisionDate(policy, asOf)}`,
      label: wording(lang).phrase('noVersion', { date: decisionDate(policy, asOf) }),
      actual: null,
      expected: 'a version in force',
      passed: false,
    });
    return { policyCode: policy.code, personId, eligible: false, amount: null, versionId: null, reasons };
  }
  const { rule, amount: amountOf } = compileVersion(version);
  const resident = residentOf(household, person);
  reasons.push(residenceReason(resident, person !== null, lang));
  let eligible = evaluateRule(rule, household, person, reasons, lang) && resident;
  let amount: string | null = null;
  if (eligible) {
    const value = amountOf(household, person, reasons, lang);
    if (value === undefined) eligible = false;
    else amount = value;
  }
  return { policyCode: policy.code, personId, eligible, amount, versionId: version.id, reasons };
}

/** Where an amount rule's reasons go when nobody reads them (emptied after each use). */
const unread: Reason[] = [];

/**
 * `decideOne` without the explanation: the same version, the same compiled tests (stopped at the
 * first that fails) and the same amount rule, so `eligible`, `amount` and `versionId` are always
 * those of `decideOne`. For bulk answers that are counted or filtered, never shown or stored.
 */
export function judgeOne(
  policy: PolicyDefinition,
  version: PolicyVersion | null,
  household: Facts,
  personId: string | null,
  person: Facts | null,
): Verdict {
  if (version === null) return { policyCode: policy.code, personId, eligible: false, amount: null, versionId: null };
  const entry = compileVersion(version);
  let eligible = residentOf(household, person) && ruleHolds(entry.rule, household, person);
  let amount: string | null = null;
  if (eligible) {
    const value = entry.amount(household, person, unread);
    unread.length = 0;
    if (value === undefined) eligible = false;
    else amount = value;
  }
  return { policyCode: policy.code, personId, eligible, amount, versionId: version.id };
}

/**
 * Calls `decide` for every policy and every possible beneficiary of one household on `asOf`: once
 * per household benefit, once per candidate member (parents, children or all members, as the
 * policy says and the parent links show, living or not: a dead member is decided ineligible with
 * that reason) for person benefits. Each family's and member's facts are computed at most once.
 */
function forEachBeneficiary<T>(
  snapshot: HouseholdSnapshot,
  asOf: string,
  versionsInForce: readonly PolicyInForce[],
  decide: (
    policy: PolicyDefinition,
    version: PolicyVersion | null,
    household: Facts,
    personId: string | null,
    person: Facts | null,
  ) => T,
): T[] {
  const day = new DayFacts(snapshot, asOf);
  const members = snapshot.members;
  const decisions: T[] = [];
  for (const { policy, version } of versionsInForce) {
    if (policy.unit === 'HOUSEHOLD') {
      decisions.push(decide(policy, version, day.household(), null, null));
      continue;
    }
    for (let i = 0; i < members.length; i++) {
      const member = members[i];
      if (!isBeneficiary(policy, snapshot, member)) continue;
      decisions.push(decide(policy, version, day.familyOf(policy, member), member.personId, day.person(member)));
    }
  }
  return decisions;
}

/** Every policy for every possible beneficiary of one household on `asOf`, explained. */
export function decideHousehold(
  snapshot: HouseholdSnapshot,
  asOf: string,
  versionsInForce: readonly PolicyInForce[],
): Decision[] {
  return forEachBeneficiary(snapshot, asOf, versionsInForce, (policy, version, household, personId, person) =>
    decideOne(policy, version, asOf, household, personId, person),
  );
}

/** A verdict that carries its explanation when the caller asked for it (see `judgeHousehold`). */
export type VerdictOrDecision = Verdict & { reasons?: Reason[] };

/**
 * `decideHousehold` without the explanations: the same beneficiaries in the same order, each
 * answered by `judgeOne`. Equal to `decideHousehold` with the reasons left out, except for the
 * verdicts `explain` picks (say, the eligible of the policies about to be stored), which are
 * decided again by `decideOne` on the same facts and come with their reasons.
 */
export function judgeHousehold(
  snapshot: HouseholdSnapshot,
  asOf: string,
  versionsInForce: readonly PolicyInForce[],
  explain?: (verdict: Verdict) => boolean,
): VerdictOrDecision[] {
  if (!explain) return forEachBeneficiary(snapshot, asOf, versionsInForce, judgeOne);
  return forEachBeneficiary(snapshot, asOf, versionsInForce, (policy, version, household, personId, person) => {
    const verdict = judgeOne(policy, version, household, personId, person);
    return explain(verdict) ? decideOne(policy, version, asOf, household, personId, person) : verdict;
  });
}

/**
 * One policy for one beneficiary on `asOf` (the building block of period amounts). A person who is
 * not a possible beneficiary in the snapshot (not yet born, moved out) is not eligible, with that
 * as the reason.
 */
export function decideBeneficiary(
  policy: PolicyWithVersions,
  snapshot: HouseholdSnapshot,
  asOf: string,
  personId: string | null,
  day: DayFacts = new DayFacts(snapshot, asOf),
  lang: Language = DEFAULT_LANGUAGE,
): Decision {
  const version = versionOn(policy, decisionDate(policy, asOf));
  if (policy.unit === 'HOUSEHOLD') return decideOne(policy, version, asOf, day.household(), null, null, lang);
  const member = snapshot.members.find((candidate) => candidate.personId === personId);
  if (!member || !isBeneficiary(policy, snapshot, member))
    return notABeneficiary(policy, asOf, personId, member, version, lang);
  return decideOne(policy, version, asOf, day.familyOf(policy, member), member.personId, day.person(member), lang);
}

const BENEFICIARY_WORDS = {
  PARENTS: 'beneficiaryPARENTS',
  CHILDREN: 'beneficiaryCHILDREN',
  MEMBERS: 'beneficiaryMEMBERS',
} as const;

function notABeneficiary(
  policy: PolicyDefinition,
  asOf: string,
  personId: string | null,
  member: PersonSnapshot | undefined,
  version: PolicyVersion | null,
  lang: Language,
): Decision {
  const words = wording(lang);
  const key = BENEFICIARY_WORDS[policy.beneficiaries as keyof typeof BENEFICIARY_WORDS];
  return {
    policyCode: policy.code,
    personId,
    eligible: false,
    amount: null,
    versionId: version?.id ?? null,
    reasons: [
      {
        condition: `beneficiary is one of the household's ${policy.beneficiaries.toLowerCase()} on ${asOf}`,
        label: words.phrase('notBeneficiary', {
          date: asOf,
          beneficiaries: key ? words.phrase(key) : policy.beneficiaries,
          actual: member ? words.value(false) : words.phrase('notMember'),
        }),
        actual: member ? member.relation : null,
        expected: policy.beneficiaries,
        passed: false,
      },
    ],
  };
}
