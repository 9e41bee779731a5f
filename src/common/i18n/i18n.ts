import i18next, { type i18n } from 'i18next';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

/**
 * Languages the API speaks: Chinese unless the caller asks for English. A plain module (no Nest),
 * so pure code, jobs and the CLI translate the same way as the HTTP edge.
 */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every key of the catalogues, e.g. `labels.batchStatus.SETTLED`: a typo does not compile. */
export type I18nKey = Leaves<typeof zhCN>;
export type I18nParams = Record<string, unknown>;

const instance: i18n = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // Interpolated values are plain text in JSON, never HTML.
  interpolation: { escapeValue: false },
  returnNull: false,
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
});

/** The text of `key` in `lang` (Chinese by default) with `{{name}}` filled from `params`. */
export function translate(key: I18nKey, params: I18nParams = {}, lang: Language = DEFAULT_LANGUAGE): string {
  return instance.t(key, { ...params, lng: lang });
}

/**
 * For keys built at run time (an error code, an enum value, a condition name): the text, or
 * undefined when the catalogue has no such key (the caller decides the fallback).
 */
export function translateIfKnown(
  key: string,
  params: I18nParams = {},
  lang: Language = DEFAULT_LANGUAGE,
): string | undefined {
  if (!instance.exists(key, { lng: lang })) return undefined;
  return instance.t(key, { ...params, lng: lang });
}

/** The label of an enum value (`labels.<catalogue>.<value>`), or the value itself when unknown. */
export function label(catalogue: keyof typeof zhCN.labels, value: string, lang: Language = DEFAULT_LANGUAGE): string {
  return translateIfKnown(`labels.${catalogue}.${value}`, {}, lang) ?? value;
}

/** A whole label catalogue as `{value: label}`, for clients that render enums (GET /labels). */
export function labelCatalogue(
  lang: Language = DEFAULT_LANGUAGE,
): Record<keyof typeof zhCN.labels, Record<string, string>> {
  return (lang === 'en' ? en : zhCN).labels as Record<keyof typeof zhCN.labels, Record<string, string>>;
}

/**
 * The language of an `Accept-Language` header: English when the caller prefers English over
 * Chinese, otherwise Chinese (so an absent, unknown or malformed header gives Chinese).
 */
export function languageOf(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '');
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag, ...attributes] = part.trim().toLowerCase().split(';');
      const q = attributes.map((a) => /^\s*q=([0-9.]+)\s*$/.exec(a)?.[1]).find((v) => v !== undefined);
      const weight = q === undefined ? 1 : Number(q);
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter(
      (range) =>
        range.weight > 0 &&
        (range.tag === 'en' || range.tag.startsWith('en-') || range.tag === 'zh' || range.tag.startsWith('zh-')),
    )
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  const best = ranges[0];
  return best && (best.tag === 'en' || best.tag.startsWith('en-')) ? 'en' : 'zh-CN';
}

/** Flattened keys of a catalogue (the parity test compares the two). */
export function catalogueKeys(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : catalogueKeys(value as object, `${prefix}${key}.`),
  );
}

export const catalogues = { 'zh-CN': zhCN, en } as const;

/** How a message names a policy: its Chinese name, or its code in English (as the English texts do). */
export function policyName(code: string, lang: Language = DEFAULT_LANGUAGE): string {
  return lang === 'en' ? code : label('policy', code, lang);
}
