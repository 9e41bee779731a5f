import { child, decide, failed, father, mother, periodAmount, type HouseholdHistory } from './support/households.js';

const ruralOnlyChild: HouseholdHistory = {
  people: [father('1950-03-01'), mother('1952-01-01'), child('kid', 'F', '1997-09-01')],
};

describe('EXAM_BONUS', () => {
  it('a rural only child aged 14 to 16 is entitled to 5 points; amount is null (non-cash)', () => {
    const decision = decide(ruralOnlyChild, 'EXAM_BONUS', '2011-09-01', 'kid'); // 14
    expect(decision).toMatchObject({ eligible: true, amount: null });
    expect(decide(ruralOnlyChild, 'EXAM_BONUS', '2014-08-31', 'kid').eligible).toBe(true); // 16
    expect(periodAmount(ruralOnlyChild, 'EXAM_BONUS', '2012').total).toBeNull();
  });

  it('at 13 or 17 there is no bonus', () => {
    expect(failed(decide(ruralOnlyChild, 'EXAM_BONUS', '2011-08-31', 'kid'))).toEqual(['person.age between 14 and 16']);
    expect(decide(ruralOnlyChild, 'EXAM_BONUS', '2014-09-01', 'kid').eligible).toBe(false);
  });
});

describe('ELDER_CARE_PRIORITY', () => {
  it('a parent of an only child has priority from 60', () => {
    expect(decide(ruralOnlyChild, 'ELDER_CARE_PRIORITY', '2010-02-28', 'father').eligible).toBe(false);
    expect(decide(ruralOnlyChild, 'ELDER_CARE_PRIORITY', '2010-03-01', 'father').eligible).toBe(true);
  });

  it('a parent whose only child died keeps priority; a parent of three does not have it', () => {
    const bereaved: HouseholdHistory = {
      people: [father('1940-01-01'), child('kid', 'M', '1970-01-01', { died: '1999-01-01' })],
    };
    expect(decide(bereaved, 'ELDER_CARE_PRIORITY', '2012-01-01', 'father').eligible).toBe(true);
    const three: HouseholdHistory = {
      people: [
        father('1940-01-01'),
        child('a', 'M', '1970-01-01'),
        child('b', 'F', '1972-01-01'),
        child('c', 'F', '1974-01-01'),
      ],
    };
    expect(decide(three, 'ELDER_CARE_PRIORITY', '2012-01-01', 'father').eligible).toBe(false);
  });
});

describe('HOUSING_PRIORITY', () => {
  it('a rural two-daughter household has priority', () => {
    const history: HouseholdHistory = {
      people: [father('1970-01-01'), child('a', 'F', '1995-01-01'), child('b', 'F', '1998-01-01')],
    };
    expect(decide(history, 'HOUSING_PRIORITY', '2012-01-01')).toMatchObject({
      personId: null,
      eligible: true,
      amount: null,
    });
  });

  it('an urban only-child household has none', () => {
    const history: HouseholdHistory = {
      people: [father('1970-01-01', { hukou: 'URBAN' }), child('a', 'F', '1995-01-01')],
    };
    expect(failed(decide(history, 'HOUSING_PRIORITY', '2012-01-01'))).toEqual(['household.hukouType = RURAL']);
  });
});

describe('FP_INSURANCE', () => {
  it('a certificate household or a two-daughter household is insured', () => {
    const certified: HouseholdHistory = { ...ruralOnlyChild, certificate: { issuedOn: '1998-01-01' } };
    expect(decide(certified, 'FP_INSURANCE', '2012-01-01').eligible).toBe(true);
    const twoDaughters: HouseholdHistory = {
      people: [father('1970-01-01'), child('a', 'F', '1995-01-01'), child('b', 'F', '1998-01-01')],
    };
    expect(decide(twoDaughters, 'FP_INSURANCE', '2012-01-01').eligible).toBe(true);
  });

  it('a household with neither is not, and the explanation shows both facts', () => {
    const decision = decide(ruralOnlyChild, 'FP_INSURANCE', '2012-01-01');
    expect(decision.eligible).toBe(false);
    expect(decision.reasons).toEqual([
      {
        condition: 'household.resident = true',
        label: '家庭持有本市户籍：是，要求是',
        actual: true,
        expected: '= true',
        passed: true,
      },
      {
        condition: 'household.certificateValid = true or household.twoDaughtersNoSon = true',
        label:
          '持有有效的独生子女父母光荣证是 或 双女户（曾生育两个女儿、无儿子）是：不符合（实际：持有有效的独生子女父母光荣证否，双女户（曾生育两个女儿、无儿子）否），要求至少满足一项',
        actual: { 'household.certificateValid': false, 'household.twoDaughtersNoSon': false },
        expected: 'at least one holds',
        passed: false,
      },
    ]);
  });
});
