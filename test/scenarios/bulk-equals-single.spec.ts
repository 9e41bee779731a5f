import fc from 'fast-check';
import { sumAmounts } from '../../src/modules/eligibility/amount-rule.js';
import { addDays, daysInMonth } from '../../src/common/calendar.js';
import type { Verdict, VerdictOrDecision } from '../../src/modules/eligibility/decide.js';
import { EligibilityService, type HouseholdEligibility } from '../../src/modules/eligibility/eligibility.service.js';
import type { HouseholdSnapshotSource } from '../../src/modules/eligibility/household-snapshot-source.js';
import { amountForPeriod, decideHouseholdForUnits } from '../../src/modules/eligibility/period-amount.js';
import { cataloguePolicies } from '../../src/modules/policies/catalogue.js';
import type { PoliciesService } from '../../src/modules/policies/policies.service.js';
import type { HouseholdTimeline } from '../../src/modules/registry/household-history.js';
import type { HouseholdSnapshot, PersonSnapshot, Relation } from '../../src/modules/registry/household-snapshot.js';

const CATALOGUE = cataloguePolicies();

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
      resident: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
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
      leftOn: null,
      motherId: null as string | null,
      fatherId: null as string | null,
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
    violationYears: fc.array(fc.integer({ min: 1965, max: 2015 }), { maxLength: 2 }),
    /** Whether the grandparent is the head's own parent (a three-generation household). */
    grandparentLinked: fc.boolean(),
    /** Children whose links are left out (a child registered without known parents). */
    unlinked: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    quotaWaivedOn: maybe(date('1990-01-01', 9000)),
  })
  .map((h) => {
    const parents = [...(h.withHead ? [h.parentPeople[0]] : []), ...(h.withSpouse ? [h.parentPeople[1]] : [])];
    // Children are linked to the couple by sex, as the registry links them; some are not linked.
    const children = h.children.map((child, index) =>
      h.unlinked[index]
        ? child
        : {
            ...child,
            motherId: parents.find((p) => p.sex === 'F' && p.birthDate < child.birthDate)?.personId ?? null,
            fatherId: parents.find((p) => p.sex === 'M' && p.birthDate < child.birthDate)?.personId ?? null,
          },
    );
    const head = parents[0];
    const linkGrandparent = h.grandparent !== null && head !== undefined && h.grandparentLinked;
    const members = [
      ...parents.map((parent, index) =>
        index === 0 && linkGrandparent && h.grandparent!.birthDate < parent.birthDate
          ? { ...parent, [h.grandparent!.sex === 'F' ? 'motherId' : 'fatherId']: h.grandparent!.personId }
          : parent,
      ),
      ...children,
      ...(h.grandparent ? [h.grandparent] : []),
    ];
    return {
      householdId: h.householdId,
      householdNo: 'H',
      regionCode: `410122100${h.village}`,
      address: 'a',
      asOf: '2000-01-01',
      members,
      certificate: h.certificate,
      violationYears: h.violationYears,
      quotaWaivedOn: h.quotaWaivedOn,
      bankAccount: null,
    };
  });

/** A household that never changes, through time (its changes are in its dates: births, deaths, ...). */
const timelineOf = (snapshot: HouseholdSnapshot): HouseholdTimeline => ({
  householdId: snapshot.householdId,
  at: (asOf) => ({ ...snapshot, asOf }),
  changesIn: () => [],
});

/** A registry that holds the given households (as of any date) and streams them in small chunks. */
function fakeRegistry(households: HouseholdSnapshot[]): HouseholdSnapshotSource {
  const ordered = [...households].sort((a, b) => (a.householdId < b.householdId ? -1 : 1));
  const find = (id: string) => ordered.find((h) => h.householdId === id)!;
  return {
    forHousehold: (id, asOf) => Promise.resolve({ ...find(id), asOf }),
    timelineFor: (id) => Promise.resolve(timelineOf(find(id))),
    async *streamSnapshots({ regionPrefix, asOf, chunkSize = 3 }) {
      const matching = ordered.filter((h) => h.regionCode.startsWith(regionPrefix)).map((h) => ({ ...h, asOf }));
      for (let i = 0; i < matching.length; i += chunkSize) yield matching.slice(i, i + chunkSize);
    },
    async *streamTimelines({ regionPrefix, chunkSize = 3 }) {
      const matching = ordered.filter((h) => h.regionCode.startsWith(regionPrefix)).map(timelineOf);
      for (let i = 0; i < matching.length; i += chunkSize) yield matching.slice(i, i + chunkSize);
    },
  };
}

const catalogue = { catalogue: () => Promise.resolve(CATALOGUE) } as unknown as PoliciesService;

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

describe('periods', () => {
  it('a year is the sum of its months; each month (or year) is what the question asked on any of its days answers', () => {
    fc.assert(
      fc.property(
        household,
        fc.integer({ min: 2008, max: 2020 }),
        fc.nat(),
        fc.integer({ min: 1, max: 31 }),
        (snapshot, year, pick, day) => {
          const snapshotAt = (on: string) => ({ ...snapshot, asOf: on });
          for (const policy of CATALOGUE.filter(
            (p) => p.benefitKind === 'CASH' && (p.frequency === 'MONTHLY' || p.frequency === 'ANNUAL'),
          )) {
            const candidates = policy.unit === 'HOUSEHOLD' ? [null] : snapshot.members.map((m) => m.personId);
            const personId = candidates.length === 0 ? null : candidates[pick % candidates.length];
            const whole = amountForPeriod(policy, snapshotAt, personId, String(year));
            if (policy.frequency === 'MONTHLY') {
              const months = whole.months.map((m) => amountForPeriod(policy, snapshotAt, personId, m.month));
              expect(whole.total).toBe(sumAmounts(months.map((m) => m.total!)));
            }
            expect(whole.total).toBe(sumAmounts(whole.months.map((m) => (m.eligible ? m.amount : null) ?? '0.00')));
            const units =
              policy.frequency === 'MONTHLY' ? whole.months.map((m) => m.month) : [`${year}-0${1 + (pick % 9)}`];
            for (const unit of units) {
              const [y, m] = unit.split('-').map(Number);
              const asked = `${unit}-${String(Math.min(day, daysInMonth(y, m))).padStart(2, '0')}`;
              const answer = decideHouseholdForUnits([policy], snapshotAt, asked).find((d) => d.personId === personId);
              const paid =
                policy.frequency === 'MONTHLY' ? whole.months.find((x) => x.month === unit)! : whole.months[0];
              if (answer)
                expect([answer.eligible, answer.amount, answer.versionId]).toEqual([
                  paid.eligible,
                  paid.amount,
                  paid.versionId,
                ]);
              else expect(paid.eligible).toBe(false);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
