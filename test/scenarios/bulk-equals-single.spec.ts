import fc from 'fast-check';
import { SEEDED_POLICIES } from '../../migrations/1764500000000-policies.js';
import { sumAmounts } from '../../src/modules/eligibility/amount-rule.js';
import { addDays } from '../../src/modules/eligibility/calendar.js';
import {
  decideHousehold,
  selectVersionsInForce,
  type Verdict,
  type VerdictOrDecision,
} from '../../src/modules/eligibility/decide.js';
import { EligibilityService, type HouseholdEligibility } from '../../src/modules/eligibility/eligibility.service.js';
import type { HouseholdSnapshotSource } from '../../src/modules/eligibility/household-snapshot-source.js';
import { amountForPeriod } from '../../src/modules/eligibility/period-amount.js';
import type { PoliciesService } from '../../src/modules/policies/policies.service.js';
import type { HouseholdSnapshot, PersonSnapshot, Relation } from '../../src/modules/registry/household-snapshot.js';

const date = (from: string, days: number) => fc.integer({ min: 0, max: days }).map((n) => addDays(from, n));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const person = (relation: Relation, born: fc.Arbitrary<string>): fc.Arbitrary<PersonSnapshot> =>
  fc
    .record({
      personId: fc.uuid(),
      sex: fc.constantFrom('M' as const, 'F' as const),
      birthDate: born,
      deathDate: maybe(date('1990-01-01', 12000)),
      hukouType: fc.constantFrom('RURAL' as const, 'URBAN' as const),
      adoptedOn: relation === 'CHILD' ? maybe(date('1975-01-01', 15000)) : fc.constant(null),
      disabilityGrade: maybe(fc.integer({ min: 1, max: 4 })),
      complicationGrade: maybe(fc.integer({ min: 1, max: 3 })),
      collegeAdmittedOn: relation === 'CHILD' ? maybe(date('2005-01-01', 5000)) : fc.constant(null),
    })
    .map((p) => ({
      ...p,
      // A death before the birth (or adoption) is not a history the registry can hold.
      deathDate: p.deathDate !== null && p.deathDate > (p.adoptedOn ?? p.birthDate) ? p.deathDate : null,
      adoptedOn: p.adoptedOn !== null && p.adoptedOn >= p.birthDate ? p.adoptedOn : null,
      adopted: p.adoptedOn !== null && p.adoptedOn >= p.birthDate,
      idNumber: '410122000000000000',
      name: 'x',
      relation,
      birthOrder: relation === 'CHILD' ? 1 : null,
    }));

/** Random households: up to two parents, up to four children, sometimes a grandparent. */
const household: fc.Arbitrary<HouseholdSnapshot> = fc
  .record({
    householdId: fc.uuid(),
    village: fc.integer({ min: 201, max: 299 }),
    withHead: fc.boolean(),
    withSpouse: fc.boolean(),
    parentPeople: fc.tuple(person('HEAD', date('1925-01-01', 20000)), person('SPOUSE', date('1925-01-01', 20000))),
    children: fc.array(person('CHILD', date('1960-01-01', 20000)), { maxLength: 4 }),
    grandparent: maybe(person('PARENT', date('1920-01-01', 8000))),
    certificate: maybe(
      fc.record({
        certificateNo: fc.constant('C'),
        issuedOn: date('1980-01-01', 12000),
        revokedOn: maybe(date('1990-01-01', 10000)),
      }),
    ),
    violationYears: fc.array(fc.integer({ min: 1980, max: 2015 }), { maxLength: 2 }),
    quotaWaivedOn: maybe(date('1990-01-01', 9000)),
  })
  .map((h) => ({
    householdId: h.householdId,
    householdNo: 'H',
    regionCode: `410122100${h.village}`,
    address: 'a',
    asOf: '2000-01-01',
    members: [
      ...(h.withHead ? [h.parentPeople[0]] : []),
      ...(h.withSpouse ? [h.parentPeople[1]] : []),
      ...h.children,
      ...(h.grandparent ? [h.grandparent] : []),
    ],
    certificate: h.certificate,
    violationYears: h.violationYears,
    quotaWaivedOn: h.quotaWaivedOn,
    bankAccount: null,
  }));

/** A registry that holds the given households (as of any date) and streams them in small chunks. */
function fakeRegistry(households: HouseholdSnapshot[]): HouseholdSnapshotSource {
  const ordered = [...households].sort((a, b) => (a.householdId < b.householdId ? -1 : 1));
  return {
    forHousehold: (id, asOf) => Promise.resolve({ ...ordered.find((h) => h.householdId === id)!, asOf }),
    async *streamSnapshots({ regionPrefix, asOf, chunkSize = 3 }) {
      const matching = ordered.filter((h) => h.regionCode.startsWith(regionPrefix)).map((h) => ({ ...h, asOf }));
      for (let i = 0; i < matching.length; i += chunkSize) yield matching.slice(i, i + chunkSize);
    },
  };
}

