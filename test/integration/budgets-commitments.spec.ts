import pg from 'pg';
import { money } from '../../src/common/money.js';
import { Transactions } from '../../src/database/transactions.js';
import { BudgetCommitmentsService, type BudgetMovement } from '../../src/modules/budgets/budget-commitments.service.js';
import type { BudgetLineAccounts } from '../../src/modules/budgets/budget-line.js';
import type { FundingShares } from '../../src/modules/budgets/share-split.js';
import { LedgerVerifier } from '../../src/modules/ledger/ledger-verifier.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import type { FundingLevel } from '../../src/modules/policies/policy-codes.js';
import { createTestApp, type TestApp } from '../support/app.js';

const HALVES: FundingShares = { MUNICIPAL: money('0.5'), COUNTY: money('0.5') };
const CENTRAL_HEAVY: FundingShares = {
  CENTRAL: money('0.5'),
  PROVINCIAL: money('0.3'),
  MUNICIPAL: money('0.1'),
  COUNTY: money('0.1'),
};
const BATCH = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';

describe('budget commitments (integration, real PostgreSQL, concurrent transactions)', () => {
  let t: TestApp;
  let tx: Transactions;
  let commitments: BudgetCommitmentsService;

  /** Appropriates through the ledger directly (the HTTP path is covered by the e2e spec). */
  async function appropriate(fiscalYear: number, policyCode: string, level: FundingLevel, amount: string) {
    const line = { fiscalYear, policyCode, fundingLevel: level, countyCode: '410122' };
    await tx.run(async (manager) => {
      const accounts = (await t.app.get(LedgerService).openLineAccounts(manager, [line])).values().next()
        .value as BudgetLineAccounts;
      await t.app.get(LedgerService).post(manager, [
        {
          idempotencyId: `test-approp:${fiscalYear}:${policyCode}:${level}:${amount}`,
          debitAccountId: accounts.funding,
          creditAccountId: accounts.available,
          amount: money(amount),
          code: 'APPROPRIATION',
        },
      ]);
    });
  }

  async function figures(fiscalYear: number, policyCode: string) {
    const rows: { funding_level: string; code: string; balance: string }[] = await t.dataSource.query(
      `SELECT funding_level, code,
              CASE WHEN code = 'FUNDING' THEN debits_posted - credits_posted
                   ELSE credits_posted - debits_posted END AS balance
         FROM ledger_accounts WHERE fiscal_year = $1 AND policy_code = $2 AND county_code = '410122'`,
      [fiscalYear, policyCode],
    );
    const result: Record<string, Record<string, string>> = {};
    for (const row of rows) (result[row.funding_level] ??= {})[row.code] = row.balance;
    return result;
  }

  const movement = (over: Partial<BudgetMovement> & { idempotencyKey: string }): BudgetMovement =>
    ({
      fiscalYear: 2013,
      policyCode: 'OCP_REWARD',
      countyCode: '410122',
      shares: HALVES,
      batchId: BATCH,
      amount: money('20.00'),
      ...over,
    }) as BudgetMovement;

  beforeAll(async () => {
    t = await createTestApp({ env: { DB_POOL_SIZE: '30' } });
    tx = t.app.get(Transactions);
    commitments = t.app.get(BudgetCommitmentsService);
  });
  afterAll(() => t?.close());

  it('lets exactly 10 of 20 concurrent commitments through a budget with room for 10; available never < 0', async () => {
    await appropriate(2013, 'OCP_REWARD', 'MUNICIPAL', '100.00');
    await appropriate(2013, 'OCP_REWARD', 'COUNTY', '100.00');

    // A separate connection samples the available balances while the commitments race.
    const sampler = new pg.Client({ connectionString: t.database.url });
    await sampler.connect();
    let sampling = true;
    let lowest = money('100.00');
    let samples = 0;
    const sampling$ = (async () => {
      while (sampling) {
        const { rows } = await sampler.query(
          `SELECT min(credits_posted - debits_posted) AS low FROM ledger_accounts
            WHERE fiscal_year = 2013 AND policy_code = 'OCP_REWARD' AND code = 'AVAILABLE'`,
        );
        samples++;
        if (money(rows[0].low).lessThan(lowest)) lowest = money(rows[0].low);
      }
    })();

    const started = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        tx.run((manager) => commitments.commit(manager, movement({ idempotencyKey: `race-${i}` }))),
      ),
    );
    const elapsed = Date.now() - started;
    sampling = false;
    await sampling$;
    await sampler.end();

    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(10);
    expect(rejected).toHaveLength(10);
    for (const failure of rejected) {
      expect(failure.reason).toMatchObject({
        code: 'INSUFFICIENT_BUDGET',
        status: 409,
        extra: {
          budgetLine: { fiscalYear: 2013, policyCode: 'OCP_REWARD', fundingLevel: 'MUNICIPAL', countyCode: '410122' },
          shortfall: '10.00',
        },
      });
    }
    expect(lowest.isNegative()).toBe(false);
    expect(samples).toBeGreaterThan(0);
    expect(await figures(2013, 'OCP_REWARD')).toEqual({
      MUNICIPAL: { FUNDING: '100.00', AVAILABLE: '0.00', COMMITTED: '100.00', SPENT: '0.00', RECEIVABLE: '0.00' },
      COUNTY: { FUNDING: '100.00', AVAILABLE: '0.00', COMMITTED: '100.00', SPENT: '0.00', RECEIVABLE: '0.00' },
    });
    const audits = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'budget.committed'`,
    );
    expect(audits[0].n).toBe(10);
    expect(await t.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true });
    process.stderr.write(`20 concurrent commitments (10 admitted) took ${elapsed} ms; ${samples} balance samples\n`);
  });

  it('commits nothing when any line is short, naming the first short line in level order', async () => {
    await appropriate(2014, 'RURAL_REWARD', 'CENTRAL', '1000.00');
    await appropriate(2014, 'RURAL_REWARD', 'PROVINCIAL', '100.00');
    await appropriate(2014, 'RURAL_REWARD', 'MUNICIPAL', '10.00');
    // COUNTY has no appropriation at all.
    const before = await figures(2014, 'RURAL_REWARD');
    const error = await tx
      .run((manager) =>
        commitments.commit(
          manager,
          movement({
            fiscalYear: 2014,
            policyCode: 'RURAL_REWARD',
            shares: CENTRAL_HEAVY,
            amount: money('960.00'),
            idempotencyKey: 'short',
          }),
        ),
      )
      .catch((e: unknown) => e);
    // 960 -> 480 / 288 / 96 / 96: PROVINCIAL lacks 188, MUNICIPAL 86, COUNTY 96; the first is PROVINCIAL.
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_BUDGET',
      status: 409,
      extra: {
        budgetLine: { fiscalYear: 2014, policyCode: 'RURAL_REWARD', fundingLevel: 'PROVINCIAL', countyCode: '410122' },
        shortfall: '188.00',
      },
    });
    const after = await figures(2014, 'RURAL_REWARD');
    expect(after.CENTRAL).toEqual(before.CENTRAL);
    expect(after.PROVINCIAL).toEqual(before.PROVINCIAL);
    // The line that was never appropriated is not opened by a refused commitment.
    expect(after.COUNTY).toBeUndefined();

    // With every line present, the refusal comes from the locked balances: same answer.
    await appropriate(2014, 'RURAL_REWARD', 'COUNTY', '1.00');
    await expect(
      tx.run((manager) =>
        commitments.commit(
          manager,
          movement({
            fiscalYear: 2014,
            policyCode: 'RURAL_REWARD',
            shares: CENTRAL_HEAVY,
            amount: money('960.00'),
            idempotencyKey: 'short-2',
          }),
        ),
      ),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_BUDGET',
      extra: { budgetLine: { fundingLevel: 'PROVINCIAL' }, shortfall: '188.00' },
    });
  });

  it('commits by lines, spends and releases per line, and the parts add up to the fen on every line', async () => {
    for (const level of ['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY'] as const) {
      await appropriate(2015, 'SPECIAL_BEREAVED', level, '10000.00');
    }
    const base = { fiscalYear: 2015, policyCode: 'SPECIAL_BEREAVED', shares: CENTRAL_HEAVY };
    const lines = [
      { lineId: 'L1', amount: money('170.00') },
      { lineId: 'L2', amount: money('340.00') },
      { lineId: 'L3', amount: money('0.03') },
      { lineId: 'L4', amount: money('135.01') },
    ];
    const committed = await tx.run((manager) =>
      commitments.commit(manager, movement({ ...base, amount: undefined, lines, idempotencyKey: 'b1:commit' })),
    );
    expect(committed.total.toString()).toBe('645.04');
    expect(committed.transfers).toHaveLength(4);

    // A retry posts nothing.
    const retry = await tx.run((manager) =>
      commitments.commit(manager, movement({ ...base, amount: undefined, lines, idempotencyKey: 'b1:commit' })),
    );
    expect(retry.replayed).toBe(true);
    expect(retry.transfers.map((x) => x.id)).toEqual(committed.transfers.map((x) => x.id));

    // Three lines paid, one failed and released: every committed fen moves on.
    const spent = await tx.run((manager) =>
      commitments.spend(
        manager,
        movement({ ...base, amount: undefined, lines: [lines[0], lines[2], lines[3]], idempotencyKey: 'b1:spend' }),
      ),
    );
    expect(spent.transfers.every((x) => x.code === 'PAYMENT' && x.batchId === BATCH && x.lineId)).toBe(true);
    await tx.run((manager) =>
      commitments.release(
        manager,
        movement({ ...base, amount: lines[1].amount, lineId: 'L2', idempotencyKey: 'b1:release:L2' }),
      ),
    );
    const result = await figures(2015, 'SPECIAL_BEREAVED');
    for (const level of Object.keys(result)) {
      expect(result[level].COMMITTED).toBe('0.00');
      const { FUNDING, AVAILABLE, COMMITTED, SPENT } = result[level];
      expect(money(AVAILABLE).plus(COMMITTED).plus(SPENT).equals(FUNDING)).toBe(true);
    }
    expect(
      Object.values(result)
        .reduce((sum, r) => sum.plus(r.SPENT), money(0))
        .toString(),
    ).toBe('305.04');

    // Spending more than is committed is refused.
    await expect(
      tx.run((manager) =>
        commitments.spend(manager, movement({ ...base, amount: money('1.00'), idempotencyKey: 'b1:over' })),
      ),
    ).rejects.toMatchObject({ code: 'COMMITMENT_EXCEEDED', extra: { shortfall: '0.50' } });
  });

  it('refuses malformed movements before touching the ledger', async () => {
    await expect(
      tx.run((manager) =>
        commitments.commit(
          manager,
          movement({ shares: { MUNICIPAL: money('0.6'), COUNTY: money('0.5') }, idempotencyKey: 'bad-1' }),
        ),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_BUDGET_MOVEMENT' });
    await expect(
      tx.run((manager) => commitments.commit(manager, movement({ amount: money('-1.00'), idempotencyKey: 'bad-2' }))),
    ).rejects.toMatchObject({ code: 'INVALID_BUDGET_MOVEMENT' });
  });

  it('posts 10,000 payment transfers in one block and one balance update per account', async () => {
    for (const level of ['MUNICIPAL', 'COUNTY'] as const) await appropriate(2016, 'NCMS_WAIVER', level, '1000000.00');
    const lines = Array.from({ length: 5000 }, (_, i) => ({ lineId: `P${i}`, amount: money('50.00') }));
    const base = { fiscalYear: 2016, policyCode: 'NCMS_WAIVER', shares: HALVES, amount: undefined, lines };
    await tx.run((manager) => commitments.commit(manager, movement({ ...base, idempotencyKey: 'big:commit' })));
    const started = Date.now();
    const spent = await tx.run((manager) =>
      commitments.spend(manager, movement({ ...base, idempotencyKey: 'big:spend' })),
    );
    const elapsed = Date.now() - started;
    expect(spent.transfers).toHaveLength(10_000);
    const blocks = await t.dataSource.query(`SELECT transfer_count FROM ledger_blocks WHERE seq = $1`, [
      spent.blockSeq,
    ]);
    expect(blocks).toEqual([{ transfer_count: 10_000 }]);
    expect((await figures(2016, 'NCMS_WAIVER')).COUNTY.SPENT).toBe('125000.00');
    const verifyStarted = Date.now();
    expect(await t.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true });
    process.stderr.write(
      `posting 10,000 transfers in one block took ${elapsed} ms; verifying the ledger took ${Date.now() - verifyStarted} ms\n`,
    );
  });
});
