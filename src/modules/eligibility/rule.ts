import type { FieldProblem } from '../../common/errors.js';
import { isDate } from '../../common/calendar.js';
import { callerText } from '../../common/request-context.js';
import { DEFAULT_LANGUAGE, type Language } from '../../common/i18n/i18n.js';
import { wording, type Wording } from './condition-labels.js';
import { FACTS_BY_NAME, type FactDefinition, type Facts, type FactScope, type FactValue } from './facts.js';

/**
 * The rule language: a small typed AST stored as JSON in `policy_versions.rule`.
 *
 *   { "all": [rule, ...] } | { "any": [rule, ...] } | { "not": rule }
 *   { "fact": "person.age", "op": "ge", "value": 60 }
 *   ops: eq ne lt le gt ge (one literal), in (a list), between (two literals, inclusive)
 *
 * Why our own AST rather than CEL, JSON Logic or json-rules-engine: every rule here is a
 * conjunction of comparisons over a fixed, typed fact catalogue, and what matters is (1) checking a
 * rule against the catalogue when an admin writes it (unknown fact, type mismatch, wrong scope),
 * which JSON Logic and json-rules-engine cannot do and CEL does only with a heavy runtime;
 * (2) explaining each condition with the fact's value, what was required and whether it held,
 * which we render from the same nodes; and (3) deciding hundreds of thousands of household-policy
 * pairs a second, for which a rule is compiled once into closures. The whole language is this file.
 */
export type Literal = number | boolean | string | null;
export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { fact: string; op: ComparisonOp; value: Literal }
  | { fact: string; op: 'in'; value: Literal[] }
  | { fact: string; op: 'between'; value: [Literal, Literal] };

const OPS: readonly string[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'between'];
const SYMBOLS: Record<string, string> = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const MAX_DEPTH = 8;
const MAX_NODES = 200;
const MAX_LIST = 50;

/** One line of a decision's explanation. */
export interface Reason {
  condition: string;
  /** The condition in words a township clerk reads (zh-CN, or English on request), with the value and the requirement. */
  label: string;
  /** The fact's value; for a group (any/not/nested all), the values of the facts it tests. */
  actual: unknown;
  expected: string;
  passed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Validation

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `value` is a literal of the fact's type (null only where the caller allows it). */
function literalProblem(fact: FactDefinition, value: unknown): string | undefined {
  switch (fact.type) {
    case 'integer':
      return Number.isSafeInteger(value)
        ? undefined
        : callerText('ruleProblems.integer', { fact: fact.name, value: JSON.stringify(value) });
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : callerText('ruleProblems.boolean', { fact: fact.name, value: JSON.stringify(value) });
    case 'date':
      return isDate(value)
        ? undefined
        : callerText('ruleProblems.date', { fact: fact.name, value: JSON.stringify(value) });
    case 'enum':
      return typeof value === 'string' && fact.values!.includes(value)
        ? undefined
        : callerText('ruleProblems.enum', {
            fact: fact.name,
            values: fact.values!.join(', '),
            value: JSON.stringify(value),
          });
  }
}

/** Validates `value` as a fact reference of the right scope; returns the fact or pushes a problem. */
export function checkFactReference(
  value: unknown,
  path: string,
  allowedScopes: readonly FactScope[],
  problems: FieldProblem[],
): FactDefinition | undefined {
  if (typeof value !== 'string') {
    problems.push({ field: path, message: callerText('ruleProblems.factName') });
    return undefined;
  }
  const fact = FACTS_BY_NAME.get(value);
  if (!fact) {
    problems.push({ field: path, message: callerText('ruleProblems.unknownFact', { value: JSON.stringify(value) }) });
    return undefined;
  }
  if (!allowedScopes.includes(fact.scope)) {
    problems.push({
      field: path,
      message: callerText('ruleProblems.personFact', { fact: value }),
    });
    return undefined;
  }
  return fact;
}

/** Checks one literal against a fact; pushes a problem and answers false when it does not fit. */
export function checkLiteral(fact: FactDefinition, value: unknown, path: string, problems: FieldProblem[]): boolean {
  const problem = literalProblem(fact, value);
  if (problem) problems.push({ field: path, message: problem });
  return problem === undefined;
}

function validateLeaf(node: Record<string, unknown>, path: string, scopes: readonly FactScope[], out: FieldProblem[]) {
  for (const key of Object.keys(node)) {
    if (key !== 'fact' && key !== 'op' && key !== 'value') {
      out.push({
        field: `${path}.${key}`,
        message: callerText('ruleProblems.unknownKey', { key: JSON.stringify(key) }),
      });
    }
  }
  const fact = checkFactReference(node.fact, `${path}.fact`, scopes, out);
  const op = node.op;
  if (typeof op !== 'string' || !OPS.includes(op)) {
    out.push({ field: `${path}.op`, message: callerText('ruleProblems.op', { ops: OPS.join(', ') }) });
    return;
  }
  if (!('value' in node)) {
    out.push({ field: `${path}.value`, message: callerText('ruleProblems.valueRequired') });
    return;
  }
  if (!fact) return;
  const value = node.value;
  const ordered = fact.type === 'integer' || fact.type === 'date';
  if (op !== 'eq' && op !== 'ne' && op !== 'in' && !ordered) {
    out.push({
      field: `${path}.op`,
      message: callerText('ruleProblems.orderedOp', { op, fact: fact.name, type: fact.type }),
    });
    return;
  }
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
      out.push({ field: `${path}.value`, message: callerText('ruleProblems.inList', { max: MAX_LIST }) });
      return;
    }
    value.forEach((item, index) => checkLiteral(fact, item, `${path}.value[${index}]`, out));
    return;
  }
  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) {
      out.push({ field: `${path}.value`, message: callerText('ruleProblems.betweenPair') });
      return;
    }
    const low = checkLiteral(fact, value[0], `${path}.value[0]`, out);
    const high = checkLiteral(fact, value[1], `${path}.value[1]`, out);
    if (low && high && (value[0] as number | string) > (value[1] as number | string)) {
      out.push({ field: `${path}.value`, message: callerText('ruleProblems.betweenOrder') });
    }
    return;
  }
  if (value === null) {
    if (op !== 'eq' && op !== 'ne')
      out.push({ field: `${path}.value`, message: callerText('ruleProblems.nullOp', { op }) });
    else if (!fact.nullable)
      out.push({ field: `${path}.value`, message: callerText('ruleProblems.neverNull', { fact: fact.name }) });
    return;
  }
  checkLiteral(fact, value, `${path}.value`, out);
}

