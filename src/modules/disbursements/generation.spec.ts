import { batchUnits } from './batch-period.js';
import { decisionDates, lastDayOf } from './generation.js';

describe('batch decision dates', () => {
  it('finds the last day of a year or a month, leap years included', () => {
    expect(lastDayOf('2012')).toBe('2012-12-31');
    expect(lastDayOf('2012-02')).toBe('2012-02-29');
    expect(lastDayOf('2013-02')).toBe('2013-02-28');
    expect(lastDayOf('2014-04')).toBe('2014-04-30');
  });

  it('decides monthly units on each first day, annual ones on 31 December, one-time ones at the period end', () => {
    const monthly = batchUnits('MONTHLY', '2012-03');
    const annual = batchUnits('ANNUAL', '2012');
    const once = batchUnits('ONE_TIME', '2013-06');
    if (typeof monthly === 'string' || typeof annual === 'string' || typeof once === 'string') throw new Error('units');
    expect(decisionDates({ frequency: 'MONTHLY' }, monthly, '2012-03')).toEqual([
      '2012-01-01',
      '2012-02-01',
      '2012-03-01',
    ]);
    expect(decisionDates({ frequency: 'ANNUAL' }, annual, '2012')).toEqual(['2012-12-31']);
    expect(decisionDates({ frequency: 'ONE_TIME' }, once, '2013-06')).toEqual(['2013-06-30']);
  });
});
