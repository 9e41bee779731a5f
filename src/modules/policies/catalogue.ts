import type { AmountRule, FundingShares } from '../eligibility/amount-rule.js';
import { validateAmountRule } from '../eligibility/amount-rule.js';
import { validateRule, type Rule } from '../eligibility/rule.js';
import OcpReward from './catalogue/OCP_REWARD.json' with { type: 'json' };
import RuralReward from './catalogue/RURAL_REWARD.json' with { type: 'json' };
import QuotaWaiverReward from './catalogue/QUOTA_WAIVER_REWARD.json' with { type: 'json' };
import RetirementReward from './catalogue/RETIREMENT_REWARD.json' with { type: 'json' };
import ExamBonus from './catalogue/EXAM_BONUS.json' with { type: 'json' };
import ElderCarePriority from './catalogue/ELDER_CARE_PRIORITY.json' with { type: 'json' };
import HousingPriority from './catalogue/HOUSING_PRIORITY.json' with { type: 'json' };
import NcmsWaiver from './catalogue/NCMS_WAIVER.json' with { type: 'json' };
import TuitionWaiver from './catalogue/TUITION_WAIVER.json' with { type: 'json' };
import ComplicationSupport from './catalogue/COMPLICATION_SUPPORT.json' with { type: 'json' };
import CollegeGrant from './catalogue/COLLEGE_GRANT.json' with { type: 'json' };
import PensionSubsidy from './catalogue/PENSION_SUBSIDY.json' with { type: 'json' };
import FpInsurance from './catalogue/FP_INSURANCE.json' with { type: 'json' };
import SpecialBereaved from './catalogue/SPECIAL_BEREAVED.json' with { type: 'json' };
import SpecialDisabled from './catalogue/SPECIAL_DISABLED.json' with { type: 'json' };
import { POLICY_CODES, type PolicyCode } from './policy-codes.js';
import type { PolicyDefinition, PolicyVersion, PolicyWithVersions } from './policy-model.js';

/**
 * The catalogue of the 15 policies as data: one JSON file per policy in `catalogue/` (names in
 * Chinese and English, category, who benefits, how often, funding shares, the rule and the dated
 * versions with their amounts and fixed ids). The migrations load these files into `policies` and
 * `policy_versions` (1765700000001: a version no payment used is corrected in place, a used one gets
 * a corrected successor); the README's table of policies is generated from them (a test keeps it
 * equal). To correct or add a policy, edit the files and add a migration that applies them again
 * (README "How to correct or add a policy").
 */
export interface CatalogueVersion {
  id: string;
  versionNo: number;
  effectiveFrom: string;
  effectiveTo: string | null;
  amount: AmountRule;
  /** A rule of this version only; the policy's `rule` otherwise. */
  rule?: Rule;
}

export interface CatalogueFile extends PolicyDefinition {
  nameEn: string;
  /** Who qualifies, in one line (English), for the README's table. */
  summary: string;
  fundingShares: FundingShares;
  rule: Rule;
  versions: CatalogueVersion[];
}

const FILES = [
  OcpReward,
  RuralReward,
  QuotaWaiverReward,
  RetirementReward,
  ExamBonus,
  ElderCarePriority,
  HousingPriority,
  NcmsWaiver,
  TuitionWaiver,
  ComplicationSupport,
  CollegeGrant,
  PensionSubsidy,
  FpInsurance,
  SpecialBereaved,
  SpecialDisabled,
] as unknown as CatalogueFile[];

/** The files in the order of POLICY_CODES, each checked once when first read. */
export const CATALOGUE_FILES: readonly CatalogueFile[] = POLICY_CODES.map((code) => {
  const file = FILES.find((candidate) => candidate.code === code);
  if (!file) throw new Error(`catalogue/${code}.json is missing`);
  const problems = [
    ...validateRule(file.rule, file.unit, `${code}.rule`),
    ...file.versions.flatMap((version, index) => [
      ...validateAmountRule(version.amount, file.benefitKind, file.unit, `${code}.versions[${index}].amount`),
      ...(version.rule ? validateRule(version.rule, file.unit, `${code}.versions[${index}].rule`) : []),
    ]),
  ];
  if (problems.length > 0) {
    throw new Error(`catalogue/${code}.json: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
  return file;
});

/** The catalogue as the engine reads it (equal to the database's on a freshly migrated one). */
export function cataloguePolicies(): PolicyWithVersions[] {
  return CATALOGUE_FILES.map((file) => {
    const { nameEn: _nameEn, summary: _summary, fundingShares, rule, versions, ...definition } = file;
    return {
      ...definition,
      versions: [...versions]
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1))
        .map((version): PolicyVersion => ({
          id: version.id,
          policyCode: file.code as PolicyCode,
          versionNo: version.versionNo,
          effectiveFrom: version.effectiveFrom,
          effectiveTo: version.effectiveTo,
          rule: version.rule ?? rule,
          amount: version.amount,
          fundingShares,
        })),
    };
  });
}