/**
 * Problems with `rule` as a rule for a benefit of the given unit, each naming its JSON path below
 * `path` (`rule.all[2].value`). Empty when the rule is valid.
 */
export function validateRule(rule: unknown, unit: 'HOUSEHOLD' | 'PERSON', path = 'rule'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const scopes: readonly FactScope[] = unit === 'PERSON' ? ['household', 'person'] : ['household'];
  let nodes = 0;
  const visit = (node: unknown, at: string, depth: number): void => {
    if (++nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1)
        problems.push({ field: at, message: callerText('ruleProblems.maxNodes', { max: MAX_NODES }) });
      return;
    }
    if (depth > MAX_DEPTH) {
      problems.push({ field: at, message: callerText('ruleProblems.maxDepth', { max: MAX_DEPTH }) });
      return;
    }
    if (!isObject(node)) {
      problems.push({ field: at, message: callerText('ruleProblems.notObject') });
      return;
    }
    const keys = Object.keys(node);
    const group = keys.find((key) => key === 'all' || key === 'any' || key === 'not');
    if (group) {
      if (keys.length !== 1) {
        problems.push({
          field: at,
          message: callerText('ruleProblems.groupKeys', { group: `{${group}}`, keys: keys.join(', ') }),
        });
        return;
      }
      if (group === 'not') return visit(node.not, `${at}.not`, depth + 1);
      const children = node[group];
      if (!Array.isArray(children) || children.length === 0) {
        problems.push({ field: `${at}.${group}`, message: callerText('ruleProblems.groupList', { group }) });
        return;
      }
      children.forEach((child, index) => visit(child, `${at}.${group}[${index}]`, depth + 1));
      return;
    }
    if (!('fact' in node)) {
      problems.push({ field: at, message: callerText('ruleProblems.notObject') });
      return;
    }
    validateLeaf(node, at, scopes, problems);
  };
  visit(rule, path, 0);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Rendering (for explanations)

function literalText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function expectedText(leaf: { op: string; value: unknown }): string {
  if (leaf.op === 'in') return `in [${(leaf.value as unknown[]).map(literalText).join(', ')}]`;
  if (leaf.op === 'between') {
    const [low, high] = leaf.value as unknown[];
    return `between ${literalText(low)} and ${literalText(high)}`;
  }
  return `${SYMBOLS[leaf.op]} ${literalText(leaf.value)}`;
}

