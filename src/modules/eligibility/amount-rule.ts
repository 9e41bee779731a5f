import { Decimal } from 'decimal.js';
import { callerText } from '../../common/request-context.js';
import type { FieldProblem } from '../../common/errors.js';
import { formatMoney, isMoneyString, MAX_PERIOD_AMOUNT, money } from '../../common/money.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';
import type { Facts, FactScope, FactValue } from './facts.js';
import { FACTS_BY_NAME } from './facts.js';
import type { Language } from '../../common/i18n/i18n.js';
import { wording } from './condition-labels.js';
import { checkFactReference, checkLiteral, valueLabel, type Literal, type Reason } from './rule.js';

/**
 * The amount rule of a policy version (`policy_versions.amount`), in yuan as two-place strings:
 *
 *   { "kind": "FIXED", "amount": "960.00" }
 *   { "kind": "TABLE", "fact": "person.hukouType",
 *     "cases": [{ "equals": "URBAN", "amount": "340.00" }, { "equals": "RURAL", "amount": "170.00" }] }
 *   { "kind": "NONE", "benefit": "5 points on the senior-school entrance exam" }   (non-cash only)
 *
 * The amount is per period: the month's for a monthly benefit, the year's for an annual one, the
 * whole sum for a one-time one. A TABLE with no case for the beneficiary's value makes the
 * decision ineligible, with that as the reason.
 */
export type AmountRule =
  | { kind: 'FIXED'; amount: string }
  | { kind: 'TABLE'; fact: string; cases: { equals: Literal; amount: string }[] }
  | { kind: 'NONE'; benefit: string };

/** Parts of 1 by funding level, as decimal strings: `{ "MUNICIPAL": "0.5", "COUNTY": "0.5" }`. */
export type FundingShares = Partial<Record<FundingLevel, string>>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKeys(node: Record<string, unknown>, allowed: string[], path: string, out: FieldProblem[]) {
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key))
      out.push({
        field: `${path}.${key}`,
        message: callerText('amountProblems.unknownKey', { key: JSON.stringify(key) }),
      });
  }
}

function checkAmount(value: unknown, path: string, out: FieldProblem[]) {
  if (!isMoneyString(value) || value.startsWith('-')) {
    out.push({ field: path, message: callerText('amountProblems.amount') });
  } else if (money(value).greaterThan(MAX_PERIOD_AMOUNT)) {
    out.push({ field: path, message: callerText('amountProblems.maxAmount', { max: MAX_PERIOD_AMOUNT }) });
  }
}

export function validateAmountRule(
  amount: unknown,
  benefitKind: 'CASH' | 'NON_CASH',
  unit: 'HOUSEHOLD' | 'PERSON',
  path = 'amount',
): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isObject(amount)) return [{ field: path, message: callerText('amountProblems.notObject') }];
  const kind = amount.kind;
  if (benefitKind === 'NON_CASH' && kind !== 'NONE') {
    return [{ field: `${path}.kind`, message: callerText('amountProblems.nonCash') }];
  }
  if (benefitKind === 'CASH' && kind === 'NONE') {
    return [{ field: `${path}.kind`, message: callerText('amountProblems.cash') }];
  }
  switch (kind) {
    case 'FIXED':
      unknownKeys(amount, ['kind', 'amount'], path, out);
      checkAmount(amount.amount, `${path}.amount`, out);
      break;
    case 'NONE':
      unknownKeys(amount, ['kind', 'benefit'], path, out);
      if (typeof amount.benefit !== 'string' || amount.benefit.length === 0 || amount.benefit.length > 200) {
        out.push({ field: `${path}.benefit`, message: callerText('amountProblems.benefit') });
      }
      break;
    case 'TABLE': {
      unknownKeys(amount, ['kind', 'fact', 'cases'], path, out);
      const scopes: FactScope[] = unit === 'PERSON' ? ['household', 'person'] : ['household'];
      const fact = checkFactReference(amount.fact, `${path}.fact`, scopes, out);
      const cases = amount.cases;
      if (!Array.isArray(cases) || cases.length === 0 || cases.length > 50) {
        out.push({ field: `${path}.cases`, message: callerText('amountProblems.cases') });
        break;
      }
      const seen = new Set<unknown>();
      cases.forEach((entry: unknown, index) => {
        const at = `${path}.cases[${index}]`;
        if (!isObject(entry)) {
          out.push({ field: at, message: callerText('amountProblems.case') });
          return;
        }
        unknownKeys(entry, ['equals', 'amount'], at, out);
        if (fact && checkLiteral(fact, entry.equals, `${at}.equals`, out)) {
          if (seen.has(entry.equals))
            out.push({ field: `${at}.equals`, message: callerText('amountProblems.repeatedCase') });
          seen.add(entry.equals);
        }
        checkAmount(entry.amount, `${at}.amount`, out);
      });
      break;
    }
    default:
      out.push({ field: `${path}.kind`, message: callerText('amountProblems.kind') });
  }
  return out;
}

