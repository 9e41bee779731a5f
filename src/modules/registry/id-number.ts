import { DEFAULT_LANGUAGE, translate, type Language } from '../../common/i18n/i18n.js';
import { isCalendarDate } from '../../common/calendar.js';
import type { Sex } from './household-snapshot.js';

/**
 * The 18-character resident ID of GB 11643-1999: 6-digit address code, birth date YYYYMMDD, a
 * 3-digit sequence whose parity is the sex (odd: male), and a check character by ISO 7064
 * MOD 11-2. Pure functions, no framework.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export interface ResidentId {
  /** Normalised: a lowercase x is stored as X. */
  idNumber: string;
  birthDate: string;
  sex: Sex;
}

export type IdNumberCheck = { ok: true; value: ResidentId } | { ok: false; reason: string };

/** The check character of the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Validates an ID number and derives the birth date and sex. `today` (`YYYY-MM-DD`) bounds the birth
 * date: nobody is registered before they are born. The reason a number is refused is in `lang`.
 */
export function parseIdNumber(raw: unknown, today: string, lang: Language = DEFAULT_LANGUAGE): IdNumberCheck {
  if (typeof raw !== 'string') return { ok: false, reason: translate('idNumber.notString', {}, lang) };
  const idNumber = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) {
    return { ok: false, reason: translate('idNumber.format', {}, lang) };
  }
  const year = Number(idNumber.slice(6, 10));
  const month = Number(idNumber.slice(10, 12));
  const day = Number(idNumber.slice(12, 14));
  if (year < 1800 || !isCalendarDate(year, month, day)) {
    return { ok: false, reason: translate('idNumber.birthDateInvalid', { value: idNumber.slice(6, 14) }, lang) };
  }
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (birthDate > today) {
    return { ok: false, reason: translate('idNumber.birthDateFuture', { value: birthDate }, lang) };
  }
  const expected = idCheckCharacter(idNumber);
  if (idNumber[17] !== expected) {
    return { ok: false, reason: translate('idNumber.checkCharacter', { actual: idNumber[17], expected }, lang) };
  }
  const sex: Sex = Number(idNumber[16]) % 2 === 1 ? 'M' : 'F';
  return { ok: true, value: { idNumber, birthDate, sex } };
}

/** `410102**********18`: the address code and the last two characters stay visible. */
export function maskNumber(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 8)}${value.slice(-2)}`;
}
