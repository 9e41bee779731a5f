import { child, decide, failed, father, mother, periodAmount, type HouseholdHistory } from './support/households.js';

/** 农村部分计划生育家庭奖励扶助: annual, each rural parent, "reaches 60 within the year". */
describe('RURAL_REWARD', () => {
  const family = (fatherBorn: string, extra: Partial<HouseholdHistory> = {}): HouseholdHistory => ({
    people: [father(fatherBorn), mother('1960-05-01'), child('son', 'M', '1985-03-01')],
    ...extra,
  });

  it('a father turning 60 on 31 December 2012 is paid for 2012 (age by birth year, decided on 1 January)', () => {
    const history = family('1952-12-31');
    const year = periodAmount(history, 'RURAL_REWARD', '2012', 'father');
    expect(year.total).toBe('960.00');
    expect(year.months).toEqual([
      expect.objectContaining({ month: '2012-01', decidedOn: '2012-01-01', eligible: true }),
    ]);
    // Asked in June, the answer is the year's, decided on 1 January by birth year.
    const june = decide(history, 'RURAL_REWARD', '2012-06-01', 'father');
    expect(june).toMatchObject({ eligible: true, amount: '960.00' });
    expect(june.reasons).toContainEqual(
      expect.objectContaining({
        condition: 'person.ageAtYearEnd >= 60',
        actual: 60,
        expected: '>= 60',
        passed: true,
      }),
    );
  });

  it('a father turning 60 on 1 January 2013 is not paid for 2012, and is for 2013', () => {
    const history = family('1953-01-01');
    const y2012 = periodAmount(history, 'RURAL_REWARD', '2012', 'father');
    expect(y2012.total).toBe('0.00');
    expect(failed(decide(history, 'RURAL_REWARD', '2012-12-31', 'father'))).toEqual(['person.ageAtYearEnd >= 60']);
    expect(periodAmount(history, 'RURAL_REWARD', '2013', 'father').total).toBe('960.00');
  });

  it('the 2011-to-2012 raise: 720.00 for 2011, 960.00 for 2012, each from its own version', () => {
    const history = family('1950-04-04');
    const y2011 = periodAmount(history, 'RURAL_REWARD', '2011', 'father');
    const y2012 = periodAmount(history, 'RURAL_REWARD', '2012', 'father');
    expect(y2011.total).toBe('720.00');
    expect(y2012.total).toBe('960.00');
    expect(y2011.months[0].versionId).not.toBe(y2012.months[0].versionId);
    // 2004-2008: the first national standard, 600.00; before 2004 there is no version to decide with.
    expect(periodAmount(history, 'RURAL_REWARD', '2008', 'father').total).toBe('0.00'); // 58 by birth year
    expect(periodAmount(family('1944-04-04'), 'RURAL_REWARD', '2004', 'father').total).toBe('600.00');
    expect(periodAmount(family('1944-04-04'), 'RURAL_REWARD', '2008', 'father').total).toBe('600.00');
    expect(decide(family('1940-04-04'), 'RURAL_REWARD', '2003-06-01', 'father')).toMatchObject({
      eligible: false,
      versionId: null,
    });
  });

  it('a family-planning violation excludes the household', () => {
    const history = family('1950-04-04', { violations: [{ year: 1990, recordedOn: '1990-06-01' }] });
    const decision = decide(history, 'RURAL_REWARD', '2012-12-31', 'father');
    expect(decision.eligible).toBe(false);
    expect(failed(decision)).toEqual(['household.violations1973to2001 = 0']);
  });

  it('two daughters and no son qualify; a daughter and a son do not', () => {
    const twoDaughters: HouseholdHistory = {
      people: [
        father('1950-01-01'),
        mother('1951-01-01'),
        child('d1', 'F', '1978-01-01'),
        child('d2', 'F', '1980-01-01', { birthOrder: 2 }),
      ],
    };
    expect(decide(twoDaughters, 'RURAL_REWARD', '2012-12-31', 'mother')).toMatchObject({
      eligible: true,
      amount: '960.00',
    });
    const mixed: HouseholdHistory = {
      people: [
        father('1950-01-01'),
        mother('1951-01-01'),
        child('d1', 'F', '1978-01-01'),
        child('s2', 'M', '1980-01-01', { birthOrder: 2 }),
      ],
    };
    expect(failed(decide(mixed, 'RURAL_REWARD', '2012-12-31', 'mother'))).toEqual([
      'household.onlyChildOrTwoDaughters = true or household.onlyChildDied = true',
    ]);
  });

  it('a parent born before 1933 or with urban hukou is not covered', () => {
    const history: HouseholdHistory = {
      people: [father('1932-12-31'), mother('1933-01-01', { hukou: 'URBAN' }), child('son', 'M', '1960-01-01')],
    };
    expect(failed(decide(history, 'RURAL_REWARD', '2012-12-31', 'father'))).toEqual(['person.birthDate >= 1933-01-01']);
    expect(failed(decide(history, 'RURAL_REWARD', '2012-12-31', 'mother'))).toEqual(['person.hukouType = RURAL']);
  });

  it('an annual benefit has no month period', () => {
    expect(() => periodAmount(family('1950-01-01'), 'RURAL_REWARD', '2012-03', 'father')).toThrow(RangeError);
  });
});
