/**
 * Calendar dates as `YYYY-MM-DD` strings (never JS Dates, which carry a time zone). "Today" is the
 * date in China, where the registry's events happen.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `y-m-d` is a real calendar date (no 31 February, 29 February only in leap years). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** Whether `value` is a `YYYY-MM-DD` string naming a real calendar date. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Today's date in China (one definition for the whole service). */
export { todayInChina } from '../../common/dates.js';

/** Completed years of age on `date` for someone born on `birthDate` (both `YYYY-MM-DD`). */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const ADULT_AGE = 18;