const catalogue = { catalogue: () => Promise.resolve(SEEDED_POLICIES) } as unknown as PoliciesService;

describe('the bulk path and the single path', () => {
  it('decide every random household identically', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(household, { minLength: 1, maxLength: 12, selector: (h) => h.householdId }),
        date('2007-01-01', 5000),
        async (households, asOf) => {
          const service = new EligibilityService(fakeRegistry(households), catalogue);
          const bulk: HouseholdEligibility[] = [];
          for await (const chunk of service.streamDecisions({ regionPrefix: '410122', asOf, chunkSize: 2 }))
            bulk.push(...chunk);
          expect(bulk).toHaveLength(households.length);
          for (const streamed of bulk) {
            expect(await service.decide(streamed.householdId, asOf)).toEqual(streamed);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('unexplained (streamVerdicts), answer exactly what the explained decisions answer', async () => {
    const pickers = [undefined, (v: Verdict) => v.eligible && ['RURAL_REWARD', 'OCP_REWARD'].includes(v.policyCode)];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(household, { minLength: 1, maxLength: 12, selector: (h) => h.householdId }),
        date('2007-01-01', 5000),
        fc.constantFrom(undefined, ['RURAL_REWARD', 'SPECIAL_DISABLED', 'HOUSING_PRIORITY', 'OCP_REWARD'] as const),
        fc.constantFrom(...pickers),
        async (households, asOf, policyCodes, explain) => {
          const service = new EligibilityService(fakeRegistry(households), catalogue);
          const verdicts: HouseholdEligibility<VerdictOrDecision>[] = [];
          const options = { regionPrefix: '410122', asOf, policyCodes };
          for await (const chunk of service.streamVerdicts({ ...options, chunkSize: 2, explain }))
            verdicts.push(...chunk);
          const explained: HouseholdEligibility[] = [];
          for await (const chunk of service.streamDecisions({ ...options, chunkSize: 5 })) explained.push(...chunk);
          const expected = explained.map((h) => ({
            ...h,
            decisions: h.decisions.map((decision) => {
              const { reasons: _reasons, ...verdict } = decision;
              return explain?.(verdict) ? decision : verdict;
            }),
          }));
          expect(verdicts).toEqual(expected);
          for (const [i, h] of verdicts.entries()) {
            for (const [k, verdict] of h.decisions.entries()) {
              expect('reasons' in verdict).toBe('reasons' in expected[i].decisions[k]);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('restricted to some policies, decide those policies exactly as the full decision does', async () => {
    await fc.assert(
      fc.asyncProperty(household, date('2007-01-01', 5000), async (snapshot, asOf) => {
        const service = new EligibilityService(fakeRegistry([snapshot]), catalogue);
        const codes = ['RURAL_REWARD', 'SPECIAL_BEREAVED', 'EXAM_BONUS'] as const;
        const chunks: HouseholdEligibility[] = [];
        for await (const chunk of service.streamDecisions({ regionPrefix: '4101', asOf, policyCodes: codes }))
          chunks.push(...chunk);
        const full = await service.decide(snapshot.householdId, asOf);
        expect(chunks[0].decisions).toEqual(
          full.decisions.filter((d) => (codes as readonly string[]).includes(d.policyCode)),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('monthly amounts', () => {
  const monthly = SEEDED_POLICIES.filter((policy) => policy.frequency === 'MONTHLY');

  it('a year is the sum of its months, and each month is the single decision on its first day', () => {
    fc.assert(
      fc.property(household, fc.integer({ min: 2008, max: 2020 }), fc.nat(), (snapshot, year, pick) => {
        const snapshotAt = (on: string) => ({ ...snapshot, asOf: on });
        for (const policy of monthly) {
          const candidates = policy.unit === 'HOUSEHOLD' ? [null] : snapshot.members.map((m) => m.personId);
          const personId = candidates.length === 0 ? null : candidates[pick % candidates.length];
          const whole = amountForPeriod(policy, snapshotAt, personId, String(year));
          const months = whole.months.map((m) => amountForPeriod(policy, snapshotAt, personId, m.month));
          expect(whole.total).toBe(sumAmounts(months.map((m) => m.total!)));
          expect(whole.total).toBe(sumAmounts(whole.months.map((m) => m.amount ?? '0.00')));
          for (const month of whole.months) {
            const first = `${month.month}-01`;
            const single = decideHousehold(snapshotAt(first), first, selectVersionsInForce([policy], first)).find(
              (d) => d.personId === personId,
            );
            if (single)
              expect([month.eligible, month.amount, month.versionId]).toEqual([
                single.eligible,
                single.amount,
                single.versionId,
              ]);
            else expect(month.eligible).toBe(false);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
