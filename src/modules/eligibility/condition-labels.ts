import { en } from '../../common/i18n/en.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../common/i18n/i18n.js';
import { zhCN } from '../../common/i18n/zh-CN.js';

/**
 * The words of condition labels (`Reason.label`) in each language, from the i18n catalogues'
 * `conditions.*` keys: fact names, values, units and the phrases a label is built from. Labels are
 * built for every explained decision (a bulk stream explains hundreds of thousands), so each
 * phrase is split once into its text and `{{name}}` slots and filled by concatenation, instead of
 * going through i18next for every label.
 */
type ConditionCatalogue = typeof zhCN.conditions;
type PhraseKey = {
  [K in keyof ConditionCatalogue & string]: ConditionCatalogue[K] extends string ? K : never;
}[keyof ConditionCatalogue & string];

/** A phrase split at its slots: texts[0] name[0] texts[1] name[1] ... texts[n]. */
interface Template {
  texts: string[];
  names: string[];
}

function parse(phrase: string): Template {
  const texts: string[] = [];
  const names: string[] = [];
  let rest = phrase;
  for (let match = /\{\{(\w+)\}\}/.exec(rest); match; match = /\{\{(\w+)\}\}/.exec(rest)) {
    texts.push(rest.slice(0, match.index));
    names.push(match[1]);
    rest = rest.slice(match.index + match[0].length);
  }
  texts.push(rest);
  return { texts, names };
}

export interface Wording {
  readonly lang: Language;
  /** A phrase of `conditions.*` with its slots filled. */
  phrase(key: PhraseKey, params?: Readonly<Record<string, string>>): string;
  /** A fact's name (`household.livingChildren`), or the name itself when the catalogue lacks it. */
  fact(name: string): string;
  /** A fact value in words: yes/no, none, an enum value's name, a number with its unit. */
  value(value: unknown, unit?: string): string;
}

const UNIT_KEYS: Readonly<Record<string, keyof ConditionCatalogue['units']>> = {
  周岁: 'years',
  个: 'count',
  次: 'times',
  级: 'grade',
};

function makeWording(lang: Language): Wording {
  const words = (lang === 'en' ? en : zhCN).conditions;
  const templates = new Map<string, Template>();
  const facts = new Map<string, string>();
  for (const [scope, names] of Object.entries(words.facts)) {
    for (const [name, text] of Object.entries(names)) facts.set(`${scope}.${name}`, text);
  }
  const values = words.values as unknown as Record<string, string>;
  return {
    lang,
    phrase(key, params = {}) {
      let template = templates.get(key);
      if (!template) {
        template = parse(words[key]);
        templates.set(key, template);
      }
      let out = template.texts[0];
      for (let i = 0; i < template.names.length; i++) out += (params[template.names[i]] ?? '') + template.texts[i + 1];
      return out;
    },
    fact(name) {
      return facts.get(name) ?? name;
    },
    value(value, unit) {
      if (value === null || value === undefined) return values.null;
      if (typeof value === 'boolean') return value ? values.true : values.false;
      if (typeof value === 'number') {
        const key = unit === undefined ? undefined : UNIT_KEYS[unit];
        return `${value}${key === undefined ? (unit ?? '') : words.units[key]}`;
      }
      if (typeof value === 'string') return values[value] ?? value;
      return JSON.stringify(value);
    },
  };
}

const wordings = new Map<Language, Wording>(LANGUAGES.map((lang) => [lang, makeWording(lang)]));

/** The words of labels in `lang` (Chinese by default). */
export function wording(lang: Language = DEFAULT_LANGUAGE): Wording {
  return wordings.get(lang)!;
}
