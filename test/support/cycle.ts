import { API, type SignedInUser, type TestApp } from './app.js';
import { registerHousehold } from './fixtures.js';

/**
 * The steps of a payment cycle through the HTTP API, as the clerk, two officers and finance take
 * them, shared by the specs that need a cycle behind them.
 */
export interface Cycle {
  t: TestApp;
  county: string;
  admin: SignedInUser;
  clerk: SignedInUser;
  officer: SignedInUser;
  officer2: SignedInUser;
  finance: SignedInUser;
  auditor: SignedInUser;
}

export interface LineItem {
  id: string;
  lineNo: number;
  personId: string;
  amount: string;
  accountNo: string;
  periods: string[];
  status: string;
}

export async function signInCycle(t: TestApp, county = '410122', township = `${county}101`): Promise<Cycle> {
  return {
    t,
    county,
    admin: await t.signIn('ADMIN', '410100'),
    clerk: await t.signIn('CLERK', township),
    officer: await t.signIn('OFFICER', county),
    officer2: await t.signIn('OFFICER', county),
    finance: await t.signIn('FINANCE', county),
    auditor: await t.signIn('AUDITOR', county),
  };
}

/**
 * Opens, submits, publicizes and (as the second officer) approves an enrollment. The family applied
 * on `appliedOn` (a paper application of 2012 by default: the cycles pay 2012, and nothing is owed
 * before the fiscal year of the application).
 */
export async function enrollAndActivate(
  c: Cycle,
  householdId: string,
  policyCode: string,
  personId?: string,
  appliedOn = '2012-01-05',
) {
  const created = await c.t
    .http()
    .post(`${API}/enrollments`)
    .set('Authorization', c.clerk.auth)
    .send({ householdId, policyCode, appliedOn, ...(personId ? { beneficiaryPersonId: personId } : {}) })
    .expect(201);
  const id = created.body.id as string;
  await c.t.http().post(`${API}/enrollments/${id}/submit`).set('Authorization', c.clerk.auth).expect(200);
  await c.t.http().post(`${API}/enrollments/${id}/publicize`).set('Authorization', c.officer.auth).expect(200);
  const approved = await c.t
    .http()
    .post(`${API}/enrollments/${id}/approve`)
    .set('Authorization', c.officer2.auth)
    .expect(200);
  if (approved.body.status !== 'ACTIVE') throw new Error(`enrollment ${id} is ${approved.body.status}`);
  return id;
}

export async function appropriate(c: Cycle, fiscalYear: number, policyCode: string, amounts: Record<string, string>) {
  for (const [fundingLevel, amount] of Object.entries(amounts)) {
    await c.t
      .http()
      .post(`${API}/budgets/appropriations`)
      .set('Authorization', c.finance.auth)
      .send({ fiscalYear, policyCode, fundingLevel, countyCode: c.county, amount })
      .expect(201);
  }
}

/** Creates a batch, waits for its generation job and returns the batch. */
export async function generate(c: Cycle, policyCode: string, period: string) {
  const created = await c.t
    .http()
    .post(`${API}/disbursement-batches`)
    .set('Authorization', c.officer.auth)
    .send({ policyCode, period, countyCode: c.county })
    .expect(202);
  if (created.body.batch.status !== 'DRAFT') throw new Error(`new batch is ${created.body.batch.status}`);
  const job = await c.t.waitForJob(created.body.jobId, c.officer);
  if (job.state !== 'completed') throw new Error(`generation ${JSON.stringify(job)}`);
  const batch = await c.t
    .http()
    .get(`${API}/disbursement-batches/${created.body.batch.id}`)
    .set('Authorization', c.officer.auth)
    .expect(200);
  return batch.body;
}

export async function lines(c: Cycle, batchId: string): Promise<LineItem[]> {
  const response = await c.t
    .http()
    .get(`${API}/disbursement-batches/${batchId}/lines?limit=500`)
    .set('Authorization', c.finance.auth)
    .expect(200);
  return response.body.items as LineItem[];
}

/** Submits (officer), approves (finance, with an Idempotency-Key) and downloads the bank file. */
export async function approveAndExport(c: Cycle, batchId: string): Promise<string> {
  await c.t
    .http()
    .post(`${API}/disbursement-batches/${batchId}/submit`)
    .set('Authorization', c.officer.auth)
    .expect(200);
  const approved = await c.t
    .http()
    .post(`${API}/disbursement-batches/${batchId}/approve`)
    .set('Authorization', c.finance.auth)
    .set('Idempotency-Key', `approve-${batchId}`)
    .expect(200);
  if (approved.body.status !== 'APPROVED') throw new Error(`approved batch is ${approved.body.status}`);
  const file = await c.t
    .http()
    .get(`${API}/disbursement-batches/${batchId}/bank-file`)
    .set('Authorization', c.finance.auth)
    .expect(200);
  return file.text;
}

