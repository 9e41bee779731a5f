import { Decimal } from 'decimal.js';
import { fromFen, Money, toFen } from '../../common/money.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';

/** Which part of an amount each level of government pays: fractions that sum to exactly 1. */
export type FundingShares = Partial<Record<FundingLevel, Decimal>>;

/** Why `shares` cannot split money, or undefined when they can. */
export function sharesProblem(shares: FundingShares): string | undefined {
  let sum = new Money(0);
  for (const [level, share] of Object.entries(shares)) {
    if (!(FUNDING_LEVELS as readonly string[]).includes(level)) return `${level} is not a funding level`;
    if (!(share instanceof Decimal) || !share.isFinite() || share.isNegative()) {
      return `the ${level} share must be a non-negative decimal`;
    }
    sum = sum.plus(share);
  }
  return sum.equals(1) ? undefined : `funding shares must sum to 1, not ${sum.toString()}`;
}

/**
 * Splits `totalFen` (whole fen, >= 0) by `shares` with the largest-remainder rule: every level gets
 * the floor of its exact share, then the fen left over go one each to the levels with the largest
 * fractional remainders, ties broken by level order (CENTRAL, PROVINCIAL, MUNICIPAL, COUNTY). The
 * parts always add up to the total and each is within one fen of its exact share.
 */
export function splitFenByShares(totalFen: bigint, shares: FundingShares): Record<FundingLevel, bigint> {
  const problem = sharesProblem(shares);
  if (problem) throw new RangeError(problem);
  if (totalFen < 0n) throw new RangeError('the amount to split must not be negative');
  const total = new Money(totalFen.toString());
  const rows = FUNDING_LEVELS.map((level, order) => {
    const exact = total.times(shares[level] ?? 0);
    const floor = exact.floor();
    return { level, order, floor: BigInt(floor.toString()), remainder: exact.minus(floor) };
  });
  let leftover = totalFen - rows.reduce((sum, row) => sum + row.floor, 0n);
  const byRemainder = [...rows].sort((a, b) => b.remainder.comparedTo(a.remainder) || a.order - b.order);
  const parts = Object.fromEntries(rows.map((row) => [row.level, row.floor])) as Record<FundingLevel, bigint>;
  for (const row of byRemainder) {
    if (leftover === 0n) break;
    parts[row.level] += 1n;
    leftover -= 1n;
  }
  return parts;
}

/** The same split for a money amount (a whole number of fen). */
export function splitByShares(amount: Decimal, shares: FundingShares): Record<FundingLevel, Decimal> {
  const fen = splitFenByShares(toFen(amount), shares);
  return Object.fromEntries(FUNDING_LEVELS.map((level) => [level, fromFen(fen[level])])) as Record<
    FundingLevel,
    Decimal
  >;
}
