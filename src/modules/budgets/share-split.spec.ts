import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { money } from '../../common/money.js';
import { FUNDING_LEVELS } from '../policies/policy-codes.js';
import { sharesProblem, splitByShares, splitFenByShares, type FundingShares } from './share-split.js';

const CENTRAL_HEAVY: FundingShares = {
  CENTRAL: money('0.5'),
  PROVINCIAL: money('0.3'),
  MUNICIPAL: money('0.1'),
  COUNTY: money('0.1'),
};
const HALVES: FundingShares = { MUNICIPAL: money('0.5'), COUNTY: money('0.5') };

/** Shares in basis points (1/10000) over the four levels, summing to exactly 1. */
const sharesArb = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 3, maxLength: 3 }).map((cuts) => {
  const points = [0, ...cuts.sort((a, b) => a - b), 10_000];
  return Object.fromEntries(
    FUNDING_LEVELS.map((level, i) => [level, money(points[i + 1] - points[i]).dividedBy(10_000)]),
  ) as FundingShares;
});

const totalArb = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe('splitFenByShares (largest remainder)', () => {
  it('splits the reference shares of SPEC.md', () => {
    expect(splitByShares(money('960.00'), CENTRAL_HEAVY)).toEqual({
      CENTRAL: money('480'),
      PROVINCIAL: money('288'),
      MUNICIPAL: money('96'),
      COUNTY: money('96'),
    });
    // 0.01 between two equal halves: the tie goes to the earlier level.
    expect(splitFenByShares(1n, HALVES)).toEqual({ CENTRAL: 0n, PROVINCIAL: 0n, MUNICIPAL: 1n, COUNTY: 0n });
    // 0.03 by 50/30/10/10: exact 1.5, 0.9, 0.3, 0.3 -> floors 1,0,0,0; leftover 2 to PROVINCIAL (.9), CENTRAL (.5).
    expect(splitFenByShares(3n, CENTRAL_HEAVY)).toEqual({ CENTRAL: 2n, PROVINCIAL: 1n, MUNICIPAL: 0n, COUNTY: 0n });
  });

  it('refuses shares that do not sum to 1, negative shares and unknown levels', () => {
    expect(sharesProblem({ MUNICIPAL: money('0.5'), COUNTY: money('0.4') })).toMatch(/sum to 1/);
    expect(sharesProblem({ MUNICIPAL: money('1.5'), COUNTY: money('-0.5') })).toMatch(/non-negative/);
    expect(sharesProblem({ TOWN: money(1) } as unknown as FundingShares)).toMatch(/not a funding level/);
    expect(() => splitFenByShares(1n, { COUNTY: money('0.9') })).toThrow(RangeError);
  });

  it('parts always sum to the total', () => {
    fc.assert(
      fc.property(totalArb, sharesArb, (total, shares) => {
        const parts = splitFenByShares(total, shares);
        expect(FUNDING_LEVELS.reduce((sum, level) => sum + parts[level], 0n)).toBe(total);
      }),
      { numRuns: 2000 },
    );
  });

  it('each part is within one fen of its exact share, and a zero share gets nothing', () => {
    fc.assert(
      fc.property(totalArb, sharesArb, (total, shares) => {
        const parts = splitFenByShares(total, shares);
        for (const level of FUNDING_LEVELS) {
          const exact = new Decimal(total.toString()).times(shares[level] ?? 0);
          const diff = new Decimal(parts[level].toString()).minus(exact).abs();
          expect(diff.lessThan(1)).toBe(true);
          expect(parts[level] >= 0n).toBe(true);
          if ((shares[level] ?? money(0)).isZero()) expect(parts[level]).toBe(0n);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic and breaks ties by level order', () => {
    fc.assert(
      fc.property(totalArb, sharesArb, (total, shares) => {
        const parts = splitFenByShares(total, shares);
        expect(splitFenByShares(total, shares)).toEqual(parts);
        // Among levels with equal exact shares, an earlier level never gets less than a later one.
        FUNDING_LEVELS.forEach((a, i) =>
          FUNDING_LEVELS.slice(i + 1).forEach((b) => {
            if ((shares[a] ?? money(0)).equals(shares[b] ?? money(0))) expect(parts[a] >= parts[b]).toBe(true);
          }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the leftover fen to the largest remainders', () => {
    fc.assert(
      fc.property(totalArb, sharesArb, (total, shares) => {
        const parts = splitFenByShares(total, shares);
        const remainder = (level: (typeof FUNDING_LEVELS)[number]) => {
          const exact = new Decimal(total.toString()).times(shares[level] ?? 0);
          return exact.minus(exact.floor());
        };
        const roundedUp = FUNDING_LEVELS.filter((level) =>
          new Decimal(parts[level].toString()).greaterThan(new Decimal(total.toString()).times(shares[level] ?? 0)),
        );
        const roundedDown = FUNDING_LEVELS.filter((level) => !roundedUp.includes(level));
        for (const up of roundedUp) {
          for (const down of roundedDown) expect(remainder(up).greaterThanOrEqualTo(remainder(down))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
