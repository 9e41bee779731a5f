import { child, decide, failed, father, mother, periodAmount, type HouseholdHistory } from './support/households.js';

/** 独生子女父母奖励费: 10.00 a month to the household while its only child is under 18. */
describe('OCP_REWARD', () => {
  const certified = (people: HouseholdHistory['people'], extra: Partial<HouseholdHistory> = {}): HouseholdHistory => ({
    people: [father('1968-01-01'), mother('1970-01-01'), ...people],
    certificate: { issuedOn: '1995-01-01' },
    ...extra,
  });

  it('a child turning 18 on 15 June 2012: paid January to June, stops from July', () => {
    const history = certified([child('kid', 'F', '1994-06-15')]);
    const year = periodAmount(history, 'OCP_REWARD', '2012');
    expect(year.total).toBe('60.00');
    expect(year.months.map((m) => m.eligible)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(failed(decide(history, 'OCP_REWARD', '2012-07-01'))).toEqual(['household.onlyChildAge < 18']);
  });

  it('a child turning 18 on 1 July 2012 is already 18 on the first of July', () => {
    const history = certified([child('kid', 'F', '1994-07-01')]);
    expect(periodAmount(history, 'OCP_REWARD', '2012-06').total).toBe('10.00');
    expect(periodAmount(history, 'OCP_REWARD', '2012-07').total).toBe('0.00');
  });

  it('a second child after the certificate ends the reward from the month after the birth', () => {
    const history = certified([
      child('first', 'M', '2005-01-01'),
      child('second', 'F', '2012-03-10', { birthOrder: 2 }),
    ]);
    const year = periodAmount(history, 'OCP_REWARD', '2012');
    expect(year.months.filter((m) => m.eligible).map((m) => m.month)).toEqual(['2012-01', '2012-02', '2012-03']);
    expect(year.total).toBe('30.00');
    const april = decide(history, 'OCP_REWARD', '2012-04-01');
    expect(april.reasons).toContainEqual(
      expect.objectContaining({
        condition: 'household.childrenCount = 1',
        actual: 2,
        expected: '= 1',
        passed: false,
      }),
    );
  });

  it('an adopted only child counts as the only child', () => {
    const history = certified([child('adopted', 'M', '2003-05-05', { adoptedOn: '2004-01-20' })]);
    expect(decide(history, 'OCP_REWARD', '2012-05-01')).toMatchObject({ eligible: true, amount: '10.00' });
    // Before the adoption there was no child.
    expect(decide(history, 'OCP_REWARD', '2004-01-01').eligible).toBe(false);
  });

  it('without a valid certificate (never issued, or revoked) there is no reward', () => {
    const none: HouseholdHistory = {
      people: [father('1968-01-01'), mother('1970-01-01'), child('kid', 'M', '2005-01-01')],
    };
    expect(failed(decide(none, 'OCP_REWARD', '2012-05-01'))).toEqual(['household.certificateValid = true']);
    const revoked = certified([child('kid', 'M', '2005-01-01')], {
      certificate: { issuedOn: '2006-01-01', revokedOn: '2012-02-15' },
    });
    expect(periodAmount(revoked, 'OCP_REWARD', '2012').total).toBe('20.00');
  });

  it('monthly amounts add up to the year', () => {
    const history = certified([child('kid', 'M', '2000-01-01')]);
    const year = periodAmount(history, 'OCP_REWARD', '2012');
    expect(year.total).toBe('120.00');
    expect(year.months).toHaveLength(12);
  });
});
