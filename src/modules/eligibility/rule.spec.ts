import fc from 'fast-check';
import { requestContext } from '../../common/request-context.js';
import type { Facts, FactValue } from './facts.js';
import {
  compileRule,
  describeRule,
  evaluateRule,
  ruleHolds,
  validateRule,
  type ComparisonOp,
  type Literal,
  type Reason,
  type Rule,
} from './rule.js';

/** `fn(...args)` as inside a request with Accept-Language: en (the messages below are the English ones). */
const inEnglish = <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R =>
  requestContext.run({ requestId: 'spec', language: 'en' }, () => fn(...args));

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
    expect(inEnglish(validateRule, rule, 'PERSON')).toEqual([{ field, message }]);
  });

  it('refuses person facts in a household benefit', () => {
    expect(inEnglish(validateRule, { not: { fact: 'person.age', op: 'lt', value: 18 } }, 'HOUSEHOLD')).toEqual([
      {
        field: 'rule.not.fact',
        message: 'fact person.age describes a person; a household benefit can only test household.* facts',
      },
    ]);
  });

  it('words its problems in Chinese outside an English request', () => {
    expect(validateRule({ fact: 'person.age', op: 'gt', value: 1.5 }, 'PERSON')).toEqual([
      { field: 'rule.value', message: 'person.age 应为整数，1.5 不是' },
    ]);
  });

  it('bounds depth and size', () => {
    let deep: unknown = { fact: 'person.age', op: 'eq', value: 1 };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(inEnglish(validateRule, deep, 'PERSON')[0].message).toBe('a rule nests at most 8 levels');
    const wide = { any: Array.from({ length: 250 }, () => ({ fact: 'person.age', op: 'eq', value: 1 })) };
    expect(inEnglish(validateRule, wide, 'PERSON')).toEqual([
      { field: 'rule.any[199]', message: 'a rule has at most 200 nodes' },
    ]);
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
        {
          condition: 'person.age >= 61',
          label: '本人年龄（周岁）：实际60周岁，要求≥61周岁',
          actual: 60,
          expected: '>= 61',
          passed: false,
        },
        {
          condition: 'household.childrenCount = 1',
          label: '曾生育（收养）子女数：实际1个，要求1个',
          actual: 1,
          expected: '= 1',
          passed: true,
        },
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
        label:
          '并非（本人性别男 或 本人出生日期<1933-01-01）：符合（实际：本人性别女，本人出生日期1952-01-01），要求不成立',
        actual: { 'person.sex': 'F', 'person.birthDate': '1952-01-01' },
        expected: 'holds',
        passed: true,
      },
    ]);
  });
});

describe('ruleHolds (the unexplained bulk test)', () => {
  // Random rules over a few facts of each type (nulls included), and random facts to test them on.
  const facts: Record<string, fc.Arbitrary<FactValue>> = {
    'household.childrenCount': fc.integer({ min: 0, max: 4 }),
    'household.motherAge': fc.option(fc.integer({ min: 40, max: 70 }), { nil: null }),
    'household.certificateValid': fc.boolean(),
    'household.hukouType': fc.constantFrom('RURAL', 'URBAN', null),
    'person.birthDate': fc.constantFrom('1932-12-31', '1933-01-01', '1960-06-15', '2001-02-28'),
  };
  const names = Object.keys(facts);
  const literal = (name: string): fc.Arbitrary<Literal> => facts[name].filter((value) => value !== null);
  const comparison: fc.Arbitrary<Rule> = fc.constantFrom(...names).chain((name) =>
    fc.oneof(
      fc.record({
        fact: fc.constant(name),
        op: fc.constantFrom<ComparisonOp>('eq', 'ne', 'lt', 'le', 'gt', 'ge'),
        value: literal(name),
      }),
      fc.record({
        fact: fc.constant(name),
        op: fc.constant('in' as const),
        value: fc.array(literal(name), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        fact: fc.constant(name),
        op: fc.constant('between' as const),
        value: fc.tuple(literal(name), literal(name)),
      }),
    ),
  );
  const { rule } = fc.letrec<{ rule: Rule }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 4 }) }),
      fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('rule') }),
    ),
  }));
  const household = fc.record(
    Object.fromEntries(names.filter((n) => n.startsWith('household.')).map((n) => [n, facts[n]])),
  ) as fc.Arbitrary<Facts>;
  const person = fc.option(fc.record({ 'person.birthDate': facts['person.birthDate'] }) as fc.Arbitrary<Facts>, {
    nil: null,
  });

  it('answers what evaluateRule answers, for any rule and any facts', () => {
    fc.assert(
      fc.property(rule, household, person, (tree, h, p) => {
        const compiled = compileRule(tree);
        const reasons: Reason[] = [];
        const explained = evaluateRule(compiled, h, p, reasons);
        expect(ruleHolds(compiled, h, p)).toBe(explained);
        expect(explained).toBe(reasons.every((reason) => reason.passed));
      }),
      { numRuns: 2000 },
    );
  });
});
