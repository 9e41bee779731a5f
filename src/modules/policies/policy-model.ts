import type { AmountRule, FundingShares } from '../eligibility/amount-rule.js';
import type { Rule } from '../eligibility/rule.js';
import type { PolicyCode } from './policy-codes.js';

export const POLICY_CATEGORIES = ['REWARD', 'PREFERENTIAL', 'EXEMPTION', 'SUPPORT', 'SECURITY', 'RELIEF'] as const;
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];
export type BenefitKind = 'CASH' | 'NON_CASH';
export type BenefitUnit = 'HOUSEHOLD' | 'PERSON';
/** Who the possible beneficiaries are: the household itself, its parents (HEAD, SPOUSE), its children, or every member. */
export type Beneficiaries = 'HOUSEHOLD' | 'PARENTS' | 'CHILDREN' | 'MEMBERS';
export type Frequency = 'MONTHLY' | 'ANNUAL' | 'ONE_TIME' | 'STANDING';

/** A policy of the catalogue (table `policies`): what does not change between versions. */
export interface PolicyDefinition {
  code: PolicyCode;
  name: string;
  category: PolicyCategory;
  benefitKind: BenefitKind;
  unit: BenefitUnit;
  beneficiaries: Beneficiaries;
  frequency: Frequency;
  /** Prefix of entitlement numbers for non-cash benefits (`EXB-410122-2012-000123`); null for cash. */
  entitlementPrefix: string | null;
}

/** One version of a policy (table `policy_versions`). Dates are `YYYY-MM-DD`, both ends inclusive. */
export interface PolicyVersion {
  id: string;
  policyCode: PolicyCode;
  versionNo: number;
  effectiveFrom: string;
  /** Null while the version is open-ended. */
  effectiveTo: string | null;
  rule: Rule;
  amount: AmountRule;
  fundingShares: FundingShares;
}

/** A policy with all its versions, ordered by `effectiveFrom`. */
export interface PolicyWithVersions extends PolicyDefinition {
  versions: readonly PolicyVersion[];
}

/** The version of a policy that decides a given date, or null when none is in force. */
export interface PolicyInForce {
  policy: PolicyDefinition;
  version: PolicyVersion | null;
}
