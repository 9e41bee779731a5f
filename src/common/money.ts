import { Decimal } from 'decimal.js';

/**
 * Money is yuan with two decimals (fen). In code it is always a Decimal, in the database
 * `numeric(18,2)`, in JSON a string with exactly two places ("960.00").
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

const MONEY_PATTERN = /^-?\d{1,16}(\.\d{1,2})?$/;

/** The largest amount a `numeric(18,2)` column holds, in fen. */
export const MAX_NUMERIC_18_2_FEN = 10n ** 18n - 1n;

/**
 * The largest single appropriation: a trillion yuan less a fen (the commission's funds are a few
 * hundred million a year). Ten thousand of them still fit a budget line's `numeric(18,2)` totals;
 * past that the ledger refuses the posting (AccountCapacityError), never overflows.
 */
export const MAX_APPROPRIATION_DIGITS = 12;
export const MAX_APPROPRIATION = '999999999999.99';

/**
 * The largest amount a policy version may pay for one period: a line pays at most a year of
 * periods, and a batch of a million such lines still fits `numeric(18,2)`.
 */
export const MAX_PERIOD_AMOUNT = '999999.99';

export function isMoneyString(value: unknown): value is string {
  return typeof value === 'string' && MONEY_PATTERN.test(value);
}

export function money(value: Decimal.Value): Decimal {
  return new Money(value);
}

/** Formats an amount as a yuan string with exactly two places, rounding half up to the fen. */
export function formatMoney(value: Decimal.Value): string {
  const fen = new Money(value).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const negative = fen.isNegative() && !fen.isZero();
  const digits = fen.abs().toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Integer fen (for exact splitting) as a bigint. */
export function toFen(value: Decimal.Value): bigint {
  const fen = new Money(value).times(100);
  if (!fen.isInteger()) throw new RangeError(`${String(value)} is not a whole number of fen`);
  return BigInt(fen.toString());
}

export function fromFen(fen: bigint): Decimal {
  return new Money(fen.toString()).dividedBy(100);
}
