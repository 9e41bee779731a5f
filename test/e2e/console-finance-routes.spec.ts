import { API, createTestApp, type TestApp } from '../support/app.js';
import {
  appropriate,
  enrollAndActivate,
  generate,
  importResults,
  lines,
  resultFile,
  signInCycle,
  type Cycle,
} from '../support/cycle.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';

/**
 * The routes the finance, audit and administration console added: a batch's budget impact before
 * approval, spending by month and policy, and an ADMIN's changes to a user.
 */
describe('console routes for finance, audit and administration', () => {
  let t: TestApp;
  let c: Cycle;
  let batchId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } });
    c = await signInCycle(t);
    await ensureVillage(t, c.admin, '410122101201');
    for (const [no, seed] of [
      ['HS-IMPACT-1', 71],
      ['HS-IMPACT-2', 72],
    ] as const) {
      const household = await registerHousehold(t, c.clerk, {
        householdNo: no,
        regionCode: '410122101201',
        bankAccountSeed: seed,
        members: [
          { name: '户主', relation: 'HEAD', birthDate: '1952-03-10', sex: 'M' },
          { name: '母', relation: 'SPOUSE', birthDate: '1972-05-01', sex: 'F' },
          { name: '子', relation: 'CHILD', birthDate: '1980-05-05', sex: 'M', birthOrder: 1 },
        ],
      });
      await enrollAndActivate(c, household.id, 'RURAL_REWARD', household.members[0].personId);
    }
    // Enough at the central level, nothing yet at the others.
    await appropriate(c, 2012, 'RURAL_REWARD', { CENTRAL: '5000.00', PROVINCIAL: '100.00' });
    const batch = await generate(c, 'RURAL_REWARD', '2012');
    batchId = batch.id;
    await t
      .http()
      .post(`${API}/disbursement-batches/${batchId}/submit`)
      .set('Authorization', c.officer.auth)
      .expect(200);
  });
  afterAll(() => t?.close());

  it('shows each budget line before and after approving, exactly as the approval then refuses', async () => {
    const impact = await t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/budget-impact`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    const levels = Object.fromEntries(
      (impact.body.levels as Record<string, string>[]).map((level) => [level.fundingLevel, level]),
    );
    const all = await lines(c, batchId);
    const total = all.reduce((sum, line) => sum + Number(line.amount), 0);
    expect(Number(impact.body.total)).toBeCloseTo(total, 2);
    expect(impact.body.sufficient).toBe(false);
    // The parts add up to the batch, level by level.
    const parts = Object.values(levels).reduce((sum, level) => sum + Number(level.toCommit), 0);
    expect(parts).toBeCloseTo(total, 2);
    expect(levels.CENTRAL).toMatchObject({ availableBefore: '5000.00', shortfall: '0.00', budgetLineExists: true });
    expect(Number(levels.CENTRAL.availableAfter)).toBeCloseTo(5000 - Number(levels.CENTRAL.toCommit), 2);
    expect(levels.MUNICIPAL).toMatchObject({ budgetLineExists: false, availableBefore: '0.00' });
    expect(levels.MUNICIPAL.shortfall).toBe(levels.MUNICIPAL.toCommit);

    // The approval refuses with the first short line in level order and the shortfall shown above.
    const provincialShort = levels.PROVINCIAL.shortfall !== '0.00';
    const refused = await t
      .http()
      .post(`${API}/disbursement-batches/${batchId}/approve`)
      .set('Authorization', c.finance.auth)
      .expect(409);
    expect(refused.body.code).toBe('INSUFFICIENT_BUDGET');
    const first = provincialShort ? levels.PROVINCIAL : levels.MUNICIPAL;
    expect(refused.body.budgetLine.fundingLevel).toBe(first.fundingLevel);
    expect(refused.body.shortfall).toBe(first.shortfall);

    // Not the desk's business; and not outside the caller's region.
    await t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/budget-impact`)
      .set('Authorization', c.clerk.auth)
      .expect(403);
    const elsewhere = await t.signIn('FINANCE', '410181');
    await t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/budget-impact`)
      .set('Authorization', elsewhere.auth)
      .expect(404);
  });

  it('sums what the bank paid by month and policy', async () => {
    await appropriate(c, 2012, 'RURAL_REWARD', { PROVINCIAL: '5000.00', MUNICIPAL: '5000.00', COUNTY: '5000.00' });
    await t
      .http()
      .post(`${API}/disbursement-batches/${batchId}/approve`)
      .set('Authorization', c.finance.auth)
      .set('Idempotency-Key', `approve-${batchId}`)
      .expect(200);
    const after = await t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/budget-impact`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    // Approved: nothing more to commit, the totals by level remain.
    expect(after.body.status).toBe('APPROVED');
    expect((after.body.levels as { toCommit: string }[]).every((level) => level.toCommit === '0.00')).toBe(true);

    await t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/bank-file`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    const all = await lines(c, batchId);
    await importResults(
      c,
      batchId,
      resultFile(all, (line) => line.lineNo === 2),
    ).expect(200);
    const spending = await t
      .http()
      .get(`${API}/reports/spending?fiscalYear=2012`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    const paid = all.filter((line) => line.lineNo !== 2);
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
      .format(new Date())
      .slice(0, 7);
    expect(spending.body.items).toEqual([
      {
        month,
        policyCode: 'RURAL_REWARD',
        lines: paid.length,
        amount: paid.reduce((sum, line) => sum + Number(line.amount), 0).toFixed(2),
      },
    ]);
    expect(spending.body.total).toBe(spending.body.items[0].amount);
    const none = await t
      .http()
      .get(`${API}/reports/spending?fiscalYear=2013`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    expect(none.body).toEqual({ fiscalYear: 2013, items: [], total: '0.00' });
    await t.http().get(`${API}/reports/spending?fiscalYear=2012`).set('Authorization', c.officer.auth).expect(403);
  });

  it('lets an ADMIN change a role, region and real name, and reset a password, each audited', async () => {
    const user = await t.signIn('CLERK', '410122101', 'clerk.to.officer');
    const patch = (body: object) =>
      t.http().patch(`${API}/users/${user.id}`).set('Authorization', c.admin.auth).send(body);

    // A role that does not suit the region is refused, and nothing changes.
    const wrong = await patch({ role: 'OFFICER' }).expect(400);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    await patch({}).expect(400);

    const changed = await patch({ role: 'OFFICER', regionCode: '410122', realName: '李明' }).expect(200);
    expect(changed.body).toMatchObject({ role: 'OFFICER', regionCode: '410122', realName: '李明', disabled: false });
    // The new role counts at once: the same token now reaches the officer's routes.
    await t.http().get(`${API}/enrollments?status=SUBMITTED`).set('Authorization', user.auth).expect(200);
    await t
      .http()
      .post(`${API}/households`)
      .set('Authorization', user.auth)
      .send({ householdNo: 'X', regionCode: '410122101201', address: 'x', members: [] })
      .expect(403);

    await patch({ password: 'a-reset-password' }).expect(200);
    await t.http().post(`${API}/auth/login`).send({ username: user.username, password: user.password }).expect(401);
    await t
      .http()
      .post(`${API}/auth/login`)
      .send({ username: user.username, password: 'a-reset-password' })
      .expect(200);
    const cleared = await patch({ realName: null }).expect(200);
    expect(cleared.body.realName).toBeNull();

    const events = await t
      .http()
      .get(`${API}/audit/events?entityType=user&entityId=${user.id}&order=asc`)
      .set('Authorization', (await t.signIn('AUDITOR', '410100')).auth)
      .expect(200);
    const actions = (events.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.updated', 'user.password-reset']));
    const update = (events.body.items as { action: string; before: any; after: any }[]).find(
      (e) => e.action === 'user.updated',
    )!;
    expect(update.before).toMatchObject({ role: 'CLERK', realName: null });
    expect(update.after).toMatchObject({ role: 'OFFICER', realName: '李明' });
    expect(JSON.stringify(events.body)).not.toContain('a-reset-password');
  });
});
