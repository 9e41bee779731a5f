import { factValue, FUNDING_LEVEL, label } from '../../i18n/labels';

/** A fact of the catalogue (GET /policies/facts): its Chinese label and unit. */
export interface Fact {
  name: string;
  label: string;
  unit?: string;
  type: string;
}

type Leaf = { fact: string; op: string; value: unknown };
export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | Leaf;

const value = (v: unknown, fact?: Fact) => (typeof v === 'number' ? `${v}${fact?.unit ?? ''}` : factValue(v));

function leafText(leaf: Leaf, facts: Map<string, Fact>): string {
  const fact = facts.get(leaf.fact);
  const name = fact?.label ?? leaf.fact;
  if (fact?.type === 'boolean' && typeof leaf.value === 'boolean' && (leaf.op === 'eq' || leaf.op === 'ne')) {
    return (leaf.op === 'eq') === leaf.value ? name : `并非${name}`;
  }
  if (fact?.type === 'date') {
    const word = { lt: '早于', le: '不晚于', gt: '晚于', ge: '不早于' }[leaf.op];
    if (word) return `${name}${word}${value(leaf.value, fact)}`;
  }
  switch (leaf.op) {
    case 'eq':
      return `${name}为${value(leaf.value, fact)}`;
    case 'ne':
      return `${name}不为${value(leaf.value, fact)}`;
    case 'lt':
      return `${name}小于${value(leaf.value, fact)}`;
    case 'le':
      return `${name}不超过${value(leaf.value, fact)}`;
    case 'gt':
      return `${name}大于${value(leaf.value, fact)}`;
    case 'ge':
      return `${name}不少于${value(leaf.value, fact)}`;
    case 'in':
      return `${name}为${(leaf.value as unknown[]).map((v) => value(v, fact)).join('、')}之一`;
    case 'between': {
      const [low, high] = leaf.value as unknown[];
      return `${name}在${value(low, fact)}至${value(high, fact)}之间`;
    }
    default:
      return `${name} ${leaf.op} ${value(leaf.value, fact)}`;
  }
}

function clause(rule: Rule, facts: Map<string, Fact>): string {
  if ('all' in rule) return rule.all.map((r) => clause(r, facts)).join('，并且');
  if ('any' in rule) return `以下至少一项成立：${rule.any.map((r) => clause(r, facts)).join('；或者')}`;
  if ('not' in rule) return `并非（${clause(rule.not, facts)}）`;
  return leafText(rule, facts);
}

/** A rule as Chinese sentences, one per top-level condition: "本人年龄（按出生年份）不少于60周岁。" */
export function ruleSentences(rule: unknown, facts: Fact[]): string[] {
  const byName = new Map(facts.map((f) => [f.name, f]));
  const top = rule && typeof rule === 'object' && 'all' in rule ? (rule as { all: Rule[] }).all : [rule as Rule];
  return top.map((r) => `${clause(r, byName)}。`);
}

/** The amount rule in words: "每期 ¥960.00", "按本人户口性质：农业 ¥170.00，非农业 ¥340.00". */
export function amountText(amount: unknown, facts: Fact[]): string {
  const a = amount as {
    kind: string;
    amount?: string;
    fact?: string;
    cases?: { equals: unknown; amount: string }[];
    benefit?: string;
  };
  if (a?.kind === 'FIXED') return `每期 ¥${a.amount}`;
  if (a?.kind === 'TABLE') {
    const fact = facts.find((f) => f.name === a.fact);
    return `按${fact?.label ?? a.fact}：${(a.cases ?? []).map((c) => `${value(c.equals, fact)} ¥${c.amount}`).join('，')}`;
  }
  if (a?.kind === 'NONE') return `非现金：${a.benefit}`;
  return JSON.stringify(amount);
}

/** Funding shares in words: "中央 50%，省级 30%，市级 10%，县级 10%". */
export function sharesText(shares: unknown): string {
  const order = Object.keys(FUNDING_LEVEL);
  return Object.entries((shares ?? {}) as Record<string, string | number>)
    .filter(([, share]) => Number(share) > 0)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([level, share]) => `${label(FUNDING_LEVEL, level)} ${+(Number(share) * 100).toFixed(4)}%`)
    .join('，');
}
