import { nextFiring } from './cron.js';

describe('nextFiring', () => {
  it('reads the expression in China time', () => {
    // 1 January 00:00 in Beijing is 31 December 16:00 UTC.
    expect(nextFiring('0 0 1 1 *', new Date('2026-11-29T08:00:00Z'))).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(nextFiring('30 2 * * *', new Date('2026-11-29T08:00:00Z'))).toEqual(new Date('2026-11-29T18:30:00Z'));
  });

  it('is strictly after the given moment', () => {
    expect(nextFiring('* * * * *', new Date('2026-11-29T08:00:00Z'))).toEqual(new Date('2026-11-29T08:01:00Z'));
  });

  it('answers why an expression is refused', () => {
    expect(typeof nextFiring('61 * * * *', new Date())).toBe('string');
    expect(nextFiring('* * * *', new Date())).toBe('a schedule has five fields: minute hour day month weekday');
    expect(typeof nextFiring('0 0 1 1 * *', new Date())).toBe('string');
  });
});
