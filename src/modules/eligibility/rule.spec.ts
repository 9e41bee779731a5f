import type { Facts } from './facts.js';
import { compileRule, describeRule, evaluateRule, validateRule, type Reason, type Rule } from './rule.js';

const household: Facts = {
  'household.childrenCount': 1,
  'household.motherAge': null,
  'household.certificateValid': true,
};
const person: Facts = { 'person.age': 60, 'person.sex': 'F', 'person.birthDate': '1952-01-01' };

function run(rule: Rule): { eligible: boolean; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const eligible = evaluateRule(compileRule(rule), household, person, reasons);
  return { eligible, reasons };
}

describe('rule validation', () => {
  it('accepts every shape of the language', () => {
    const rule = {
      all: [
        { fact: 'person.age', op: 'between', value: [45, 59] },
        {
          any: [
            { fact: 'person.sex', op: 'in', value: ['M', 'F'] },
            { not: { fact: 'household.motherAge', op: 'eq', value: null } },
          ],
        },
        { fact: 'person.birthDate', op: 'ge', value: '1933-01-01' },
      ],
    };
    expect(validateRule(rule, 'PERSON')).toEqual([]);
  });

  it.each([
    [{ fact: 'person.height', op: 'gt', value: 1 }, 'rule.fact', 'unknown fact "person.height"'],
    [{ fact: 'person.age', op: 'gt', value: 1.5 }, 'rule.value', 'person.age is an integer; 1.5 is not'],
    [
      { fact: 'person.age', op: 'approx', value: 1 },
      'rule.op',
      'op must be one of eq, ne, lt, le, gt, ge, in, between',
    ],
    [{ fact: 'person.age', op: 'eq' }, 'rule.value', 'value is required'],
    [{ fact: 'person.age', op: 'between', value: [9, 3] }, 'rule.value', 'between needs low <= high'],
    [{ fact: 'person.age', op: 'in', value: [] }, 'rule.value', 'in needs a list of 1 to 50 values'],
    [{ fact: 'person.age', op: 'eq', value: null }, 'rule.value', 'person.age is never null'],
    [{ fact: 'household.motherAge', op: 'gt', value: null }, 'rule.value', 'gt cannot compare with null'],
    [
      { fact: 'person.birthDate', op: 'ge', value: '1933-02-30' },
      'rule.value',
      'person.birthDate is a date (YYYY-MM-DD); "1933-02-30" is not',
    ],
    [
      { fact: 'person.alive', op: 'gt', value: true },
      'rule.op',
      'gt compares integers or dates; person.alive is boolean',
    ],
    [{ all: [] }, 'rule.all', 'all needs a non-empty list of rules'],
    [
      { all: [{ fact: 'person.age', op: 'eq', value: 1 }], any: [] },
      'rule',
      'a {all} node has no other keys (found all, any)',
    ],
    [{ fact: 'person.age', op: 'eq', value: 1, note: 'x' }, 'rule.note', 'unknown key "note" in a comparison'],
    [[1, 2], 'rule', 'a rule is an object: {all}, {any}, {not} or {fact, op, value}'],
    [{ not: 'x' }, 'rule.not', 'a rule is an object: {all}, {any}, {not} or {fact, op, value}'],
  ])('refuses %j at %s', (rule, field, message) => {
    expect(validateRule(rule, 'PERSON')).toEqual([{ field, message }]);
  });

  it('refuses person facts in a household benefit', () => {
    expect(validateRule({ not: { fact: 'person.age', op: 'lt', value: 18 } }, 'HOUSEHOLD')).toEqual([
      {
        field: 'rule.not.fact',
        message: 'fact person.age describes a person; a household benefit can only test household.* facts',
      },
    ]);
  });

  it('bounds depth and size', () => {
    let deep: unknown = { fact: 'person.age', op: 'eq', value: 1 };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(validateRule(deep, 'PERSON')[0].message).toBe('a rule nests at most 8 levels');
    const wide = { any: Array.from({ length: 250 }, () => ({ fact: 'person.age', op: 'eq', value: 1 })) };
    expect(validateRule(wide, 'PERSON')).toEqual([{ field: 'rule.any[199]', message: 'a rule has at most 200 nodes' }]);
  });
});

describe('rule evaluation', () => {
  it('explains every top-level condition, even after one failed', () => {
    const result = run({
      all: [
        { fact: 'person.age', op: 'ge', value: 61 },
        { all: [{ fact: 'household.childrenCount', op: 'eq', value: 1 }] },
      ],
    });
    expect(result).toEqual({
      eligible: false,
      reasons: [
        { condition: 'person.age >= 61', actual: 60, expected: '>= 61', passed: false },
        { condition: 'household.childrenCount = 1', actual: 1, expected: '= 1', passed: true },
      ],
    });
  });

  it('a null fact fails every comparison but ne and eq null', () => {
    expect(run({ fact: 'household.motherAge', op: 'ge', value: 49 }).eligible).toBe(false);
    expect(run({ fact: 'household.motherAge', op: 'between', value: [1, 99] }).eligible).toBe(false);
    expect(run({ fact: 'household.motherAge', op: 'in', value: [49] }).eligible).toBe(false);
    expect(run({ fact: 'household.motherAge', op: 'eq', value: null }).eligible).toBe(true);
    expect(run({ fact: 'household.motherAge', op: 'ne', value: 49 }).eligible).toBe(true);
  });

  it('not and any explain as one group with the values they read', () => {
    const rule: Rule = {
      not: {
        any: [
          { fact: 'person.sex', op: 'eq', value: 'M' },
          { fact: 'person.birthDate', op: 'lt', value: '1933-01-01' },
        ],
      },
    };
    expect(describeRule(rule)).toBe('not (person.sex = M or person.birthDate < 1933-01-01)');
    expect(run(rule).reasons).toEqual([
      {
        condition: 'not (person.sex = M or person.birthDate < 1933-01-01)',
        actual: { 'person.sex': 'F', 'person.birthDate': '1952-01-01' },
        expected: 'holds',
        passed: true,
      },
    ]);
  });
});
