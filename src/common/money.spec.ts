import { formatMoney, fromFen, isMoneyString, money, toFen } from './money.js';

describe('money', () => {
  it('formats yuan with exactly two places, half up', () => {
    expect(formatMoney('960')).toBe('960.00');
    expect(formatMoney('0.5')).toBe('0.50');
    expect(formatMoney('0.005')).toBe('0.01');
    expect(formatMoney('-12.345')).toBe('-12.35');
    expect(formatMoney(money('0.1').plus('0.2'))).toBe('0.30');
    expect(formatMoney('123456789012.34')).toBe('123456789012.34');
    expect(formatMoney('-0.001')).toBe('0.00');
  });

  it('converts to and from integer fen exactly', () => {
    expect(toFen('960.00')).toBe(96000n);
    expect(fromFen(12345n).equals(money('123.45'))).toBe(true);
    expect(() => toFen('0.001')).toThrow(RangeError);
  });

  it('recognises money strings', () => {
    expect(isMoneyString('960.00')).toBe(true);
    expect(isMoneyString('1e3')).toBe(false);
    expect(isMoneyString(960)).toBe(false);
  });
});
