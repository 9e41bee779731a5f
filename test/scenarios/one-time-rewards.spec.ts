import { child, decide, failed, father, mother, periodAmount, type HouseholdHistory } from './support/households.js';

describe('QUOTA_WAIVER_REWARD', () => {
  it('a certificate household that waives its second-child quota gets 1,000.00 once', () => {
    const history: HouseholdHistory = {
      people: [father('1975-01-01'), mother('1976-01-01'), child('kid', 'M', '2001-01-01')],
      certificate: { issuedOn: '2002-01-01' },
      quotaWaivedOn: '2012-04-18',
    };
    expect(failed(decide(history, 'QUOTA_WAIVER_REWARD', '2012-04-17'))).toEqual(['household.quotaWaived = true']);
    expect(decide(history, 'QUOTA_WAIVER_REWARD', '2012-04-18')).toMatchObject({ eligible: true, amount: '1000.00' });
    const year = periodAmount(history, 'QUOTA_WAIVER_REWARD', '2012');
    expect(year).toMatchObject({ total: '1000.00', months: [expect.objectContaining({ decidedOn: '2012-12-31' })] });
  });

  it('a waiver without a certificate is not rewarded', () => {
    const history: HouseholdHistory = {
      people: [father('1975-01-01'), mother('1976-01-01'), child('kid', 'M', '2001-01-01')],
      quotaWaivedOn: '2012-04-18',
    };
    expect(failed(decide(history, 'QUOTA_WAIVER_REWARD', '2012-05-01'))).toEqual(['household.certificateValid = true']);
  });
});

describe('RETIREMENT_REWARD', () => {
  const urban = (fatherBorn: string, motherBorn: string): HouseholdHistory => ({
    people: [
      father(fatherBorn, { hukou: 'URBAN' }),
      mother(motherBorn, { hukou: 'URBAN' }),
      child('kid', 'F', '1985-01-01', { hukou: 'URBAN' }),
    ],
    certificate: { issuedOn: '1986-01-01' },
  });

  it('a man qualifies on his 60th birthday, not the day before', () => {
    const history = urban('1952-09-09', '1960-01-01');
    expect(decide(history, 'RETIREMENT_REWARD', '2012-09-08', 'father').eligible).toBe(false);
    expect(decide(history, 'RETIREMENT_REWARD', '2012-09-09', 'father')).toMatchObject({
      eligible: true,
      amount: '3000.00',
    });
  });

  it('a woman qualifies at 55; a rural parent never does', () => {
    const history = urban('1960-01-01', '1957-03-01');
    expect(decide(history, 'RETIREMENT_REWARD', '2012-03-01', 'mother').eligible).toBe(true);
    expect(decide(history, 'RETIREMENT_REWARD', '2012-02-29', 'mother').eligible).toBe(false);
    const rural: HouseholdHistory = {
      ...history,
      people: [father('1940-01-01'), mother('1941-01-01'), child('kid', 'F', '1970-01-01')],
    };
    expect(failed(decide(rural, 'RETIREMENT_REWARD', '2012-03-01', 'father'))).toEqual(['person.hukouType = URBAN']);
  });
});

describe('COLLEGE_GRANT', () => {
  it('a rural only child admitted to college gets 2,000.00 from the admission on', () => {
    const history: HouseholdHistory = {
      people: [
        father('1968-01-01'),
        mother('1970-01-01'),
        child('kid', 'M', '1994-02-01', { collegeAdmittedOn: '2012-07-20' }),
      ],
    };
    expect(failed(decide(history, 'COLLEGE_GRANT', '2012-07-19', 'kid'))).toEqual(['person.collegeAdmitted = true']);
    expect(decide(history, 'COLLEGE_GRANT', '2012-07-20', 'kid')).toMatchObject({ eligible: true, amount: '2000.00' });
  });

  it('an urban household or a household with a son and a daughter gets nothing', () => {
    const urban: HouseholdHistory = {
      people: [
        father('1968-01-01', { hukou: 'URBAN' }),
        mother('1970-01-01', { hukou: 'URBAN' }),
        child('kid', 'M', '1994-02-01', { collegeAdmittedOn: '2012-07-20' }),
      ],
    };
    expect(failed(decide(urban, 'COLLEGE_GRANT', '2012-09-01', 'kid'))).toEqual(['household.hukouType = RURAL']);
    const two: HouseholdHistory = {
      people: [
        father('1968-01-01'),
        mother('1970-01-01'),
        child('kid', 'M', '1994-02-01', { collegeAdmittedOn: '2012-07-20' }),
        child('sis', 'F', '1996-02-01', { birthOrder: 2 }),
      ],
    };
    expect(decide(two, 'COLLEGE_GRANT', '2012-09-01', 'kid').eligible).toBe(false);
  });
});
