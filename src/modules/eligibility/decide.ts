import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyDefinition, PolicyInForce, PolicyVersion, PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdSnapshot, PersonSnapshot } from '../registry/household-snapshot.js';
import { compileAmountRule, type AmountFn } from './amount-rule.js';
import { yearEnd } from './calendar.js';
import { householdFacts, personFacts, type Facts } from './facts.js';
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

/** The date a policy's version is chosen for: 31 December for annual benefits, else the date itself. */
export function decisionDate(policy: Pick<PolicyDefinition, 'frequency'>, asOf: string): string {
  return policy.frequency === 'ANNUAL' ? yearEnd(asOf) : asOf;
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

export function isBeneficiary(policy: Pick<PolicyDefinition, 'beneficiaries'>, person: PersonSnapshot): boolean {
  switch (policy.beneficiaries) {
    case 'HOUSEHOLD':
      return false;
    case 'PARENTS':
      return person.relation === 'HEAD' || person.relation === 'SPOUSE';
    case 'CHILDREN':
      return person.relation === 'CHILD';
    case 'MEMBERS':
      return true;
  }
}

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
): Decision {
  const reasons: Reason[] = [];
  if (version === null) {
    reasons.push({
      condition: `a version of ${policy.code} in force on ${decisionDate(policy, asOf)}`,
      actual: null,
      expected: 'a version in force',
      passed: false,
    });
    return { policyCode: policy.code, personId, eligible: false, amount: null, versionId: null, reasons };
  }
  const { rule, amount: amountOf } = compileVersion(version);
  let eligible = evaluateRule(rule, household, person, reasons);
  let amount: string | null = null;
  if (eligible) {
    const value = amountOf(household, person, reasons);
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
  let eligible = ruleHolds(entry.rule, household, person);
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
 * policy says, living or not: a dead member is decided ineligible with that reason) for person
 * benefits. Household facts are computed once, each member's facts at most once.
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
  const household = householdFacts(snapshot, asOf);
  const members = snapshot.members;
  const memberFacts: (Facts | undefined)[] = new Array(members.length);
  const decisions: T[] = [];
  for (const { policy, version } of versionsInForce) {
    if (policy.unit === 'HOUSEHOLD') {
      decisions.push(decide(policy, version, household, null, null));
      continue;
    }
    for (let i = 0; i < members.length; i++) {
      const member = members[i];
      if (!isBeneficiary(policy, member)) continue;
      const facts = (memberFacts[i] ??= personFacts(member, asOf));
      decisions.push(decide(policy, version, household, member.personId, facts));
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
): Decision {
  const version = versionOn(policy, decisionDate(policy, asOf));
  const household = householdFacts(snapshot, asOf);
  if (policy.unit === 'HOUSEHOLD') return decideOne(policy, version, asOf, household, null, null);
  const member = snapshot.members.find((candidate) => candidate.personId === personId);
  if (!member || !isBeneficiary(policy, member)) {
    return {
      policyCode: policy.code,
      personId,
      eligible: false,
      amount: null,
      versionId: version?.id ?? null,
      reasons: [
        {
          condition: `beneficiary is one of the household's ${policy.beneficiaries.toLowerCase()} on ${asOf}`,
          actual: member ? member.relation : null,
          expected: policy.beneficiaries,
          passed: false,
        },
      ],
    };
  }
  return decideOne(policy, version, asOf, household, member.personId, personFacts(member, asOf));
}
