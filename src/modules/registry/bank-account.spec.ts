import { accountNoProblem, bankCodeProblem, luhnValid } from './bank-account.js';
import { ageOn, isDate, todayInChina } from '../../common/calendar.js';

describe('one-card account numbers', () => {
  it('passes the Luhn check for valid numbers and fails it for a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('6222021234567890128')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('6222021234567890127')).toBe(false);
  });

  it('accepts 16 to 19 digits only', () => {
    expect(accountNoProblem('4111111111111111')).toBeUndefined();
    expect(accountNoProblem('6222021234567890128')).toBeUndefined();
    expect(accountNoProblem('411111111111116')).toBe('一卡通账号为 16 至 19 位数字'); // 15 digits
    expect(accountNoProblem('41111111111111111113', 'en')).toMatch(/16 to 19 digits/); // 20 digits
    expect(accountNoProblem('4111111111111112')).toBe('一卡通账号未通过 Luhn 校验');
    expect(accountNoProblem('4111111111111112', 'en')).toMatch(/Luhn/);
    expect(accountNoProblem('4111-1111-1111-1111', 'en')).toMatch(/16 to 19 digits/);
  });

  it('accepts CNAPS codes and short names as bank codes', () => {
    expect(bankCodeProblem('102')).toBeUndefined();
    expect(bankCodeProblem('ICBC')).toBeUndefined();
    expect(bankCodeProblem('icbc')).toBeDefined();
  });
});

describe('registry dates', () => {
  it('knows real calendar dates', () => {
    expect(isDate('2012-02-29')).toBe(true);
    expect(isDate('2013-02-29')).toBe(false);
    expect(isDate('2012-2-1')).toBe(false);
  });

  it('counts completed years', () => {
    expect(ageOn('1980-03-15', '1998-03-14')).toBe(17);
    expect(ageOn('1980-03-15', '1998-03-15')).toBe(18);
  });

  it('takes today in China', () => {
    expect(todayInChina(new Date('2026-11-28T17:00:00Z'))).toBe('2026-11-29');
  });
});

describe('time-ordered ids', () => {
  it('are version 7 UUIDs ordered by their millisecond', async () => {
    const { uuidv7 } = await import('./ids.js');
    const early = uuidv7(1_700_000_000_000);
    const late = uuidv7(1_700_000_000_001);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
    expect(early.slice(0, 13)).toBe('018bcfe5-6800');
  });
});
