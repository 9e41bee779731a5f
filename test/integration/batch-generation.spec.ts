import { DisbursementsRepository } from '../../src/modules/disbursements/disbursements.repository.js';
import { GenerationProcessor } from '../../src/modules/disbursements/generation.processor.js';
import type { JobContext } from '../../src/modules/jobs/job-processor.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';

const COUNTY = '410122';
const VILLAGE = '410122101201';
const HOUSEHOLDS = 12;

describe('batch generation and approval on a real database', () => {
  let t: TestApp;
  let officer: SignedInUser;
  let finance: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } });
    const admin = await t.signIn('ADMIN', '410100');
    const clerk = await t.signIn('CLERK', '410122101');
    officer = await t.signIn('OFFICER', COUNTY);
    const officer2 = await t.signIn('OFFICER', COUNTY);
    finance = await t.signIn('FINANCE', COUNTY);
    await ensureVillage(t, admin, VILLAGE);
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const h = await registerHousehold(t, clerk, {
        householdNo: `G${i}`,
        regionCode: VILLAGE,
        bankAccountSeed: 3000 + i,
        members: [
          { name: `患者${i}`, relation: 'HEAD', birthDate: '1965-01-01', sex: 'F', complicationGrade: (i % 3) + 1 },
        ],
      });
      const id = (
        await t
          .http()
          .post(`${API}/enrollments`)
          .set('Authorization', clerk.auth)
          .send({
            householdId: h.id,
            policyCode: 'COMPLICATION_SUPPORT',
            beneficiaryPersonId: h.members[0].personId,
            appliedOn: '2012-01-05',
          })
          .expect(201)
      ).body.id;
      await t.http().post(`${API}/enrollments/${id}/submit`).set('Authorization', clerk.auth).expect(200);
      await t.http().post(`${API}/enrollments/${id}/publicize`).set('Authorization', officer.auth).expect(200);
      await t.http().post(`${API}/enrollments/${id}/approve`).set('Authorization', officer2.auth).expect(200);
    }
  });
  afterAll(() => t?.close());

  const draftBatch = async (period: string) => {
    const repository = t.app.get(DisbursementsRepository);
    return repository.insertBatch(t.dataSource.manager, {
      policyCode: 'COMPLICATION_SUPPORT',
      period,
      fiscalYear: Number(period.slice(0, 4)),
      countyCode: COUNTY,
      createdBy: officer.id,
    });
  };
  const context = (batchId: string, onProgress: () => Promise<void> = async () => undefined) =>
    ({
      id: 'test',
      name: 'disbursements.generate',
      attempt: 1,
      data: { batchId, chunkSize: 5 },
      progress: onProgress,
      stopping: () => false,
    }) as JobContext<{
      batchId: string;
      chunkSize: number;
    }>;
  const linesOf = (batchId: string) =>
    t.dataSource.query(
      `SELECT line_no, enrollment_id, periods, amount::text FROM disbursement_lines WHERE batch_id = $1 ORDER BY line_no`,
      [batchId],
    );

  it('yields the same lines when a generation stopped half way is run again', async () => {
    const processor = t.app.get(GenerationProcessor);
    const reference = await draftBatch('2016-02');
    await processor.run(context(reference.id));
    const expected = await linesOf(reference.id);
    expect(expected).toHaveLength(HOUSEHOLDS);
    // Free the months again (as a rejection would) so the same lines can be generated once more.
    await t.dataSource.query(`UPDATE payment_coverage SET released_at = now() WHERE batch_id = $1`, [reference.id]);

    const batch = await draftBatch('2016-02');
    let chunks = 0;
    const crash = async () => {
      if (++chunks === 1) throw new Error('worker killed');
    };
    await expect(processor.run(context(batch.id, crash))).rejects.toThrow('worker killed');
    const partial = await linesOf(batch.id);
    expect(partial).toHaveLength(5); // the first chunk committed, nothing else
    const [{ status }] = await t.dataSource.query(`SELECT status FROM disbursement_batches WHERE id = $1`, [batch.id]);
    expect(status).toBe('DRAFT');

    const result = await processor.run(context(batch.id));
    expect(result.lineCount).toBe(HOUSEHOLDS);
    expect(await linesOf(batch.id)).toEqual(expected);
    // And a third run finds the batch generated and does nothing.
    await processor.run(context(batch.id));
    expect(await linesOf(batch.id)).toEqual(expected);
  });

  it('stores each decision once, shared by the lines decided on the same facts', async () => {
    const batch = await draftBatch('2020-05');
    await t.app.get(GenerationProcessor).run(context(batch.id));
    const lines: { line_no: number; periods: string[]; digest: string; decision: { months: { month: string }[] } }[] =
      await t.dataSource.query(
        `SELECT l.line_no, l.periods, encode(l.decision_digest, 'hex') AS digest, d.decision
           FROM disbursement_lines l JOIN line_decisions d ON d.digest = l.decision_digest
          WHERE l.batch_id = $1 ORDER BY l.line_no`,
        [batch.id],
      );
    expect(lines).toHaveLength(HOUSEHOLDS);
    for (const line of lines) expect(line.decision.months.map((m) => m.month)).toEqual(line.periods);
    // Twelve heads born the same day differ only by their complication grade (three grades).
    expect(new Set(lines.map((l) => l.digest)).size).toBe(3);
  });

  it('never pays a month twice when two batches for the same months are generated at once', async () => {
    const processor = t.app.get(GenerationProcessor);
    const [a, b] = [await draftBatch('2017-03'), await draftBatch('2017-03')];
    await Promise.all([processor.run(context(a.id)), processor.run(context(b.id))]);
    const [{ n, dupes }] = await t.dataSource.query(
      `SELECT count(*)::int AS n,
              count(*) - count(DISTINCT (beneficiary_key, period_unit))::int AS dupes
         FROM payment_coverage WHERE batch_id = ANY($1::uuid[]) AND released_at IS NULL`,
      [[a.id, b.id]],
    );
    expect(n).toBe(HOUSEHOLDS * 3);
    expect(Number(dupes)).toBe(0);
    const lines = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM disbursement_lines WHERE batch_id = ANY($1::uuid[])`,
      [[a.id, b.id]],
    );
    expect(lines[0].n).toBeGreaterThanOrEqual(HOUSEHOLDS);
  });

  it('commits nothing when approval goes beyond the budget, and names the short line', async () => {
    const created = await t
      .http()
      .post(`${API}/disbursement-batches`)
      .set('Authorization', officer.auth)
      .send({ policyCode: 'COMPLICATION_SUPPORT', period: '2018-01', countyCode: COUNTY })
      .expect(202);
    await t.waitForJob(created.body.jobId, officer);
    const id = created.body.batch.id;
    const batch = await t
      .http()
      .get(`${API}/disbursement-batches/${id}`)
      .set('Authorization', finance.auth)
      .expect(200);
    expect(batch.body.lineCount).toBe(HOUSEHOLDS);
    // Enough for the municipal half, too little for the county's.
    for (const [fundingLevel, amount] of [
      ['MUNICIPAL', '5000.00'],
      ['COUNTY', '100.00'],
    ]) {
      await t
        .http()
        .post(`${API}/budgets/appropriations`)
        .set('Authorization', finance.auth)
        .send({ fiscalYear: 2018, policyCode: 'COMPLICATION_SUPPORT', fundingLevel, countyCode: COUNTY, amount })
        .expect(201);
    }
    await t.http().post(`${API}/disbursement-batches/${id}/submit`).set('Authorization', officer.auth).expect(200);
    const refused = await t
      .http()
      .post(`${API}/disbursement-batches/${id}/approve`)
      .set('Authorization', finance.auth)
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'INSUFFICIENT_BUDGET',
      budgetLine: { fiscalYear: 2018, policyCode: 'COMPLICATION_SUPPORT', fundingLevel: 'COUNTY', countyCode: COUNTY },
    });
    const after = await t
      .http()
      .get(`${API}/disbursement-batches/${id}`)
      .set('Authorization', finance.auth)
      .expect(200);
    expect(after.body.status).toBe('SUBMITTED');
    const transfers = await t.dataSource.query(`SELECT count(*)::int AS n FROM ledger_transfers WHERE batch_id = $1`, [
      id,
    ]);
    expect(transfers[0].n).toBe(0);
    const budgets = await t
      .http()
      .get(`${API}/budgets?fiscalYear=2018&countyCode=${COUNTY}`)
      .set('Authorization', finance.auth)
      .expect(200);
    expect(budgets.body.items.map((i: { committed: string }) => i.committed)).toEqual(['0.00', '0.00']);
  });

  it('refuses approval by the user who submitted the batch', async () => {
    const created = await t
      .http()
      .post(`${API}/disbursement-batches`)
      .set('Authorization', officer.auth)
      .send({ policyCode: 'COMPLICATION_SUPPORT', period: '2019-01', countyCode: COUNTY })
      .expect(202);
    await t.waitForJob(created.body.jobId, officer);
    const id = created.body.batch.id;
    await t.http().post(`${API}/disbursement-batches/${id}/submit`).set('Authorization', finance.auth).expect(200);
    const refused = await t
      .http()
      .post(`${API}/disbursement-batches/${id}/approve`)
      .set('Authorization', finance.auth)
      .expect(403);
    expect(refused.body.code).toBe('SELF_APPROVAL_FORBIDDEN');
    const rejected = await t
      .http()
      .post(`${API}/disbursement-batches/${id}/reject`)
      .set('Authorization', finance.auth)
      .send({ reason: 'mine' })
      .expect(403);
    expect(rejected.body.code).toBe('SELF_APPROVAL_FORBIDDEN');
    const wrongState = await t
      .http()
      .post(`${API}/disbursement-batches/${id}/submit`)
      .set('Authorization', officer.auth)
      .expect(409);
    expect(wrongState.body.code).toBe('INVALID_STATE_TRANSITION');
  });
});
