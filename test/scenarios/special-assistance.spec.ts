import { child, decide, failed, father, mother, periodAmount, type HouseholdHistory } from './support/households.js';

/** 计划生育家庭特别扶助: monthly, each parent, once the woman is 49 and the only child died or is disabled. */
describe('SPECIAL_BEREAVED', () => {
  const bereaved = (motherBorn: string, extra: Partial<HouseholdHistory> = {}): HouseholdHistory => ({
    people: [father('1960-01-01'), mother(motherBorn), child('kid', 'M', '1985-01-01', { died: '2005-08-01' })],
    ...extra,
  });

  it('a mother aged 48 all February is not covered; turning 49 on 15 March, March is owed', () => {
    // She turns 49 on 1963-03-15 + 49 = 2012-03-15: the rule holds on a day of March, so March is owed.
    const history = bereaved('1963-03-15');
    const year = periodAmount(history, 'SPECIAL_BEREAVED', '2012', 'mother');
    expect(year.months.find((m) => m.month === '2012-03')).toMatchObject({ eligible: true, decidedOn: '2012-03-15' });
    expect(year.months.filter((m) => m.eligible).map((m) => m.month)).toEqual([
      '2012-03',
      '2012-04',
      '2012-05',
      '2012-06',
      '2012-07',
      '2012-08',
      '2012-09',
      '2012-10',
      '2012-11',
      '2012-12',
    ]);
    expect(year.total).toBe('1350.00');
    const february = decide(history, 'SPECIAL_BEREAVED', '2012-02-20', 'father');
    expect(february.reasons).toContainEqual(
      expect.objectContaining({
        condition:
          '(household.singleParent = false and household.motherAge >= 49) or (household.singleParent = true and person.age >= 49)',
        actual: { 'household.singleParent': false, 'household.motherAge': 48, 'person.age': 52 },
        passed: false,
      }),
    );
  });

  it('historical standards: 100.00 to 2011, 135.00 in 2012-2013', () => {
    const history = bereaved('1950-01-01');
    expect(decide(history, 'SPECIAL_BEREAVED', '2011-12-01', 'father').amount).toBe('100.00');
    expect(decide(history, 'SPECIAL_BEREAVED', '2012-01-01', 'father').amount).toBe('135.00');
    expect(decide(history, 'SPECIAL_BEREAVED', '2013-12-01', 'father').amount).toBe('135.00');
  });

  it('from 2014 urban parents get 340.00 and rural parents 170.00', () => {
    const history: HouseholdHistory = {
      people: [
        father('1955-01-01', { hukou: 'URBAN' }),
        mother('1956-01-01', { hukou: 'RURAL' }),
        child('kid', 'F', '1980-01-01', { died: '2010-01-01' }),
      ],
    };
    const fatherDecision = decide(history, 'SPECIAL_BEREAVED', '2014-01-01', 'father');
    expect(fatherDecision.amount).toBe('340.00');
    expect(fatherDecision.reasons).toContainEqual(
      expect.objectContaining({
        condition: 'amount by person.hukouType',
        actual: 'URBAN',
        expected: 'in [URBAN, RURAL]',
        passed: true,
      }),
    );
    expect(decide(history, 'SPECIAL_BEREAVED', '2014-01-01', 'mother').amount).toBe('170.00');
    expect(periodAmount(history, 'SPECIAL_BEREAVED', '2014', 'mother').total).toBe('2040.00');
  });

  it('an adopted only child who died qualifies the parents; a later adoption ends it', () => {
    const history = bereaved('1955-01-01', {
      people: [
        father('1955-01-01'),
        mother('1955-01-01'),
        child('first', 'F', '1990-01-01', { adoptedOn: '1991-01-01', died: '2009-01-01' }),
        child('second', 'M', '2011-01-01', { adoptedOn: '2012-06-10', birthOrder: 2 }),
      ],
    });
    expect(decide(history, 'SPECIAL_BEREAVED', '2012-06-01', 'mother')).toMatchObject({
      eligible: true,
      amount: '135.00',
    });
    expect(failed(decide(history, 'SPECIAL_BEREAVED', '2012-07-01', 'mother'))).toEqual([
      'household.childrenCount = 1',
      'household.onlyChildDied = true',
    ]);
  });

  it('a living only child does not qualify, nor a parent born in 1932', () => {
    const alive: HouseholdHistory = {
      people: [father('1950-01-01'), mother('1950-01-01'), child('kid', 'M', '1980-01-01')],
    };
    expect(failed(decide(alive, 'SPECIAL_BEREAVED', '2012-01-01', 'father'))).toEqual([
      'household.onlyChildDied = true',
    ]);
    const old = bereaved('1950-01-01', {
      people: [father('1932-06-01'), mother('1950-01-01'), child('kid', 'M', '1975-01-01', { died: '2000-01-01' })],
    });
    expect(failed(decide(old, 'SPECIAL_BEREAVED', '2012-01-01', 'father'))).toEqual(['person.birthDate >= 1933-01-01']);
    expect(decide(old, 'SPECIAL_BEREAVED', '2012-01-01', 'mother').eligible).toBe(true);
  });
});

describe('SPECIAL_DISABLED', () => {
  const disabled = (grades: { from: string; grade: number | null }[], motherBorn = '1955-01-01'): HouseholdHistory => ({
    people: [
      father('1955-01-01', { hukou: 'URBAN' }),
      mother(motherBorn),
      child('kid', 'M', '1982-01-01', { disability: grades }),
    ],
  });

  it('a disability grade lifted in May stops the benefit from June', () => {
    const history = disabled([
      { from: '2005-01-01', grade: 2 },
      { from: '2014-05-20', grade: null },
    ]);
    const year = periodAmount(history, 'SPECIAL_DISABLED', '2014', 'father');
    expect(year.months.filter((m) => m.eligible).map((m) => m.month)).toEqual([
      '2014-01',
      '2014-02',
      '2014-03',
      '2014-04',
      '2014-05',
    ]);
    expect(year.total).toBe('1350.00');
    expect(failed(decide(history, 'SPECIAL_DISABLED', '2014-06-01', 'father'))).toEqual([
      'household.onlyChildDisabilityGrade in [1, 2, 3]',
    ]);
  });

  it('grade 4 does not qualify; grades 1-3 do', () => {
    expect(
      decide(disabled([{ from: '2000-01-01', grade: 4 }]), 'SPECIAL_DISABLED', '2012-01-01', 'father').eligible,
    ).toBe(false);
    expect(
      decide(disabled([{ from: '2000-01-01', grade: 3 }]), 'SPECIAL_DISABLED', '2012-01-01', 'father').amount,
    ).toBe('110.00');
  });

  it('the mother at 48 versus 49, and 80.00 before 2012', () => {
    const history = disabled([{ from: '2000-01-01', grade: 1 }], '1962-02-01');
    expect(decide(history, 'SPECIAL_DISABLED', '2011-01-01', 'mother').eligible).toBe(false); // 48
    expect(decide(history, 'SPECIAL_DISABLED', '2011-02-01', 'mother')).toMatchObject({
      eligible: true,
      amount: '80.00',
    });
  });

  it('from 2014: urban 270.00, rural 150.00', () => {
    const history = disabled([{ from: '2000-01-01', grade: 1 }]);
    expect(decide(history, 'SPECIAL_DISABLED', '2014-03-01', 'father').amount).toBe('270.00');
    expect(decide(history, 'SPECIAL_DISABLED', '2014-03-01', 'mother').amount).toBe('150.00');
  });
});
