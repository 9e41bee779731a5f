import fc from 'fast-check';
import { addDays, ageAtYearEnd, ageOn, isCalendarDate, isDate, lastDayOf, monthsOf, parsePeriod } from './calendar.js';

describe('calendar', () => {
  it('finds the last day of a year or a month, leap years included', () => {
    expect(lastDayOf('2012')).toBe('2012-12-31');
    expect(lastDayOf('2012-02')).toBe('2012-02-29');
    expect(lastDayOf('2013-02')).toBe('2013-02-28');
    expect(lastDayOf('2014-04')).toBe('2014-04-30');
  });

  it('knows real dates from impossible ones', () => {
    expect(isCalendarDate(2012, 2, 29)).toBe(true);
    expect(isCalendarDate(1900, 2, 29)).toBe(false);
    expect(isDate('2000-02-29')).toBe(true);
    expect(isDate('2013-02-29')).toBe(false);
    expect(isDate('2013-04-31')).toBe(false);
    expect(isDate('2013-4-1')).toBe(false);
    expect(isDate(20130401)).toBe(false);
  });

  it('counts age by birthdays, a birthday counting on its day', () => {
    expect(ageOn('1952-12-31', '2012-12-30')).toBe(59);
    expect(ageOn('1952-12-31', '2012-12-31')).toBe(60);
    expect(ageOn('1953-01-01', '2012-12-31')).toBe(59);
    expect(ageOn('1964-02-29', '2013-02-28')).toBe(48);
    expect(ageOn('1964-02-29', '2013-03-01')).toBe(49);
    expect(ageAtYearEnd('1952-12-31', '2012-01-01')).toBe(60);
  });

  it('adds days across months, leap years and centuries', () => {
    expect(addDays('2012-03-01', -1)).toBe('2012-02-29');
    expect(addDays('2011-03-01', -1)).toBe('2011-02-28');
    expect(addDays('1900-02-28', 1)).toBe('1900-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2011-12-31', 1)).toBe('2012-01-01');
  });

  it('agrees with UTC Date arithmetic on every day from 1900 to 2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 73000 }), fc.integer({ min: -4000, max: 4000 }), (offset, days) => {
        const base = new Date(Date.UTC(1900, 0, 1 + offset));
        const from = base.toISOString().slice(0, 10);
        const expected = new Date(base.getTime() + days * 86400000).toISOString().slice(0, 10);
        expect(isDate(from)).toBe(true);
        expect(addDays(from, days)).toBe(expected);
      }),
    );
  });

  it('parses periods', () => {
    expect(parsePeriod('2012-02')).toMatchObject({ kind: 'MONTH', firstDay: '2012-02-01', lastDay: '2012-02-29' });
    expect(parsePeriod('2012')).toMatchObject({ kind: 'YEAR', firstDay: '2012-01-01', lastDay: '2012-12-31' });
    expect(parsePeriod('2012-13')).toBeUndefined();
    expect(parsePeriod('12-01')).toBeUndefined();
    expect(monthsOf(parsePeriod('2012')!)).toHaveLength(12);
  });
});
