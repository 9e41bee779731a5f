import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { AmountRule, FundingShares } from '../src/modules/eligibility/amount-rule.js';
import type { Rule } from '../src/modules/eligibility/rule.js';
import type { PolicyDefinition, PolicyVersion, PolicyWithVersions } from '../src/modules/policies/policy-model.js';

/*
 * The 15 policies of SPEC.md as data, with their historical versions, and the tables that keep a
 * version that a payment used from ever changing, plus non-cash entitlements.
 *
 * The seed below is frozen with this migration (later changes are new versions, written through
 * POST /policies/:code/versions). Start dates: the national RURAL_REWARD standards begin in 2009
 * and the special assistance in 2008 (SPEC.md); every other policy, with no date in SPEC.md, starts
 * on 2008-01-01, before the plan period 2011-2015 that the source document covers.
 */

const CENTRAL_SHARES: FundingShares = { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' };
const LOCAL_SHARES: FundingShares = { MUNICIPAL: '0.5', COUNTY: '0.5' };

const alive: Rule = { fact: 'person.alive', op: 'eq', value: true };
const ruralHousehold: Rule = { fact: 'household.hukouType', op: 'eq', value: 'RURAL' };
const ruralPerson: Rule = { fact: 'person.hukouType', op: 'eq', value: 'RURAL' };
const bornFrom1933: Rule = { fact: 'person.birthDate', op: 'ge', value: '1933-01-01' };
const oneChildOrTwoDaughters: Rule = {
  any: [
    { fact: 'household.childrenCount', op: 'eq', value: 1 },
    { fact: 'household.twoDaughtersNoSon', op: 'eq', value: true },
  ],
};
const certificateValid: Rule = { fact: 'household.certificateValid', op: 'eq', value: true };
const onlyChildEver: Rule = { fact: 'household.childrenCount', op: 'eq', value: 1 };
const mother49: Rule = { fact: 'household.motherAge', op: 'ge', value: 49 };
const fixed = (amount: string): AmountRule => ({ kind: 'FIXED', amount });
const byHukou = (urban: string, rural: string): AmountRule => ({
  kind: 'TABLE',
  fact: 'person.hukouType',
  cases: [
    { equals: 'URBAN', amount: urban },
    { equals: 'RURAL', amount: rural },
  ],
});

interface SeedVersion {
  effectiveFrom: string;
  effectiveTo: string | null;
  amount: AmountRule;
}
interface SeedPolicy extends PolicyDefinition {
  rule: Rule;
  fundingShares: FundingShares;
  versions: SeedVersion[];
}

const since2008 = (amount: AmountRule): SeedVersion[] => [{ effectiveFrom: '2008-01-01', effectiveTo: null, amount }];

const SEED: SeedPolicy[] = [
  {
    code: 'OCP_REWARD',
    name: '独生子女父母奖励费',
    category: 'REWARD',
    benefitKind: 'CASH',
    unit: 'HOUSEHOLD',
    beneficiaries: 'HOUSEHOLD',
    frequency: 'MONTHLY',
    entitlementPrefix: null,
    rule: {
      all: [
        certificateValid,
        onlyChildEver,
        { fact: 'household.onlyChildAlive', op: 'eq', value: true },
        { fact: 'household.onlyChildAge', op: 'lt', value: 18 },
      ],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('10.00')),
  },
  {
    code: 'RURAL_REWARD',
    name: '农村部分计划生育家庭奖励扶助',
    category: 'REWARD',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'ANNUAL',
    entitlementPrefix: null,
    rule: {
      all: [
        alive,
        ruralPerson,
        bornFrom1933,
        { fact: 'household.violations', op: 'eq', value: 0 },
        oneChildOrTwoDaughters,
        { fact: 'person.ageAtYearEnd', op: 'ge', value: 60 },
      ],
    },
    fundingShares: CENTRAL_SHARES,
    versions: [
      { effectiveFrom: '2009-01-01', effectiveTo: '2011-12-31', amount: fixed('720.00') },
      { effectiveFrom: '2012-01-01', effectiveTo: null, amount: fixed('960.00') },
    ],
  },
  {
    code: 'QUOTA_WAIVER_REWARD',
    name: '自愿放弃二孩生育指标奖励',
    category: 'REWARD',
    benefitKind: 'CASH',
    unit: 'HOUSEHOLD',
    beneficiaries: 'HOUSEHOLD',
    frequency: 'ONE_TIME',
    entitlementPrefix: null,
    rule: { all: [{ fact: 'household.quotaWaived', op: 'eq', value: true }, certificateValid] },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('1000.00')),
  },
  {
    code: 'RETIREMENT_REWARD',
    name: '独生子女父母退休一次性奖励',
    category: 'REWARD',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'ONE_TIME',
    entitlementPrefix: null,
    rule: {
      all: [
        alive,
        { fact: 'person.hukouType', op: 'eq', value: 'URBAN' },
        certificateValid,
        {
          any: [
            {
              all: [
                { fact: 'person.sex', op: 'eq', value: 'M' },
                { fact: 'person.age', op: 'ge', value: 60 },
              ],
            },
            {
              all: [
                { fact: 'person.sex', op: 'eq', value: 'F' },
                { fact: 'person.age', op: 'ge', value: 55 },
              ],
            },
          ],
        },
      ],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('3000.00')),
  },
  {
    code: 'EXAM_BONUS',
    name: '农村独生子女和双女户子女中考加分',
    category: 'PREFERENTIAL',
    benefitKind: 'NON_CASH',
    unit: 'PERSON',
    beneficiaries: 'CHILDREN',
    frequency: 'ONE_TIME',
    entitlementPrefix: 'EXB',
    rule: {
      all: [alive, ruralHousehold, oneChildOrTwoDaughters, { fact: 'person.age', op: 'between', value: [14, 16] }],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008({ kind: 'NONE', benefit: '5 points on the senior-school entrance exam (中考)' }),
  },
  {
    code: 'ELDER_CARE_PRIORITY',
    name: '敬老院优先入住',
    category: 'PREFERENTIAL',
    benefitKind: 'NON_CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'STANDING',
    entitlementPrefix: 'ECP',
    // "or whose only child died" is within childrenCount = 1 (one child ever, living or not).
    rule: { all: [alive, { fact: 'person.age', op: 'ge', value: 60 }, oneChildOrTwoDaughters] },
    fundingShares: LOCAL_SHARES,
    versions: since2008({ kind: 'NONE', benefit: 'Priority admission to the township old-age home (敬老院)' }),
  },
  {
    code: 'HOUSING_PRIORITY',
    name: '扶贫建房优先',
    category: 'PREFERENTIAL',
    benefitKind: 'NON_CASH',
    unit: 'HOUSEHOLD',
    beneficiaries: 'HOUSEHOLD',
    frequency: 'STANDING',
    entitlementPrefix: 'HSP',
    rule: { all: [ruralHousehold, oneChildOrTwoDaughters] },
    fundingShares: LOCAL_SHARES,
    versions: since2008({ kind: 'NONE', benefit: 'Priority in poverty-relief house building (扶贫建房)' }),
  },
  {
    code: 'NCMS_WAIVER',
    name: '新农合个人参合费减免',
    category: 'EXEMPTION',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'MEMBERS',
    frequency: 'ANNUAL',
    entitlementPrefix: null,
    rule: { all: [alive, ruralHousehold, oneChildOrTwoDaughters] },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('50.00')),
  },
  {
    code: 'TUITION_WAIVER',
    name: '子女学杂费减免',
    category: 'EXEMPTION',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'CHILDREN',
    frequency: 'ANNUAL',
    entitlementPrefix: null,
    rule: {
      all: [
        alive,
        ruralHousehold,
        oneChildOrTwoDaughters,
        { fact: 'person.ageAtYearEnd', op: 'between', value: [6, 18] },
      ],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('500.00')),
  },
  {
    code: 'COMPLICATION_SUPPORT',
    name: '计划生育手术并发症人员扶助',
    category: 'SUPPORT',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'MEMBERS',
    frequency: 'MONTHLY',
    entitlementPrefix: null,
    rule: { all: [alive, { fact: 'person.complicationGrade', op: 'in', value: [1, 2, 3] }] },
    fundingShares: LOCAL_SHARES,
    versions: since2008({
      kind: 'TABLE',
      fact: 'person.complicationGrade',
      cases: [
        { equals: 1, amount: '300.00' },
        { equals: 2, amount: '200.00' },
        { equals: 3, amount: '100.00' },
      ],
    }),
  },
  {
    code: 'COLLEGE_GRANT',
    name: '农村独生子女和双女户子女升学资助',
    category: 'SUPPORT',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'CHILDREN',
    frequency: 'ONE_TIME',
    entitlementPrefix: null,
    rule: {
      all: [alive, ruralHousehold, oneChildOrTwoDaughters, { fact: 'person.collegeAdmitted', op: 'eq', value: true }],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('2000.00')),
  },
  {
    code: 'PENSION_SUBSIDY',
    name: '新农保缴费补贴',
    category: 'SECURITY',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'ANNUAL',
    entitlementPrefix: null,
    rule: {
      all: [
        alive,
        ruralPerson,
        { fact: 'person.ageAtYearEnd', op: 'between', value: [45, 59] },
        oneChildOrTwoDaughters,
      ],
    },
    fundingShares: LOCAL_SHARES,
    versions: since2008(fixed('100.00')),
  },
  {
    code: 'FP_INSURANCE',
    name: '计划生育家庭意外伤害保险',
    category: 'SECURITY',
    benefitKind: 'NON_CASH',
    unit: 'HOUSEHOLD',
    beneficiaries: 'HOUSEHOLD',
    frequency: 'ANNUAL',
    entitlementPrefix: 'FPI',
    rule: { any: [certificateValid, { fact: 'household.twoDaughtersNoSon', op: 'eq', value: true }] },
    fundingShares: LOCAL_SHARES,
    versions: since2008({ kind: 'NONE', benefit: 'Family accident insurance cover for the year (意外伤害保险)' }),
  },
  {
    code: 'SPECIAL_BEREAVED',
    name: '计划生育家庭特别扶助（独生子女死亡）',
    category: 'RELIEF',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'MONTHLY',
    entitlementPrefix: null,
    rule: {
      all: [alive, bornFrom1933, onlyChildEver, { fact: 'household.onlyChildDied', op: 'eq', value: true }, mother49],
    },
    fundingShares: CENTRAL_SHARES,
    versions: [
      { effectiveFrom: '2008-01-01', effectiveTo: '2011-12-31', amount: fixed('100.00') },
      { effectiveFrom: '2012-01-01', effectiveTo: '2013-12-31', amount: fixed('135.00') },
      { effectiveFrom: '2014-01-01', effectiveTo: null, amount: byHukou('340.00', '170.00') },
    ],
  },
  {
    code: 'SPECIAL_DISABLED',
    name: '计划生育家庭特别扶助（独生子女伤残）',
    category: 'RELIEF',
    benefitKind: 'CASH',
    unit: 'PERSON',
    beneficiaries: 'PARENTS',
    frequency: 'MONTHLY',
    entitlementPrefix: null,
    rule: {
      all: [
        alive,
        bornFrom1933,
        onlyChildEver,
        { fact: 'household.onlyChildAlive', op: 'eq', value: true },
        { fact: 'household.onlyChildDisabilityGrade', op: 'in', value: [1, 2, 3] },
        mother49,
      ],
    },
    fundingShares: CENTRAL_SHARES,
    versions: [
      { effectiveFrom: '2008-01-01', effectiveTo: '2011-12-31', amount: fixed('80.00') },
      { effectiveFrom: '2012-01-01', effectiveTo: '2013-12-31', amount: fixed('110.00') },
      { effectiveFrom: '2014-01-01', effectiveTo: null, amount: byHukou('270.00', '150.00') },
    ],
  },
];