export function validateFundingShares(shares: unknown, path = 'fundingShares'): FieldProblem[] {
  if (!isObject(shares) || Object.keys(shares).length === 0) {
    return [{ field: path, message: callerText('amountProblems.shares', { levels: FUNDING_LEVELS.join(', ') }) }];
  }
  const out: FieldProblem[] = [];
  let sum = money(0);
  for (const [level, share] of Object.entries(shares)) {
    const at = `${path}.${level}`;
    if (!(FUNDING_LEVELS as readonly string[]).includes(level)) {
      out.push({ field: at, message: callerText('amountProblems.level', { levels: FUNDING_LEVELS.join(', ') }) });
      continue;
    }
    if (typeof share !== 'string' || !/^(0|1)(\.\d{1,6})?$/.test(share) || money(share).lte(0) || money(share).gt(1)) {
      out.push({ field: at, message: callerText('amountProblems.share') });
      continue;
    }
    sum = sum.plus(share);
  }
  if (out.length === 0 && !sum.eq(1)) {
    out.push({ field: path, message: callerText('amountProblems.sum', { sum: sum.toString() }) });
  }
  return out;
}

/** What an amount rule yields for one beneficiary: the amount (null for non-cash), or no case. */
export type AmountFn = (
  household: Facts,
  person: Facts | null,
  reasons: Reason[],
  lang?: Language,
) => string | null | undefined;

/**
 * Compiles a validated amount rule. The function answers the two-place amount string, null for a
 * non-cash benefit, or undefined when a TABLE has no case for the beneficiary (a failed reason is
 * pushed). A TABLE also explains which case applied.
 */
export function compileAmountRule(rule: AmountRule): AmountFn {
  switch (rule.kind) {
    case 'NONE':
      return () => null;
    case 'FIXED': {
      const amount = formatMoney(rule.amount);
      return () => amount;
    }
    case 'TABLE': {
      const name = rule.fact;
      const isPerson = name.startsWith('person.');
      const cases = new Map<FactValue, string>(rule.cases.map((entry) => [entry.equals, formatMoney(entry.amount)]));
      const condition = `amount by ${name}`;
      const expected = `in [${rule.cases.map((entry) => String(entry.equals)).join(', ')}]`;
      const fact = FACTS_BY_NAME.get(name);
      return (household, person, reasons, lang) => {
        const actual = isPerson ? (person === null ? null : person[name]) : household[name];
        const amount = cases.get(actual);
        const words = wording(lang);
        const label =
          amount === undefined
            ? words.phrase('amountUnknown', {
                fact: words.fact(name),
                actual: valueLabel(actual, fact, words),
                known: rule.cases
                  .map((entry) => valueLabel(entry.equals, fact, words))
                  .join(words.phrase('listSeparator')),
              })
            : words.phrase('amount', { fact: words.fact(name), actual: valueLabel(actual, fact, words), amount });
        reasons.push({ condition, label, actual, expected, passed: amount !== undefined });
        return amount;
      };
    }
  }
}

/** Sum of two-place amount strings, exactly. */
export function sumAmounts(amounts: readonly string[]): string {
  let total = new Decimal(0);
  for (const amount of amounts) total = total.plus(amount);
  return formatMoney(total);
}
