import {
  child,
  decide,
  decisionsOn,
  failed,
  father,
  mother,
  periodAmount,
  type HouseholdHistory,
} from './support/households.js';

const twoDaughters: HouseholdHistory = {
  people: [
    father('1965-06-01'),
    mother('1967-01-01'),
    child('d1', 'F', '1994-01-01'),
    child('d2', 'F', '2006-12-31', { birthOrder: 2 }),
  ],
};

describe('NCMS_WAIVER', () => {
  it('every member of a rural two-daughter household has the 50.00 premium refunded', () => {
    const decisions = decisionsOn(twoDaughters, '2012-12-31').filter((d) => d.policyCode === 'NCMS_WAIVER');
    expect(decisions.map((d) => [d.personId, d.eligible, d.amount])).toEqual([
      ['father', true, '50.00'],
      ['mother', true, '50.00'],
      ['d1', true, '50.00'],
      ['d2', true, '50.00'],
    ]);
  });

  it('a member who dies during the year keeps that year (decided on 1 January), not the next; an urban parent and an urban household are not covered', () => {
    const bereft: HouseholdHistory = {
      people: [father('1965-06-01', { died: '2012-05-01' }), ...twoDaughters.people.slice(1)],
    };
    expect(decide(bereft, 'NCMS_WAIVER', '2012-12-31', 'father')).toMatchObject({ eligible: true, amount: '50.00' });
    expect(failed(decide(bereft, 'NCMS_WAIVER', '2013-01-01', 'father'))).toEqual(['person.alive = true']);
    const urban: HouseholdHistory = {
      people: [father('1965-06-01', { hukou: 'URBAN' }), mother('1967-01-01'), child('s', 'M', '1990-01-01')],
    };
    // A rural household (one parent rural): the rural mother is covered, the urban father is not.
    expect(periodAmount(urban, 'NCMS_WAIVER', '2012', 'mother').total).toBe('50.00');
    expect(failed(decide(urban, 'NCMS_WAIVER', '2012-06-01', 'father'))).toEqual(['person.hukouType = RURAL']);
    const allUrban: HouseholdHistory = {
      people: [
        father('1965-06-01', { hukou: 'URBAN' }),
        mother('1967-01-01', { hukou: 'URBAN' }),
        child('s', 'M', '1990-01-01', { hukou: 'URBAN' }),
      ],
    };
    expect(periodAmount(allUrban, 'NCMS_WAIVER', '2012', 'mother').total).toBe('0.00');
  });
});

describe('TUITION_WAIVER', () => {
  it('a child turning 6 within the year is covered for that year, not the year before', () => {
    expect(periodAmount(twoDaughters, 'TUITION_WAIVER', '2012', 'd2').total).toBe('500.00');
    expect(periodAmount(twoDaughters, 'TUITION_WAIVER', '2011', 'd2').total).toBe('0.00');
  });

  it('a child is covered through the year of turning 18, not after', () => {
    expect(periodAmount(twoDaughters, 'TUITION_WAIVER', '2012', 'd1').total).toBe('500.00');
    const after = decide(twoDaughters, 'TUITION_WAIVER', '2013-06-01', 'd1');
    expect(after.reasons).toContainEqual(
      expect.objectContaining({
        condition: 'person.ageAtYearEnd between 6 and 18',
        actual: 19,
        expected: 'between 6 and 18',
        passed: false,
      }),
    );
  });
});

describe('PENSION_SUBSIDY', () => {
  it('a rural parent is subsidised from the year of turning 45 to the year of turning 59', () => {
    expect(periodAmount(twoDaughters, 'PENSION_SUBSIDY', '2010', 'father').total).toBe('100.00'); // 45 on 2010-06-01
    expect(periodAmount(twoDaughters, 'PENSION_SUBSIDY', '2009', 'father').total).toBe('0.00');
    expect(periodAmount(twoDaughters, 'PENSION_SUBSIDY', '2024', 'father').total).toBe('100.00'); // 59
    expect(periodAmount(twoDaughters, 'PENSION_SUBSIDY', '2025', 'father').total).toBe('0.00'); // 60
  });

  it('children are not beneficiaries, and a son-and-daughter household is not covered', () => {
    expect(
      decisionsOn(twoDaughters, '2012-12-31')
        .filter((d) => d.policyCode === 'PENSION_SUBSIDY')
        .map((d) => d.personId),
    ).toEqual(['father', 'mother']);
    const mixed: HouseholdHistory = {
      people: [
        father('1965-06-01'),
        mother('1967-01-01'),
        child('s', 'M', '1990-01-01'),
        child('d', 'F', '1992-01-01', { birthOrder: 2 }),
      ],
    };
    expect(decide(mixed, 'PENSION_SUBSIDY', '2012-12-31', 'father').eligible).toBe(false);
  });
});

describe('COMPLICATION_SUPPORT', () => {
  const history: HouseholdHistory = {
    people: [
      father('1960-01-01'),
      mother('1962-01-01', {
        complication: [
          { from: '2012-03-15', grade: 3 },
          { from: '2012-08-01', grade: 1 },
        ],
      }),
      child('kid', 'M', '1990-01-01'),
    ],
  };

  it('pays by grade from the month of certification: 100.00 grade 3, then 300.00 grade 1', () => {
    const year = periodAmount(history, 'COMPLICATION_SUPPORT', '2012', 'mother');
    expect(year.months.map((m) => m.amount)).toEqual([
      null,
      null,
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '300.00',
      '300.00',
      '300.00',
      '300.00',
      '300.00',
    ]);
    expect(year.total).toBe('2000.00');
  });

  it('grade 2 pays 200.00; a member without a complication gets nothing', () => {
    const grade2: HouseholdHistory = {
      people: [father('1960-01-01', { complication: [{ from: '2000-01-01', grade: 2 }] })],
    };
    expect(decide(grade2, 'COMPLICATION_SUPPORT', '2012-01-01', 'father').amount).toBe('200.00');
    expect(failed(decide(history, 'COMPLICATION_SUPPORT', '2012-01-01', 'father'))).toEqual([
      'person.complicationGrade in [1, 2, 3]',
    ]);
  });
});
