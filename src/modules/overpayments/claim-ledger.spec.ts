import fc from 'fast-check';
import { splitByWeights } from './claim-ledger.js';
import { offsetShareProblems, type PolicyWithVersions } from '../policies/policy-model.js';
import { offsetShareOf, statusOf } from './overpayments.service.js';

describe('splitByWeights (a recovery across the budget lines a claim owes to)', () => {
  it('splits in proportion, leftover fen to the largest remainders, ties to the earlier line', () => {
    expect(splitByWeights(100n, [50n, 30n, 10n, 10n])).toEqual([50n, 30n, 10n, 10n]);
    expect(splitByWeights(1n, [3n, 3n])).toEqual([1n, 0n]);
    expect(splitByWeights(5n, [3n, 7n])).toEqual([2n, 3n]);
    expect(splitByWeights(0n, [3n, 7n])).toEqual([0n, 0n]);
  });

  it('refuses more than the weights hold', () => {
    expect(() => splitByWeights(11n, [3n, 7n])).toThrow(RangeError);
  });

  it('always adds up exactly, never exceeds a weight, and successive partial recoveries empty every line exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 100_000n }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        (weights, percents) => {
          const left = [...weights];
          for (const percent of percents) {
            const sum = left.reduce((a, b) => a + b, 0n);
            const take = (sum * BigInt(percent)) / 100n;
            const parts = splitByWeights(take, left);
            expect(parts.reduce((a, b) => a + b, 0n)).toBe(take);
            parts.forEach((part, index) => {
              expect(part).toBeGreaterThanOrEqual(0n);
              expect(part).toBeLessThanOrEqual(left[index]);
              left[index] -= part;
            });
          }
          const rest = left.reduce((a, b) => a + b, 0n);
          expect(splitByWeights(rest, left)).toEqual(left);
        },
      ),
    );
  });
});

describe('statusOf (a claim by its figures)', () => {
  const claim = (amount: string, recovered: string, writtenOff = '0.00', status = 'OPEN' as const) => ({
    amount,
    recovered,
    written_off: writtenOff,
    status,
  });
  it('follows the figures', () => {
    expect(statusOf(claim('30.00', '0.00'))).toBe('OPEN');
    expect(statusOf(claim('30.00', '10.00'))).toBe('RECOVERING');
    expect(statusOf(claim('30.00', '30.00'))).toBe('RECOVERED');
    expect(statusOf(claim('30.00', '10.00', '20.00'))).toBe('WRITTEN_OFF');
    expect(statusOf(claim('0.00', '0.00'))).toBe('WITHDRAWN');
    expect(statusOf({ ...claim('30.00', '10.00'), status: 'WRITE_OFF_PROPOSED' })).toBe('WRITE_OFF_PROPOSED');
  });
});

describe('the offset share of a policy version', () => {
  const policy = {
    versions: [{ id: 'v1', offsetShare: '0.25' }, { id: 'v2', offsetShare: '1.00' }, { id: 'v3' }],
  } as unknown as PolicyWithVersions;

  it("is the deciding version's own, or 50% when it names none", () => {
    expect(offsetShareOf(policy, 'v1').toString()).toBe('0.25');
    expect(offsetShareOf(policy, 'v2').toString()).toBe('1');
    expect(offsetShareOf(policy, 'v3').toString()).toBe('0.5');
    expect(offsetShareOf(policy, undefined).toString()).toBe('0.5');
  });

  it('is a decimal string from 0 to 1 with at most two places', () => {
    for (const good of [undefined, '0', '0.5', '0.25', '1', '1.00']) expect(offsetShareProblems(good)).toEqual([]);
    for (const bad of ['1.01', '-0.1', '0.255', '.5', '', 'half', 0.5, null]) {
      expect(offsetShareProblems(bad)).toEqual([{ field: 'offsetShare', message: expect.stringContaining('0.50') }]);
    }
  });
});