/** A bank result file: each line SUCCESS, or FAILED where `failed` says so. */
export function resultFile(items: LineItem[], failed: (line: LineItem) => boolean = () => false): string {
  return [
    'line_no,account_no,amount,status,bank_ref,reason',
    ...items.map((l) =>
      failed(l)
        ? `${l.lineNo},${l.accountNo},${l.amount},FAILED,,账户已销户`
        : `${l.lineNo},${l.accountNo},${l.amount},SUCCESS,BR${l.id.slice(0, 8)},`,
    ),
  ].join('\n');
}

export function importResults(c: Cycle, batchId: string, csv: string) {
  return c.t
    .http()
    .post(`${API}/disbursement-batches/${batchId}/bank-results`)
    .set('Authorization', c.finance.auth)
    .set('Content-Type', 'text/csv')
    .send(csv);
}

/** A year's RURAL_REWARD appropriation for a county of one or two families, by funding level. */
export const RURAL_REWARD_YEAR = { CENTRAL: '500.00', PROVINCIAL: '300.00', MUNICIPAL: '100.00', COUNTY: '100.00' };

/**
 * One exported RURAL_REWARD 2012 batch of one line: a rural family whose head (named `headName`)
 * turned 60 in 2012 and holds the one-card account; the specs that need a real batch to aim at.
 */
export async function exportedBatchOfOne(
  c: Cycle,
  spec: { householdNo: string; regionCode: string; headName: string; bankAccountSeed: number },
): Promise<{ householdId: string; headPersonId: string; batchId: string }> {
  const household = await registerHousehold(c.t, c.clerk, {
    householdNo: spec.householdNo,
    regionCode: spec.regionCode,
    bankAccountSeed: spec.bankAccountSeed,
    members: [
      { name: spec.headName, relation: 'HEAD', birthDate: '1952-03-10', sex: 'M' },
      { name: '母', relation: 'SPOUSE', birthDate: '1972-05-01', sex: 'F' },
      { name: '子', relation: 'CHILD', birthDate: '1980-05-05', sex: 'M', birthOrder: 1 },
    ],
  });
  const headPersonId = household.members[0].personId;
  await enrollAndActivate(c, household.id, 'RURAL_REWARD', headPersonId);
  await appropriate(c, 2012, 'RURAL_REWARD', RURAL_REWARD_YEAR);
  const batch = await generate(c, 'RURAL_REWARD', '2012');
  await approveAndExport(c, batch.id);
  return { householdId: household.id, headPersonId, batchId: batch.id };
}

/**
 * A certified urban one-child family: the mother (head, born 1975-04-01), the father (1973-02-01)
 * and their son (2009-02-01), with OCP_REWARD active; with `complication`, the mother has a grade-3
 * surgery complication and COMPLICATION_SUPPORT is active too. The overpayment specs pay it, then
 * report a death late.
 */
export async function oneChildFamily(
  c: Cycle,
  options: { householdNo: string; regionCode: string; seed: number; complication: boolean },
) {
  const { householdNo, seed } = options;
  const h = await registerHousehold(c.t, c.clerk, {
    householdNo,
    regionCode: options.regionCode,
    bankAccountSeed: seed,
    hukouType: 'URBAN',
    certificate: { certificateNo: `${householdNo}-C`, issuedOn: '2009-03-01' },
    members: [
      {
        name: `母${seed}`,
        relation: 'HEAD',
        birthDate: '1975-04-01',
        sex: 'F',
        ...(options.complication ? { complicationGrade: 3 } : {}),
      },
      { name: `父${seed}`, relation: 'SPOUSE', birthDate: '1973-02-01', sex: 'M' },
      { name: `子${seed}`, relation: 'CHILD', birthDate: '2009-02-01', sex: 'M', birthOrder: 1 },
    ],
  });
  await enrollAndActivate(c, h.id, 'OCP_REWARD');
  if (options.complication) await enrollAndActivate(c, h.id, 'COMPLICATION_SUPPORT', h.members[0].personId);
  return { id: h.id, head: h.members[0].personId, child: h.members[2].personId };
}

/** Records a death through the API as the cycle's clerk (201 expected). */
export function recordDeath(c: Cycle, householdId: string, personId: string, date: string) {
  return c.t
    .http()
    .post(`${API}/households/${householdId}/events`)
    .set('Authorization', c.clerk.auth)
    .send({ type: 'DEATH', personId, date })
    .expect(201);
}
