import {
  child,
  decide,
  failed,
  father,
  mother,
  periodAmount,
  type HouseholdHistory,
  type PersonHistory,
} from './support/households.js';

/**
 * Six families that the first catalogue (before SPEC.md revision 2) decided wrong, decided by the pure engine
 * over their histories (test/e2e/revision-2-families.spec.ts registers the same families through the
 * HTTP API on PostgreSQL). Each asks what a clerk asks: GET eligibility?asOf= (`decide`) and what a
 * batch pays (`periodAmount`), which must agree.
 */
describe('revision 2: six families', () => {
  it('a widower whose only child died gets special assistance: his own age counts, not his dead wife’s', () => {
    // The wife died in 2006 at 46; the only son died in 2005. In 2012 the father is 54.
    const widower: HouseholdHistory = {
      people: [
        father('1958-04-01'),
        mother('1960-02-01', { died: '2006-07-01' }),
        child('son', 'M', '1984-01-01', { died: '2005-09-01' }),
      ],
    };
    const decision = decide(widower, 'SPECIAL_BEREAVED', '2012-06-15', 'father');
    expect(decision).toMatchObject({ eligible: true, amount: '135.00' });
    const ageRule = decision.reasons.find((r) => r.condition.includes('household.singleParent'))!;
    expect(ageRule).toMatchObject({
      actual: { 'household.singleParent': true, 'household.motherAge': null, 'person.age': 54 },
      passed: true,
    });
    expect(ageRule.label).toContain('单亲（未婚、丧偶或离异）是');
    expect(periodAmount(widower, 'SPECIAL_BEREAVED', '2012', 'father').total).toBe('1620.00');
    // Boundary: a single parent of 48 is not yet covered; the month he turns 49 is.
    const younger: HouseholdHistory = {
      people: [father('1964-05-20'), mother('1966-01-01', { died: '2006-07-01' }), widower.people[2]],
    };
    expect(decide(younger, 'SPECIAL_BEREAVED', '2013-04-30', 'father').eligible).toBe(false);
    expect(decide(younger, 'SPECIAL_BEREAVED', '2013-05-01', 'father')).toMatchObject({ eligible: true });
    expect(periodAmount(younger, 'SPECIAL_BEREAVED', '2013', 'father').months.filter((m) => m.eligible)).toHaveLength(
      8,
    );
  });

  it('a couple whose son died and whose daughter lives gets the rural reward: living children count (现存子女)', () => {
    const family: HouseholdHistory = {
      people: [
        father('1950-03-01'),
        mother('1952-03-01'),
        child('son', 'M', '1976-01-01', { died: '1999-05-01', birthOrder: 1 }),
        child('daughter', 'F', '1979-01-01', { birthOrder: 2 }),
      ],
    };
    expect(decide(family, 'RURAL_REWARD', '2012-03-01', 'father')).toMatchObject({ eligible: true, amount: '960.00' });
    expect(periodAmount(family, 'RURAL_REWARD', '2012', 'mother').total).toBe('960.00');
    // Before the son died they had a son and a daughter living: not a one-child or two-daughter family.
    const before = decide(family, 'RURAL_REWARD', '1998-06-01', 'father');
    expect(before.eligible).toBe(false);
    // Two living daughters still qualify; a living son and daughter do not.
    const twoDaughters: HouseholdHistory = {
      people: [...family.people.slice(0, 3), child('d2', 'F', '1981-01-01', { birthOrder: 3 }), family.people[3]],
    };
    expect(decide(twoDaughters, 'RURAL_REWARD', '2012-03-01', 'father').eligible).toBe(true);
    // A violation counts only from 1973 to 2001.
    const violation = (year: number) => ({ ...family, violations: [{ year, recordedOn: '2005-01-01' }] });
    expect(failed(decide(violation(2001), 'RURAL_REWARD', '2012-03-01', 'father'))).toEqual([
      'household.violations1973to2001 = 0',
    ]);
    expect(decide(violation(1973), 'RURAL_REWARD', '2012-03-01', 'father').eligible).toBe(false);
    expect(decide(violation(1972), 'RURAL_REWARD', '2012-03-01', 'father').eligible).toBe(true);
    expect(decide(violation(2002), 'RURAL_REWARD', '2012-03-01', 'father').eligible).toBe(true);
  });

  it('a family that moved in from another city in 2012 is owed nothing for 2010 or before the move', () => {
    const movedIn = (person: PersonHistory): PersonHistory => ({ ...person, movedIn: '2012-06-10' });
    const family: HouseholdHistory = {
      people: [father('1975-01-01'), mother('1977-01-01'), child('kid', 'M', '2005-01-01')].map(movedIn),
      certificate: { issuedOn: '2006-01-01' },
    };
    expect(periodAmount(family, 'OCP_REWARD', '2010').total).toBe('0.00');
    const decision = decide(family, 'OCP_REWARD', '2010-06-01');
    expect(failed(decision)).toEqual(['household.resident = true']);
    expect(decision.reasons[0].label).toBe('家庭持有本市户籍：否，要求是');
    // The month of the move is owed (the rule holds from 10 June), the months before are not.
    const year = periodAmount(family, 'OCP_REWARD', '2012');
    expect(year.months.filter((m) => m.eligible).map((m) => m.month)).toEqual([
      '2012-06',
      '2012-07',
      '2012-08',
      '2012-09',
      '2012-10',
      '2012-11',
      '2012-12',
    ]);
    expect(year.total).toBe('70.00');
    // A person who moves out is owed through the month of the move, nothing after.
    const out: HouseholdHistory = {
      people: [
        father('1950-01-01', { movedOut: '2013-04-20' }),
        mother('1952-01-01'),
        child('son', 'M', '1980-01-01', { died: '2008-01-01' }),
      ],
    };
    const special = periodAmount(out, 'SPECIAL_BEREAVED', '2013', 'father');
    expect(special.months.filter((m) => m.eligible).map((m) => m.month)).toEqual([
      '2013-01',
      '2013-02',
      '2013-03',
      '2013-04',
    ]);
  });

  it('a rural mother in a household whose head is urban gets the premium waiver (rural household; her own rural hukou)', () => {
    const family: HouseholdHistory = {
      people: [
        father('1970-01-01', { hukou: 'URBAN' }),
        mother('1972-01-01', { hukou: 'RURAL' }),
        child('kid', 'F', '2000-01-01', { hukou: 'RURAL' }),
      ],
    };
    expect(decide(family, 'NCMS_WAIVER', '2012-05-01', 'mother')).toMatchObject({ eligible: true, amount: '50.00' });
    expect(decide(family, 'NCMS_WAIVER', '2012-05-01', 'kid').eligible).toBe(true);
    expect(failed(decide(family, 'NCMS_WAIVER', '2012-05-01', 'father'))).toEqual(['person.hukouType = RURAL']);
    expect(decide(family, 'HOUSING_PRIORITY', '2012-05-01')).toMatchObject({ eligible: true });
    expect(decide(family, 'TUITION_WAIVER', '2012-05-01', 'kid')).toMatchObject({ eligible: true, amount: '500.00' });
    // The urban father's own pension subsidy (a rural benefit to the person) is refused.
    expect(failed(decide(family, 'PENSION_SUBSIDY', '2016-05-01', 'father'))).toEqual(['person.hukouType = RURAL']);
  });

  it('asked in March, the annual rural reward answers what the year pays, also for a father who dies in May', () => {
    const family: HouseholdHistory = {
      people: [father('1950-03-01', { died: '2012-05-10' }), mother('1953-01-01'), child('son', 'M', '1980-01-01')],
    };
    const march = decide(family, 'RURAL_REWARD', '2012-03-15', 'father');
    expect(march).toMatchObject({ eligible: true, amount: '960.00' });
    const year = periodAmount(family, 'RURAL_REWARD', '2012', 'father');
    expect(year.total).toBe('960.00');
    expect(year.months[0]).toMatchObject({ decidedOn: '2012-01-01', versionId: march.versionId });
    // Asked after the death, the same year still answers the same; the next year pays nothing.
    expect(decide(family, 'RURAL_REWARD', '2012-11-30', 'father')).toMatchObject({ eligible: true, amount: '960.00' });
    expect(periodAmount(family, 'RURAL_REWARD', '2013', 'father').total).toBe('0.00');
    expect(failed(decide(family, 'RURAL_REWARD', '2013-03-15', 'father'))).toEqual(['person.alive = true']);
  });

  it('a three-generation household headed by a grandparent is decided by the parent links', () => {
    const family: HouseholdHistory = {
      people: [
        { id: 'grandpa', sex: 'M', born: '1945-01-01', relation: 'HEAD' },
        { id: 'grandma', sex: 'F', born: '1947-01-01', relation: 'SPOUSE' },
        { id: 'son', sex: 'M', born: '1972-01-01', relation: 'CHILD', mother: 'grandma', father: 'grandpa' },
        { id: 'daughterInLaw', sex: 'F', born: '1974-01-01', relation: 'OTHER' },
        {
          id: 'grandchild',
          sex: 'F',
          born: '2000-03-15',
          relation: 'OTHER',
          mother: 'daughterInLaw',
          father: 'son',
        },
      ],
      certificate: { issuedOn: '2001-01-01' },
    };
    // The household's own family is the youngest generation: the son, his wife and their only child.
    expect(decide(family, 'OCP_REWARD', '2012-05-01')).toMatchObject({ eligible: true, amount: '10.00' });
    expect(decide(family, 'OCP_REWARD', '2018-03-31').eligible).toBe(true); // she turns 18 on 15 March
    expect(decide(family, 'OCP_REWARD', '2018-04-01').eligible).toBe(false);
    // The grandparents' only child is the son: each of them is a parent of a one-child family.
    expect(decide(family, 'RURAL_REWARD', '2012-05-01', 'grandpa')).toMatchObject({ eligible: true });
    expect(decide(family, 'RURAL_REWARD', '2012-05-01', 'grandma')).toMatchObject({ eligible: true });
    // The son and his wife are the parents of the grandchild, for the benefits to parents.
    expect(decide(family, 'PENSION_SUBSIDY', '2018-05-01', 'son')).toMatchObject({ eligible: true });
    expect(decide(family, 'PENSION_SUBSIDY', '2019-05-01', 'daughterInLaw')).toMatchObject({ eligible: true });
    // The grandchild is a child (of the son and his wife) for the benefits to children.
    expect(decide(family, 'TUITION_WAIVER', '2012-05-01', 'grandchild')).toMatchObject({ eligible: true });
    // Nobody is decided as a "parent" of the household because of a relation to the head.
    const grandpaRetirement = decide(family, 'ELDER_CARE_PRIORITY', '2012-05-01', 'grandpa');
    expect(grandpaRetirement.eligible).toBe(true);
  });

  it('members who leave (MEMBER_LEFT): a child who married out still counts; a divorced mother leaves a single father', () => {
    const family: HouseholdHistory = {
      people: [
        father('1950-03-01'),
        mother('1952-03-01'),
        child('daughter', 'F', '1995-01-01', { left: '2010-05-01' }),
      ],
    };
    // The only child left the household: the parents still have one living child.
    expect(decide(family, 'RURAL_REWARD', '2012-03-01', 'father')).toMatchObject({ eligible: true });
    // She is a child of the household until she leaves (2010 is decided on 1 January), not after.
    expect(decide(family, 'TUITION_WAIVER', '2009-03-01', 'daughter').eligible).toBe(true);
    expect(decide(family, 'TUITION_WAIVER', '2010-06-01', 'daughter').eligible).toBe(true);
    expect(() => decide(family, 'TUITION_WAIVER', '2011-06-01', 'daughter')).toThrow(/no decision/);
    const divorced: HouseholdHistory = {
      people: [
        father('1960-01-01'),
        mother('1966-01-01', { left: '2008-03-01' }),
        child('son', 'M', '1988-01-01', { died: '2007-01-01' }),
      ],
    };
    // The mother (43 in 2009) left: the father, single, is decided on his own age (49).
    const d = decide(divorced, 'SPECIAL_BEREAVED', '2009-06-01', 'father');
    expect(d).toMatchObject({ eligible: true });
    expect(d.reasons.find((r) => r.condition.includes('singleParent'))!.actual).toEqual({
      'household.singleParent': true,
      'household.motherAge': null,
      'person.age': 49,
    });
    // Before she left, the mother's age decided (42 in 2008: not yet).
    expect(decide(divorced, 'SPECIAL_BEREAVED', '2008-02-01', 'father').eligible).toBe(false);
  });
});
