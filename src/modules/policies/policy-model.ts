import type { FieldProblem } from '../../common/errors.js';
import { callerText } from '../../common/request-context.js';
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
  /**
   * The share of each cash line that an offset may take to recover the household's overpayment
   * claims: a decimal string from "0.00" to "1.00" (the database's default, "0.50", when absent).
   */
  offsetShare?: string;
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

/** The share of a cash line an offset may take when a version names none (SPEC.md: 50%). */
export const DEFAULT_OFFSET_SHARE = '0.50';

const OFFSET_SHARE = /^(0(\.\d{1,2})?|1(\.0{1,2})?)$/;

/** Why `share` is not an offset share (a decimal string from 0 to 1, at most two places); none when absent. */
export function offsetShareProblems(share: unknown, field = 'offsetShare'): FieldProblem[] {
  if (share === undefined || (typeof share === 'string' && OFFSET_SHARE.test(share))) return [];
  return [{ field, message: callerText('amountProblems.offsetShare', { field }) }];
}
