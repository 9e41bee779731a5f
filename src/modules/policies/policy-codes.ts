/** The 15 policies of SPEC.md. The catalogue (versions, rules, amounts) lives in the database. */
export const POLICY_CODES = [
  'OCP_REWARD',
  'RURAL_REWARD',
  'QUOTA_WAIVER_REWARD',
  'RETIREMENT_REWARD',
  'EXAM_BONUS',
  'ELDER_CARE_PRIORITY',
  'HOUSING_PRIORITY',
  'NCMS_WAIVER',
  'TUITION_WAIVER',
  'COMPLICATION_SUPPORT',
  'COLLEGE_GRANT',
  'PENSION_SUBSIDY',
  'FP_INSURANCE',
  'SPECIAL_BEREAVED',
  'SPECIAL_DISABLED',
] as const;
export type PolicyCode = (typeof POLICY_CODES)[number];

export const FUNDING_LEVELS = ['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY'] as const;
export type FundingLevel = (typeof FUNDING_LEVELS)[number];