/** A rule as one line of text: `household.childrenCount = 1 or household.twoDaughtersNoSon = true`. */
export function describeRule(rule: Rule): string {
  if ('all' in rule) return rule.all.map((child) => wrap(child)).join(' and ');
  if ('any' in rule) return rule.any.map((child) => wrap(child)).join(' or ');
  if ('not' in rule) return `not ${wrap(rule.not)}`;
  return `${rule.fact} ${expectedText(rule)}`;
}

const wrap = (rule: Rule) => ('fact' in rule ? describeRule(rule) : `(${describeRule(rule)})`);

function factsOf(rule: Rule, into: string[] = []): string[] {
  if ('all' in rule) rule.all.forEach((child) => factsOf(child, into));
  else if ('any' in rule) rule.any.forEach((child) => factsOf(child, into));
  else if ('not' in rule) factsOf(rule.not, into);
  else if (!into.includes(rule.fact)) into.push(rule.fact);
  return into;
}

// ---------------------------------------------------------------------------------------------
// Labels (for explanations a clerk reads: Chinese, or English on request)

/** A fact value in words (Chinese unless `words` says otherwise): 是/否, 无, an enum value's name, a number with its unit. */
export function valueLabel(value: unknown, fact?: FactDefinition, words: Wording = wording()): string {
  return words.value(value, fact?.unit);
}

function requirementLabel(leaf: { fact: string; op: string; value: unknown }, words: Wording): string {
  const fact = FACTS_BY_NAME.get(leaf.fact);
  if (leaf.op === 'in') {
    const values = (leaf.value as unknown[]).map((v) => valueLabel(v, fact, words));
    return words.phrase('oneOf', { values: values.join(words.phrase('listSeparator')) });
  }
  if (leaf.op === 'between') {
    const [low, high] = leaf.value as unknown[];
    return words.phrase('between', { low: valueLabel(low, fact, words), high: valueLabel(high, fact, words) });
  }
  return `${LABEL_OPS[leaf.op]}${valueLabel(leaf.value, fact, words)}`;
}

const LABEL_OPS: Record<string, string> = { eq: '', ne: '≠', lt: '<', le: '≤', gt: '>', ge: '≥' };

/** A rule in words, without values: `现存子女数=1个 或 双女户…=是`. */
function describeRuleIn(rule: Rule, words: Wording): string {
  const wrapped = (child: Rule) =>
    'fact' in child ? describeRuleIn(child, words) : words.phrase('nested', { rule: describeRuleIn(child, words) });
  if ('all' in rule) return rule.all.map(wrapped).join(words.phrase('and'));
  if ('any' in rule) return rule.any.map(wrapped).join(words.phrase('or'));
  if ('not' in rule) return words.phrase('not', { rule: wrapped(rule.not) });
  return `${words.fact(rule.fact)}${requirementLabel(rule, words)}`;
}

// ---------------------------------------------------------------------------------------------
// Compilation and evaluation

/** Reads a fact from the household's or the beneficiary's facts. */
type Reader = (household: Facts, person: Facts | null) => FactValue;
type Test = (household: Facts, person: Facts | null) => boolean;

function reader(name: string): Reader {
  if (name.startsWith('person.')) return (_household, person) => (person === null ? null : person[name]);
  return (household) => household[name];
}

function compileTest(rule: Rule): Test {
  if ('all' in rule) {
    const tests = rule.all.map(compileTest);
    return (h, p) => {
      for (const test of tests) if (!test(h, p)) return false;
      return true;
    };
  }
  if ('any' in rule) {
    const tests = rule.any.map(compileTest);
    return (h, p) => {
      for (const test of tests) if (test(h, p)) return true;
      return false;
    };
  }
  if ('not' in rule) {
    const test = compileTest(rule.not);
    return (h, p) => !test(h, p);
  }
  const read = reader(rule.fact);
  switch (rule.op) {
    case 'eq': {
      const value = rule.value;
      return (h, p) => read(h, p) === value;
    }
    case 'ne': {
      const value = rule.value;
      return (h, p) => read(h, p) !== value;
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const value = rule.value as number | string;
      const op = rule.op;
      return (h, p) => {
        const actual = read(h, p) as number | string | null;
        if (actual === null) return false;
        return op === 'lt'
          ? actual < value
          : op === 'le'
            ? actual <= value
            : op === 'gt'
              ? actual > value
              : actual >= value;
      };
    }
    case 'in': {
      const values = rule.value;
      return (h, p) => {
        const actual = read(h, p);
        return actual !== null && values.includes(actual);
      };
    }
    case 'between': {
      const [low, high] = rule.value as [number | string, number | string];
      return (h, p) => {
        const actual = read(h, p) as number | string | null;
        return actual !== null && actual >= low && actual <= high;
      };
    }
  }
}

