import { money } from '../../src/common/money.js';
import { Transactions } from '../../src/database/transactions.js';
import { BudgetCommitmentsService } from '../../src/modules/budgets/budget-commitments.service.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

const BATCH = '6a0b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';

describe('ledger (e2e)', () => {
  let t: TestApp;
  let finance: SignedInUser;
  let otherFinance: SignedInUser;
  let auditor: SignedInUser;
  let clerk: SignedInUser;

  const get = (user: SignedInUser, path: string) => t.http().get(`${API}${path}`).set('Authorization', user.auth);

  beforeAll(async () => {
    t = await createTestApp();
    finance = await t.signIn('FINANCE', '410122');
    otherFinance = await t.signIn('FINANCE', '410102');
    auditor = await t.signIn('AUDITOR', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    for (const [user, county, level] of [
      [finance, '410122', 'MUNICIPAL'],
      [finance, '410122', 'COUNTY'],
      [otherFinance, '410102', 'COUNTY'],
    ] as const) {
      await t
        .http()
        .post(`${API}/budgets/appropriations`)
        .set('Authorization', user.auth)
        .send({
          fiscalYear: 2012,
          policyCode: 'OCP_REWARD',
          fundingLevel: level,
          countyCode: county,
          amount: '1200.00',
        })
        .expect(201);
    }
    await t.app.get(Transactions).run(async (manager) => {
      const commitments = t.app.get(BudgetCommitmentsService);
      const movement = {
        fiscalYear: 2012,
        policyCode: 'OCP_REWARD',
        countyCode: '410122',
        shares: { MUNICIPAL: money('0.5'), COUNTY: money('0.5') },
        batchId: BATCH,
      };
      const lines = [
        { lineId: '1', amount: money('10.00') },
        { lineId: '2', amount: money('10.01') },
      ];
      await commitments.commit(manager, { ...movement, lines, idempotencyKey: `batch:${BATCH}:commit` });
      await commitments.spend(manager, { ...movement, lines, idempotencyKey: `batch:${BATCH}:spend` });
    });
  });
  afterAll(() => t?.close());

  it('lists a county’s accounts with flags and balances, filtered and in scope', async () => {
    const response = await get(
      finance,
      '/ledger/accounts?fiscalYear=2012&policyCode=OCP_REWARD&countyCode=410122',
    ).expect(200);
    expect(response.body.nextCursor).toBeNull();
    // Five accounts per budget line: FUNDING, AVAILABLE, COMMITTED, SPENT and RECEIVABLE (overpayments).
    expect(response.body.items).toHaveLength(10);
    const municipal = response.body.items.filter((a: { fundingLevel: string }) => a.fundingLevel === 'MUNICIPAL');
    expect(municipal).toEqual([
      expect.objectContaining({
        code: 'FUNDING',
        flags: ['CREDITS_MUST_NOT_EXCEED_DEBITS'],
        debitsPosted: '1200.00',
        creditsPosted: '0.00',
        balance: '1200.00',
      }),
      expect.objectContaining({ code: 'AVAILABLE', flags: ['DEBITS_MUST_NOT_EXCEED_CREDITS'], balance: '1189.99' }),
      expect.objectContaining({ code: 'COMMITTED', debitsPosted: '10.01', creditsPosted: '10.01', balance: '0.00' }),
      expect.objectContaining({ code: 'SPENT', balance: '10.01' }),
      expect.objectContaining({ code: 'RECEIVABLE', flags: ['DEBITS_MUST_NOT_EXCEED_CREDITS'], balance: '0.00' }),
    ]);

    // Another county's finance officer sees none of them; the city auditor sees all three lines.
    const other = await get(otherFinance, '/ledger/accounts?countyCode=410122').expect(200);
    expect(other.body.items).toEqual([]);
    const all = await get(auditor, '/ledger/accounts?fiscalYear=2012').expect(200);
    expect(all.body.items).toHaveLength(15);
    await get(clerk, '/ledger/accounts').expect(403);
    await get(finance, '/ledger/accounts?policyCode=NOPE').expect(400);
  });

  it('pages through accounts with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(
        auditor,
        `/ledger/accounts?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...page.body.items.map((a) => a.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(15);
    expect(new Set(seen).size).toBe(15);
    await get(auditor, '/ledger/accounts?cursor=garbage').expect(400);
  });

  it('lists a batch’s transfers: the commitment per level, then each line’s payment per level', async () => {
    const response = await get(auditor, `/ledger/transfers?batchId=${BATCH}`).expect(200);
    const items = response.body.items as {
      code: string;
      amount: string;
      lineId: string | null;
      debitAccount: { code: string; fundingLevel: string };
      creditAccount: { code: string };
    }[];
    expect(items.map((i) => [i.code, i.debitAccount.fundingLevel, i.lineId, i.amount])).toEqual([
      ['COMMITMENT', 'MUNICIPAL', null, '10.01'],
      ['COMMITMENT', 'COUNTY', null, '10.00'],
      ['PAYMENT', 'MUNICIPAL', '1', '5.00'],
      ['PAYMENT', 'COUNTY', '1', '5.00'],
      ['PAYMENT', 'MUNICIPAL', '2', '5.01'],
      ['PAYMENT', 'COUNTY', '2', '5.00'],
    ]);
    expect(items[0]).toMatchObject({
      debitAccount: { code: 'AVAILABLE', countyCode: '410122' },
      creditAccount: { code: 'COMMITTED' },
      batchId: BATCH,
      blockSeq: expect.any(String),
      createdAt: expect.any(String),
    });
    const paged = await get(finance, `/ledger/transfers?batchId=${BATCH}&limit=4`).expect(200);
    expect(paged.body.items).toHaveLength(4);
    const rest = await get(
      finance,
      `/ledger/transfers?batchId=${BATCH}&limit=4&cursor=${paged.body.nextCursor}`,
    ).expect(200);
    expect(rest.body).toEqual({ items: response.body.items.slice(4), nextCursor: null });

    expect((await get(otherFinance, `/ledger/transfers?batchId=${BATCH}`).expect(200)).body.items).toEqual([]);
    await get(auditor, '/ledger/transfers?batchId=not-a-uuid').expect(400);
    await get(clerk, `/ledger/transfers?batchId=${BATCH}`).expect(403);
  });

  it('verifies the chain and the balances for an auditor only', async () => {
    const response = await get(auditor, '/ledger/verify').expect(200);
    expect(response.body).toEqual({
      ok: true,
      blocks: 5,
      transfers: 9,
      head: { seq: 5, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    await get(finance, '/ledger/verify').expect(403);
  });

  it('documents the ledger routes with their roles', async () => {
    const docs = await t.http().get('/api/docs-json').expect(200);
    expect(docs.body.paths['/api/v1/ledger/verify'].get.description).toContain('AUDITOR');
    expect(docs.body.paths['/api/v1/budgets/appropriations'].post.description).toContain('FINANCE');
  });
});