/** Seeded version ids are fixed, so tests and the database name the same versions. */
const seedVersionId = (policyIndex: number, versionNo: number) =>
  `5eed0000-0000-4000-8000-0000${String(policyIndex + 1).padStart(4, '0')}${String(versionNo).padStart(4, '0')}`;

/** The seeded catalogue, as the engine sees it (used by the scenario tests). */
export const SEEDED_POLICIES: readonly PolicyWithVersions[] = SEED.map((seed, index) => {
  const { rule, fundingShares, versions, ...definition } = seed;
  return {
    ...definition,
    versions: versions.map((version, v): PolicyVersion => ({
      id: seedVersionId(index, v + 1),
      policyCode: seed.code,
      versionNo: v + 1,
      effectiveFrom: version.effectiveFrom,
      effectiveTo: version.effectiveTo,
      rule,
      amount: version.amount,
      fundingShares,
    })),
  };
});

export class Policies1764500000000 implements MigrationInterface {
  name = 'Policies1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE policies (
        code               text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
        name               text NOT NULL,
        category           text NOT NULL
                           CHECK (category IN ('REWARD', 'PREFERENTIAL', 'EXEMPTION', 'SUPPORT', 'SECURITY', 'RELIEF')),
        benefit_kind       text NOT NULL CHECK (benefit_kind IN ('CASH', 'NON_CASH')),
        unit               text NOT NULL CHECK (unit IN ('HOUSEHOLD', 'PERSON')),
        beneficiaries      text NOT NULL CHECK (beneficiaries IN ('HOUSEHOLD', 'PARENTS', 'CHILDREN', 'MEMBERS')),
        frequency          text NOT NULL CHECK (frequency IN ('MONTHLY', 'ANNUAL', 'ONE_TIME', 'STANDING')),
        entitlement_prefix text CHECK (entitlement_prefix ~ '^[A-Z]{3}$'),
        created_at         timestamptz NOT NULL DEFAULT now(),
        CHECK ((unit = 'HOUSEHOLD') = (beneficiaries = 'HOUSEHOLD')),
        CHECK ((benefit_kind = 'NON_CASH') = (entitlement_prefix IS NOT NULL)),
        CHECK (frequency <> 'STANDING' OR benefit_kind = 'NON_CASH')
      )`);
    await q.query(`
      CREATE TABLE policy_versions (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        policy_code    text COLLATE "C" NOT NULL REFERENCES policies(code),
        version_no     integer NOT NULL CHECK (version_no > 0),
        effective_from date NOT NULL,
        effective_to   date CHECK (effective_to >= effective_from),
        rule           jsonb NOT NULL,
        amount         jsonb NOT NULL,
        funding_shares jsonb NOT NULL,
        -- Set (once) when a payment or an entitlement first rests on this version; from then on
        -- the trigger below refuses any change of what the version decides.
        used_at        timestamptz,
        -- The last day of the latest period decided with this version: a successor may not start
        -- on or before it.
        paid_through   date,
        created_by     uuid REFERENCES users(id),
        created_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (policy_code, version_no),
        CHECK (paid_through IS NULL OR used_at IS NOT NULL),
        CONSTRAINT policy_versions_no_overlap
          EXCLUDE USING gist (policy_code WITH =, daterange(effective_from, effective_to, '[]') WITH &&)
      )`);
    await q.query(`
      CREATE FUNCTION policy_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.used_at IS NOT NULL THEN
            RAISE EXCEPTION 'policy version % has been used and cannot be deleted', OLD.id USING ERRCODE = 'YK409';
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.used_at IS NULL THEN
          RETURN NEW;
        END IF;
        IF NEW.used_at IS NULL
           OR NEW.policy_code IS DISTINCT FROM OLD.policy_code
           OR NEW.version_no IS DISTINCT FROM OLD.version_no
           OR NEW.effective_from IS DISTINCT FROM OLD.effective_from
           OR NEW.rule IS DISTINCT FROM OLD.rule
           OR NEW.amount IS DISTINCT FROM OLD.amount
           OR NEW.funding_shares IS DISTINCT FROM OLD.funding_shares
           OR (NEW.paid_through IS DISTINCT FROM OLD.paid_through
               AND (NEW.paid_through IS NULL OR NEW.paid_through < OLD.paid_through)) THEN
          RAISE EXCEPTION 'policy version % has been used by a payment and cannot be changed', OLD.id
            USING ERRCODE = 'YK409';
        END IF;
        IF NEW.effective_to IS NOT NULL AND NEW.effective_to < COALESCE(NEW.paid_through, NEW.effective_from) THEN
          RAISE EXCEPTION 'policy version % has been paid through %; it cannot end on %',
            OLD.id, NEW.paid_through, NEW.effective_to USING ERRCODE = 'YK409';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER policy_versions_guard BEFORE UPDATE OR DELETE ON policy_versions
      FOR EACH ROW EXECUTE FUNCTION policy_versions_guard()`);

    await q.query(`
      CREATE TABLE entitlement_counters (
        prefix      text NOT NULL,
        county_code text COLLATE "C" NOT NULL,
        year        integer NOT NULL,
        last_no     integer NOT NULL CHECK (last_no >= 0),
        PRIMARY KEY (prefix, county_code, year)
      )`);
    // household_id / person_id name registry records; no foreign key, so that this migration does
    // not depend on the order in which the registry's tables are created.
    await q.query(`
      CREATE TABLE entitlements (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entitlement_no    text NOT NULL UNIQUE,
        policy_code       text COLLATE "C" NOT NULL REFERENCES policies(code),
        policy_version_id uuid NOT NULL REFERENCES policy_versions(id),
        household_id      uuid NOT NULL,
        person_id         uuid,
        period            text NOT NULL CHECK (period ~ '^([0-9]{4}|ONCE|STANDING)$'),
        region_code       text COLLATE "C" NOT NULL,
        as_of             date NOT NULL,
        decision          jsonb NOT NULL,
        created_by        uuid REFERENCES users(id),
        created_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT entitlements_once UNIQUE NULLS NOT DISTINCT (policy_code, household_id, person_id, period)
      )`);
    await q.query(`CREATE INDEX entitlements_household_idx ON entitlements (household_id, created_at)`);
    await q.query(`CREATE INDEX entitlements_region_idx ON entitlements (region_code)`);
    await q.query(`
      CREATE TRIGGER entitlements_append_only BEFORE UPDATE OR DELETE ON entitlements
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);

    for (const policy of SEEDED_POLICIES) {
      await q.query(
        `INSERT INTO policies (code, name, category, benefit_kind, unit, beneficiaries, frequency, entitlement_prefix)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          policy.code,
          policy.name,
          policy.category,
          policy.benefitKind,
          policy.unit,
          policy.beneficiaries,
          policy.frequency,
          policy.entitlementPrefix,
        ],
      );
      for (const version of policy.versions) {
        await q.query(
          `INSERT INTO policy_versions
             (id, policy_code, version_no, effective_from, effective_to, rule, amount, funding_shares)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            version.id,
            version.policyCode,
            version.versionNo,
            version.effectiveFrom,
            version.effectiveTo,
            JSON.stringify(version.rule),
            JSON.stringify(version.amount),
            JSON.stringify(version.fundingShares),
          ],
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE entitlements`);
    await q.query(`DROP TABLE entitlement_counters`);
    await q.query(`DROP TABLE policy_versions`);
    await q.query(`DROP FUNCTION policy_versions_guard()`);
    await q.query(`DROP TABLE policies`);
  }
}