/** One top-level condition of a rule, ready to test and explain. */
interface CompiledCondition {
  condition: string;
  expected: string;
  /** The condition's label for the fact value(s) and whether it held, in a language. */
  label: (actual: unknown, passed: boolean, lang: Language) => string;
  test: Test;
  /** The fact value (leaf), or the values of the facts a group tests. */
  actual: (household: Facts, person: Facts | null) => unknown;
}

/** A rule compiled once: the conjunction of its top-level conditions. */
export interface CompiledRule {
  conditions: readonly CompiledCondition[];
  /** The same conditions' tests, without their explanations (the bulk path). */
  tests: readonly Test[];
}

function topLevel(rule: Rule, into: Rule[]): Rule[] {
  if ('all' in rule) rule.all.forEach((child) => topLevel(child, into));
  else into.push(rule);
  return into;
}

/** What a label needs of a condition in one language, worked out once per compiled rule. */
function perLanguage<T>(make: (words: Wording) => T): (lang: Language) => T {
  const made = new Map<Language, T>();
  return (lang) => {
    let value = made.get(lang);
    if (value === undefined) {
      value = make(wording(lang));
      made.set(lang, value);
    }
    return value;
  };
}

function compileCondition(rule: Rule): CompiledCondition {
  const test = compileTest(rule);
  if ('fact' in rule) {
    const fact = FACTS_BY_NAME.get(rule.fact);
    const words = perLanguage((w) => ({ w, fact: w.fact(rule.fact), required: requirementLabel(rule, w) }));
    return {
      condition: describeRule(rule),
      expected: expectedText(rule),
      label: (actual, _passed, lang) => {
        const { w, fact: name, required } = words(lang);
        return w.phrase('leaf', { fact: name, actual: valueLabel(actual, fact, w), required });
      },
      test,
      actual: reader(rule.fact),
    };
  }
  const names = factsOf(rule);
  const readers = names.map(reader);
  const requirement = 'any' in rule ? 'requireAny' : 'not' in rule ? 'requireNot' : 'requireAll';
  const words = perLanguage((w) => ({ w, rule: describeRuleIn(rule, w), required: w.phrase(requirement) }));
  return {
    condition: describeRule(rule),
    expected: 'any' in rule ? 'at least one holds' : 'holds',
    label: (actual, passed, lang) => {
      const { w, rule: ruleWords, required } = words(lang);
      const values = Object.entries(actual as Record<string, unknown>)
        .map(([name, value]) =>
          w.phrase('groupValue', { fact: w.fact(name), value: valueLabel(value, FACTS_BY_NAME.get(name), w) }),
        )
        .join(w.phrase('valueSeparator'));
      return w.phrase('group', { rule: ruleWords, verdict: w.phrase(passed ? 'holds' : 'fails'), values, required });
    },
    test,
    actual: (h, p) => {
      const values: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) values[names[i]] = readers[i](h, p);
      return values;
    },
  };
}

/** Compiles a validated rule. A nested `all` is flattened, so each of its parts is explained on its own. */
export function compileRule(rule: Rule): CompiledRule {
  const conditions = topLevel(rule, []).map(compileCondition);
  return { conditions, tests: conditions.map((condition) => condition.test) };
}

/**
 * Evaluates every top-level condition (so the explanation is complete, not just the first failure)
 * and pushes one reason per condition into `reasons`. Answers whether all held.
 */
export function evaluateRule(
  rule: CompiledRule,
  household: Facts,
  person: Facts | null,
  reasons: Reason[],
  lang: Language = DEFAULT_LANGUAGE,
): boolean {
  let eligible = true;
  for (const condition of rule.conditions) {
    const passed = condition.test(household, person);
    if (!passed) eligible = false;
    const actual = condition.actual(household, person);
    reasons.push({
      condition: condition.condition,
      label: condition.label(actual, passed, lang),
      actual,
      expected: condition.expected,
      passed,
    });
  }
  return eligible;
}

/**
 * Whether the rule holds, without an explanation: the same compiled tests as `evaluateRule`, stopped
 * at the first that fails (each test is a pure function of the facts, so the answer is the same).
 * For bulk decisions, where building a reason per condition would be most of the work.
 */
export function ruleHolds(rule: CompiledRule, household: Facts, person: Facts | null): boolean {
  const tests = rule.tests;
  for (let i = 0; i < tests.length; i++) if (!tests[i](household, person)) return false;
  return true;
}
