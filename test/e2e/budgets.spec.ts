import { money } from '../../src/common/money.js';
import { Transactions } from '../../src/database/transactions.js';
import { BudgetCommitmentsService } from '../../src/modules/budgets/budget-commitments.service.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

interface BudgetLine {
  fiscalYear: number;
  policyCode: string;
  fundingLevel: string;
  countyCode: string;
  appropriated: string;
  committed: string;
  spent: string;
  available: string;
}

describe('budgets (e2e)', () => {
  let t: TestApp;
  let finance: SignedInUser;
  let cityFinance: SignedInUser;
  let auditor: SignedInUser;
  let officer: SignedInUser;

  const body = (over: Record<string, unknown> = {}) => ({
    fiscalYear: 2012,
    policyCode: 'RURAL_REWARD',
    fundingLevel: 'CENTRAL',
    countyCode: '410122',
    amount: '1000000.00',
    ...over,
  });
  const appropriate = (user: SignedInUser, payload: Record<string, unknown>, key?: string) => {
    const req = t.http().post(`${API}/budgets/appropriations`).set('Authorization', user.auth);
    return (key ? req.set('Idempotency-Key', key) : req).send(payload);
  };
  const lines = async (user: SignedInUser, query: string): Promise<BudgetLine[]> =>
    (await t.http().get(`${API}/budgets?${query}`).set('Authorization', user.auth).expect(200)).body.items;

  beforeAll(async () => {
    t = await createTestApp();
    finance = await t.signIn('FINANCE', '410122');
    cityFinance = await t.signIn('FINANCE', '410100');
    auditor = await t.signIn('AUDITOR', '410100');
    officer = await t.signIn('OFFICER', '410122');
  });
  afterAll(() => t?.close());

  describe('POST /budgets/appropriations', () => {
    it('appropriates, audits, and answers a retry with the same Idempotency-Key with the first result', async () => {
      const first = await appropriate(finance, body(), 'approp-2012-central').expect(201);
      expect(first.body).toMatchObject({
        transferId: expect.any(String),
        code: 'APPROPRIATION',
        fiscalYear: 2012,
        policyCode: 'RURAL_REWARD',
        fundingLevel: 'CENTRAL',
        countyCode: '410122',
        amount: '1000000.00',
        reversesTransferId: null,
      });
      const retry = await appropriate(finance, body(), 'approp-2012-central').expect(201);
      expect(retry.body).toEqual(first.body);

      const transfers = await t.dataSource.query(`SELECT id FROM ledger_transfers WHERE code = 'APPROPRIATION'`);
      expect(transfers).toHaveLength(1);
      const audit = await t.dataSource.query(
        `SELECT actor_id, action, entity_id, region_code FROM audit_events WHERE action = 'budget.appropriated'`,
      );
      expect(audit).toEqual([
        {
          actor_id: finance.id,
          action: 'budget.appropriated',
          entity_id: first.body.transferId,
          region_code: '410122',
        },
      ]);

      // The same key for a different appropriation is refused and posts nothing.
      const reused = await appropriate(finance, body({ amount: '5.00' }), 'approp-2012-central').expect(409);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await t.dataSource.query(`SELECT id FROM ledger_transfers`)).toHaveLength(1);
    });

    it('answers 403 to a role other than FINANCE, and to FINANCE of another county', async () => {
      for (const user of [officer, auditor]) {
        const response = await appropriate(user, body(), `forbidden-${user.role}`).expect(403);
        expect(response.body.code).toBe('ROLE_FORBIDDEN');
      }
      const elsewhere = await t.signIn('FINANCE', '410102');
      const response = await appropriate(elsewhere, body()).expect(403);
      expect(response.body.code).toBe('OUT_OF_SCOPE');
      await t.http().post(`${API}/budgets/appropriations`).send(body()).expect(401);
    });

    it('answers 400 for a bad policy code, funding level, county, amount or unknown field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [body({ policyCode: 'FREE_MONEY' }), 'policyCode'],
        [body({ fundingLevel: 'TOWNSHIP' }), 'fundingLevel'],
        [body({ countyCode: '410122101' }), 'countyCode'],
        [body({ countyCode: '410199' }), 'countyCode'],
        [body({ countyCode: '410100' }), 'countyCode'],
        [body({ amount: '0.00' }), 'amount'],
        [body({ amount: '-5.00' }), 'amount'],
        [body({ amount: '1.001' }), 'amount'],
        [body({ amount: 100 }), 'amount'],
        [body({ fiscalYear: 1999 }), 'fiscalYear'],
        [body({ note: 'x' }), 'note'],
      ];
      for (const [payload, field] of cases) {
        const response = await appropriate(cityFinance, payload).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const badKey = await appropriate(cityFinance, body(), 'no spaces allowed').expect(400);
      expect(badKey.body.errors[0].field).toBe('Idempotency-Key');
      expect(await t.dataSource.query(`SELECT id FROM ledger_transfers WHERE amount <> 1000000`)).toHaveLength(0);
    });
  });

  describe('GET /budgets', () => {
    it('answers appropriated = committed + spent + available for every line, in scope', async () => {
      await appropriate(finance, body({ fundingLevel: 'PROVINCIAL', amount: '600000.00' }), 'p').expect(201);
      await appropriate(finance, body({ fundingLevel: 'MUNICIPAL', amount: '200000.00' }), 'm').expect(201);
      await appropriate(finance, body({ fundingLevel: 'COUNTY', amount: '200000.00' }), 'c').expect(201);
      await appropriate(
        cityFinance,
        body({ countyCode: '410102', fundingLevel: 'COUNTY', amount: '50.00' }),
        'o',
      ).expect(201);

      // A batch commits 9600.00 and pays 4800.00 of it; 960.00 fails and is released.
      const commitments = t.app.get(BudgetCommitmentsService);
      const shares = {
        CENTRAL: money('0.5'),
        PROVINCIAL: money('0.3'),
        MUNICIPAL: money('0.1'),
        COUNTY: money('0.1'),
      };
      const movement = { fiscalYear: 2012, policyCode: 'RURAL_REWARD', countyCode: '410122', shares };
      await t.app.get(Transactions).run(async (manager) => {
        await commitments.commit(manager, { ...movement, amount: money('9600.00'), idempotencyKey: 'batch-1:commit' });
        await commitments.spend(manager, { ...movement, amount: money('4800.00'), idempotencyKey: 'batch-1:spend' });
        await commitments.release(manager, { ...movement, amount: money('960.00'), idempotencyKey: 'batch-1:release' });
      });

      const items = await lines(auditor, 'fiscalYear=2012&countyCode=410122');
      expect(items).toEqual([
        {
          fiscalYear: 2012,
          policyCode: 'RURAL_REWARD',
          fundingLevel: 'CENTRAL',
          countyCode: '410122',
          appropriated: '1000000.00',
          committed: '1920.00',
          spent: '2400.00',
          available: '995680.00',
          receivable: '0.00',
        },
        expect.objectContaining({ fundingLevel: 'PROVINCIAL', appropriated: '600000.00', committed: '1152.00' }),
        expect.objectContaining({ fundingLevel: 'MUNICIPAL', appropriated: '200000.00', spent: '480.00' }),
        expect.objectContaining({ fundingLevel: 'COUNTY', appropriated: '200000.00', available: '199136.00' }),
      ]);
      for (const line of items) {
        expect(money(line.committed).plus(line.spent).plus(line.available).equals(line.appropriated)).toBe(true);
        for (const figure of [line.appropriated, line.committed, line.spent, line.available]) {
          expect(figure).toMatch(/^\d+\.\d{2}$/);
        }
      }

      // Scope: the county's finance officer does not see another county's line; the city's does.
      expect((await lines(finance, 'fiscalYear=2012')).map((l) => l.countyCode)).not.toContain('410102');
      expect((await lines(cityFinance, 'fiscalYear=2012')).map((l) => l.countyCode)).toContain('410102');
      expect(await lines(auditor, 'fiscalYear=2012&policyCode=RURAL_REWARD&countyCode=410102')).toEqual([
        expect.objectContaining({ fundingLevel: 'COUNTY', appropriated: '50.00', available: '50.00' }),
      ]);
      await t.http().get(`${API}/budgets`).set('Authorization', officer.auth).expect(403);

      // Pagination with a cursor walks the same lines.
      const first = await t.http().get(`${API}/budgets?fiscalYear=2012&limit=2`).set('Authorization', auditor.auth);
      expect(first.body.items).toHaveLength(2);
      const second = await t
        .http()
        .get(`${API}/budgets?fiscalYear=2012&limit=2&cursor=${first.body.nextCursor}`)
        .set('Authorization', auditor.auth)
        .expect(200);
      expect(second.body.items[0]).toEqual((await lines(auditor, 'fiscalYear=2012'))[2]);
    });
  });

  describe('POST /budgets/appropriations/:transferId/reverse', () => {
    it('reverses a wrong appropriation once with a REVERSAL transfer that names it', async () => {
      const wrong = await appropriate(finance, body({ fiscalYear: 2013, amount: '777.00' }), 'wrong').expect(201);
      const reversal = await t
        .http()
        .post(`${API}/budgets/appropriations/${wrong.body.transferId}/reverse`)
        .set('Authorization', finance.auth)
        .expect(201);
      expect(reversal.body).toMatchObject({
        code: 'REVERSAL',
        reversesTransferId: wrong.body.transferId,
        amount: '777.00',
        fiscalYear: 2013,
        fundingLevel: 'CENTRAL',
        countyCode: '410122',
      });
      const again = await t
        .http()
        .post(`${API}/budgets/appropriations/${wrong.body.transferId}/reverse`)
        .set('Authorization', finance.auth)
        .expect(201);
      expect(again.body).toEqual(reversal.body);
      expect(await lines(finance, 'fiscalYear=2013')).toEqual([
        expect.objectContaining({ appropriated: '0.00', available: '0.00', committed: '0.00', spent: '0.00' }),
      ]);
      const audit = await t.dataSource.query(
        `SELECT entity_id FROM audit_events WHERE action = 'budget.appropriation_reversed'`,
      );
      expect(audit).toEqual([{ entity_id: wrong.body.transferId }]);

      // A reversal itself, an unknown transfer, another county's transfer: refused.
      await t
        .http()
        .post(`${API}/budgets/appropriations/${reversal.body.transferId}/reverse`)
        .set('Authorization', finance.auth)
        .expect(422);
      await t
        .http()
        .post(`${API}/budgets/appropriations/999999/reverse`)
        .set('Authorization', finance.auth)
        .expect(404);
      const elsewhere = await t.signIn('FINANCE', '410102');
      await t
        .http()
        .post(`${API}/budgets/appropriations/${wrong.body.transferId}/reverse`)
        .set('Authorization', elsewhere.auth)
        .expect(404);
    });

    it('refuses to reverse money that is already committed (409 INSUFFICIENT_BUDGET)', async () => {
      const small = await appropriate(
        finance,
        body({ fiscalYear: 2014, fundingLevel: 'COUNTY', amount: '100.00' }),
        's',
      );
      expect(small.status).toBe(201);
      await t.app.get(Transactions).run((manager) =>
        t.app.get(BudgetCommitmentsService).commit(manager, {
          fiscalYear: 2014,
          policyCode: 'RURAL_REWARD',
          countyCode: '410122',
          shares: { COUNTY: money(1) },
          amount: money('30.00'),
          idempotencyKey: 'batch-2014:commit',
        }),
      );
      const refused = await t
        .http()
        .post(`${API}/budgets/appropriations/${small.body.transferId}/reverse`)
        .set('Authorization', finance.auth)
        .expect(409);
      expect(refused.body).toMatchObject({
        code: 'INSUFFICIENT_BUDGET',
        budgetLine: { fiscalYear: 2014, policyCode: 'RURAL_REWARD', fundingLevel: 'COUNTY', countyCode: '410122' },
        shortfall: '30.00',
      });
      const verify = await t.http().get(`${API}/ledger/verify`).set('Authorization', auditor.auth).expect(200);
      expect(verify.body).toMatchObject({ ok: true });
    });
  });
});
