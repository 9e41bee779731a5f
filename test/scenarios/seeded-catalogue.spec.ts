import { SEEDED_POLICIES } from '../../migrations/1764500000000-policies.js';
import { validateAmountRule, validateFundingShares } from '../../src/modules/eligibility/amount-rule.js';
import { validateRule } from '../../src/modules/eligibility/rule.js';
import { POLICY_CODES } from '../../src/modules/policies/policy-codes.js';

/** The seed goes into the database without passing the API's checks, so it is checked here. */
describe('the seeded catalogue', () => {
  it('has the 15 policies of SPEC.md', () => {
    expect(SEEDED_POLICIES.map((policy) => policy.code)).toEqual([...POLICY_CODES]);
  });

  it.each(
    SEEDED_POLICIES.flatMap((policy) =>
      policy.versions.map((version) => [policy.code, version.versionNo, policy, version] as const),
    ),
  )('%s version %d passes the checks an admin-written version must pass', (_code, _no, policy, version) => {
    expect(validateRule(version.rule, policy.unit)).toEqual([]);
    expect(validateAmountRule(version.amount, policy.benefitKind, policy.unit)).toEqual([]);
    expect(validateFundingShares(version.fundingShares)).toEqual([]);
  });

  it('has contiguous versions: each starts the day after the previous one ends, the last is open', () => {
    for (const policy of SEEDED_POLICIES) {
      const versions = policy.versions;
      expect(versions.at(-1)!.effectiveTo).toBeNull();
      for (let i = 1; i < versions.length; i++) {
        const end = versions[i - 1].effectiveTo!;
        const next = new Date(`${end}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        expect(versions[i].effectiveFrom).toBe(next.toISOString().slice(0, 10));
      }
    }
  });

  it('funds RURAL_REWARD and SPECIAL_* 50/30/10/10 from central down, the others 50/50 municipal and county', () => {
    for (const policy of SEEDED_POLICIES) {
      const central = ['RURAL_REWARD', 'SPECIAL_BEREAVED', 'SPECIAL_DISABLED'].includes(policy.code);
      for (const version of policy.versions) {
        expect(version.fundingShares).toEqual(
          central
            ? { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' }
            : { MUNICIPAL: '0.5', COUNTY: '0.5' },
        );
      }
    }
  });
});
