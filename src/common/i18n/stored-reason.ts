import { DEFAULT_LANGUAGE, translate, translateIfKnown, type I18nKey, type Language } from './i18n.js';

/**
 * A reason kept in the database as a stable code and its parameters, so it is worded in the
 * language of whoever reads it, not of whoever (or whichever job) wrote it. Rows written before the
 * codes existed have only their stored text, which is shown as it was.
 */
export interface StoredReason {
  code: string;
  params: Record<string, unknown>;
}

/** The text of a stored reason in `lang`: rendered from its code, or the stored text of an old row. */
export function storedReasonText(
  row: { code: string | null; params: unknown; text: string | null },
  render: (reason: StoredReason, lang: Language) => string | undefined,
  lang: Language = DEFAULT_LANGUAGE,
): string | null {
  if (row.code == null) return row.text;
  const params = (typeof row.params === 'object' && row.params !== null ? row.params : {}) as Record<string, unknown>;
  return render({ code: row.code, params }, lang) ?? row.text;
}

/** Why an enrollment was suspended or terminated by a re-decision (life event or yearly re-check). */
export const ENROLLMENT_REASON_CODES = [
  'BENEFICIARY_DIED',
  'MOVED_OUT',
  'ONLY_CHILD_ADULT',
  'SECOND_CHILD',
  'NO_LONGER_ELIGIBLE',
] as const;
export type EnrollmentReasonCode = (typeof ENROLLMENT_REASON_CODES)[number];

/** What set off the re-decision: a life event, or the yearly re-check as of a date. */
export type ReasonCause = { kind: 'lifeEvent'; eventId: string } | { kind: 'recheck'; asOf: string };

/**
 * An enrollment's re-decision reason: the outcome, the failed conditions (their expressions, the
 * same in every language) and, for a transition, its cause.
 */
export function enrollmentReasonText(reason: StoredReason, lang: Language): string | undefined {
  const outcome = translateIfKnown(`reasons.enrollment.${reason.code}`, {}, lang);
  if (outcome === undefined) return undefined;
  const conditions = Array.isArray(reason.params.conditions) ? reason.params.conditions.map(String) : [];
  const detail =
    conditions.length > 0
      ? translate(
          'reasons.failedConditions',
          { conditions: conditions.join(translate('reasons.conditionSeparator', {}, lang)) },
          lang,
        )
      : '';
  const cause = reason.params.cause as Partial<ReasonCause> | undefined;
  const causeText =
    cause?.kind === 'lifeEvent' || cause?.kind === 'recheck'
      ? translate('reasons.causeSeparator', {}, lang) + translate(`reasons.cause.${cause.kind}`, cause, lang)
      : '';
  return `${outcome}${detail}${causeText}`;
}

/** Why a batch could not pay a beneficiary: `CODE: explanation`, the explanation in `lang`. */
export function exceptionReasonText(reason: StoredReason, lang: Language): string | undefined {
  const { problem, problemParams } = reason.params as { problem?: string; problemParams?: Record<string, unknown> };
  const problemText = problem === undefined ? '' : (translateIfKnown(problem, problemParams ?? {}, lang) ?? problem);
  const text = translateIfKnown(`reasons.exception.${reason.code}`, { problem: problemText }, lang);
  return text === undefined ? undefined : `${reason.code}: ${text}`;
}

/** A problem worded by catalogue key (e.g. `bankAccount.accountNoLuhn`), kept as key and parameters. */
export interface KeyedProblem {
  key: I18nKey;
  params?: Record<string, unknown>;
}
