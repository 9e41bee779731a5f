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
    if (share.decimalPlaces() > 12) return `the ${level} share has more than 12 decimal places`;
    sum = sum.plus(share);
  }
  return sum.equals(1) ? undefined : `funding shares must sum to 1, not ${sum.toString()}`;
}

/**
 * A splitter for `shares` with the largest-remainder rule: every level gets the floor of its exact
 * share, then the fen left over go one each to the levels with the largest fractional remainders,
 * ties broken by level order (CENTRAL, PROVINCIAL, MUNICIPAL, COUNTY). The parts always add up to
 * the total and each is within one fen of its exact share. Exact integer arithmetic: each share is
 * a numerator over a common power of ten, so a batch of a million lines splits in milliseconds.
 */
export function shareSplitter(shares: FundingShares): (totalFen: bigint) => Record<FundingLevel, bigint> {
  const problem = sharesProblem(shares);
  if (problem) throw new RangeError(problem);
  const places = Math.max(0, ...FUNDING_LEVELS.map((level) => (shares[level] ?? new Money(0)).decimalPlaces()));
  const denominator = 10n ** BigInt(places);
  const numerators = FUNDING_LEVELS.map((level) =>
    BigInt((shares[level] ?? new Money(0)).times(new Money(10).pow(places)).toString()),
  );
  return (totalFen: bigint) => {
    if (totalFen < 0n) throw new RangeError('the amount to split must not be negative');
    const floors = numerators.map((n) => (totalFen * n) / denominator);
    const remainders = numerators.map((n) => (totalFen * n) % denominator);
    let leftover = totalFen - floors.reduce((sum, floor) => sum + floor, 0n);
    const byRemainder = FUNDING_LEVELS.map((_, index) => index).sort((a, b) =>
      remainders[a] === remainders[b] ? a - b : remainders[a] > remainders[b] ? -1 : 1,
    );
    for (const index of byRemainder) {
      if (leftover === 0n) break;
      floors[index] += 1n;
      leftover -= 1n;
    }
    return Object.fromEntries(FUNDING_LEVELS.map((level, index) => [level, floors[index]])) as Record<
      FundingLevel,
      bigint
    >;
  };
}

/** Splits `totalFen` (whole fen, >= 0) by `shares`; see shareSplitter. */
export function splitFenByShares(totalFen: bigint, shares: FundingShares): Record<FundingLevel, bigint> {
  return shareSplitter(shares)(totalFen);
}

/** The same split for a money amount (a whole number of fen). */
export function splitByShares(amount: Decimal, shares: FundingShares): Record<FundingLevel, Decimal> {
  const fen = splitFenByShares(toFen(amount), shares);
  return Object.fromEntries(FUNDING_LEVELS.map((level) => [level, fromFen(fen[level])])) as Record<
    FundingLevel,
    Decimal
  >;
}
