/**
 * The one calendar: dates are `YYYY-MM-DD` strings (never JS Dates, which carry a time zone) in
 * China Standard Time, the commission's calendar, and arithmetic on them uses plain integers, so no
 * time zone can move a day. Days are counted with the proleptic Gregorian "days from civil"
 * algorithm (H. Hinnant), which is exact for every date this system meets. No Node or framework
 * import: the console shares it.
 */

const CHINA_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in China (one definition for the whole service). */
export function todayInChina(now: Date = new Date()): string {
  return CHINA_DATE.format(now);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const YEAR_PATTERN = /^(\d{4})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Whether `year-month-day` is a real calendar date (no 31 February, 29 February only in leap years). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number) => String(n).padStart(4, '0');

export function formatDate(year: number, month: number, day: number): string {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

// Year, month and day of a `YYYY-MM-DD` string (assumed valid), read digit by digit: these run
// for every member of every household in bulk decisions, so they allocate nothing.
const digit = (text: string, index: number) => text.charCodeAt(index) - 48;

export function yearOf(date: string): number {
  return digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
}
export function monthOf(date: string): number {
  return digit(date, 5) * 10 + digit(date, 6);
}
export function dayOf(date: string): number {
  return digit(date, 8) * 10 + digit(date, 9);
}

/**
 * Completed years between `birthDate` and `date`: the age on `date`. A birthday counts on its day;
 * someone born on 29 February becomes a year older on 1 March in common years.
 */
export function ageOn(birthDate: string, date: string): number {
  const years = yearOf(date) - yearOf(birthDate);
  const birthday = monthOf(birthDate) * 100 + dayOf(birthDate);
  return monthOf(date) * 100 + dayOf(date) < birthday ? years - 1 : years;
}

/** The age reached within the year of `date` (on its 31 December, when every birthday has passed). */
export function ageAtYearEnd(birthDate: string, date: string): number {
  return yearOf(date) - yearOf(birthDate);
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return formatDate(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
}

export function addDays(date: string, days: number): string {
  return civilFromDays(daysFromCivil(yearOf(date), monthOf(date), dayOf(date)) + days);
}

export function yearEnd(date: string): string {
  return `${date.slice(0, 4)}-12-31`;
}

/** The last day of the month `date` falls in. */
export function monthEnd(date: string): string {
  const year = yearOf(date);
  const month = monthOf(date);
  return formatDate(year, month, daysInMonth(year, month));
}

/** The last day of a period `YYYY` or `YYYY-MM` (assumed valid). */
export function lastDayOf(period: string): string {
  return period.length === 4 ? `${period}-12-31` : monthEnd(`${period}-01`);
}

/** A benefit period: a month `YYYY-MM` or a year `YYYY`. */
export interface Period {
  kind: 'MONTH' | 'YEAR';
  text: string;
  year: number;
  /** 1-12 for a month; null for a year. */
  month: number | null;
  firstDay: string;
  lastDay: string;
}

/** Parses `YYYY` or `YYYY-MM`; undefined when it is neither. */
export function parsePeriod(text: string): Period | undefined {
  const monthMatch = MONTH_PATTERN.exec(text);
  if (monthMatch) {
    const year = Number(monthMatch[1]);
    const month = Number(monthMatch[2]);
    if (month < 1 || month > 12) return undefined;
    return {
      kind: 'MONTH',
      text,
      year,
      month,
      firstDay: formatDate(year, month, 1),
      lastDay: formatDate(year, month, daysInMonth(year, month)),
    };
  }
  if (YEAR_PATTERN.test(text)) {
    const year = Number(text);
    return { kind: 'YEAR', text, year, month: null, firstDay: `${text}-01-01`, lastDay: `${text}-12-31` };
  }
  return undefined;
}

/** The months (`YYYY-MM`) a period covers, in order. */
export function monthsOf(period: Period): string[] {
  if (period.kind === 'MONTH') return [period.text];
  const months: string[] = [];
  for (let month = 1; month <= 12; month++) months.push(`${pad4(period.year)}-${pad2(month)}`);
  return months;
}
