import { parse } from 'csv-parse/sync';
import { API, createTestApp, type SignedInUser } from '../support/app.js';
import {
  appropriate,
  approveAndExport,
  generate,
  importResults,
  lines,
  oneChildFamily,
  recordDeath,
  resultFile,
  signInCycle,
  type Cycle,
} from '../support/cycle.js';
import { ensureVillage } from '../support/fixtures.js';

const VILLAGE = '410122101201';
const COUNTY = '410122';
const fen = (v: string) => Math.round(Number(v) * 100);

interface Claim {
  id: string;
  householdId: string;
  policyCode: string;
  status: string;
  amount: string;
  recovered: string;
  writtenOff: string;
  reserved: string;
  outstanding: string;
  lines: {
    period: string;
    amount: string;
    paid: string;
    owed: string;
    causeEventId: string | null;
    withdrawnAt: string | null;
  }[];
  recoveries: { kind: string; status: string; amount: string; receiptNo: string | null }[];
}

interface Line {
  id: string;
  lineNo: number;
  householdId: string;
  personId: string;
  amount: string;
  grossAmount: string;
  offsetAmount: string;
  accountNo: string;
  periods: string[];
  status: string;
}

/**
 * The budget figures of one policy for 2012 in fen, summed over the funding levels, after checking
 * that every line keeps appropriated = committed + spent + available + receivable.
 */
async function budget(c: Cycle, policyCode: string) {
  const response = await c.t
    .http()
    .get(`${API}/budgets?fiscalYear=2012&countyCode=${COUNTY}`)
    .set('Authorization', c.finance.auth)
    .expect(200);
  const items = (response.body.items as Record<string, string>[]).filter((i) => i.policyCode === policyCode);
  for (const item of items) {
    expect(fen(item.appropriated)).toBe(
      fen(item.committed) + fen(item.spent) + fen(item.available) + fen(item.receivable),
    );
  }
  const total = (field: string) => items.reduce((sum, i) => sum + fen(i[field]), 0);
  return {
    committed: total('committed'),
    spent: total('spent'),
    available: total('available'),
    receivable: total('receivable'),
  };
}

async function verifyLedger(c: Cycle) {
  const response = await c.t.http().get(`${API}/ledger/verify`).set('Authorization', c.auditor.auth).expect(200);
  expect(response.body.ok).toBe(true);
}

async function claimsOf(c: Cycle, householdId: string): Promise<Claim[]> {
  const response = await c.t
    .http()
    .get(`${API}/overpayments?limit=500`)
    .set('Authorization', c.auditor.auth)
    .expect(200);
  return (response.body.items as Claim[]).filter((claim) => claim.householdId === householdId);
}

async function claim(c: Cycle, id: string, user: SignedInUser = c.finance): Promise<Claim> {
  return (await c.t.http().get(`${API}/overpayments/${id}`).set('Authorization', user.auth).expect(200)).body as Claim;
}

async function settleAll(c: Cycle, batchId: string) {
  const items = (await lines(c, batchId)) as unknown as Line[];
  const settled = await importResults(c, batchId, resultFile(items));
  expect(settled.status).toBe(200);
  expect(settled.body.batch.status).toBe('SETTLED');
}

async function lineOf(c: Cycle, batchId: string, householdId: string): Promise<Line | undefined> {
  return ((await lines(c, batchId)) as unknown as Line[]).find((line) => line.householdId === householdId);
}

describe('overpayment recovery (e2e)', () => {
  let c: Cycle;
  let finance2: SignedInUser;
  let seq = 0;

  /**
   * A certified one-child family (the mother, head, has a grade-3 surgery complication: 100.00 a
   * month) whose OCP_REWARD for January to June 2012 (60.00) has been paid and settled.
   */
  async function paidFamily(options: { complication: boolean }) {
    seq += 1;
    const family = await oneChildFamily(c, {
      householdNo: `OP${seq}`,
      regionCode: VILLAGE,
      seed: 300 + seq,
      ...options,
    });
    const batch = await generate(c, 'OCP_REWARD', '2012-06');
    const own = await lineOf(c, batch.id, family.id);
    expect(own).toMatchObject({ amount: '60.00', grossAmount: '60.00', offsetAmount: '0.00' });
    await approveAndExport(c, batch.id);
    await settleAll(c, batch.id);
    return family;
  }

  const death = (householdId: string, personId: string, date: string) => recordDeath(c, householdId, personId, date);

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    finance2 = await c.t.signIn('FINANCE', COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE);
    await appropriate(c, 2012, 'OCP_REWARD', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });
    await appropriate(c, 2012, 'COMPLICATION_SUPPORT', { MUNICIPAL: '5000.00', COUNTY: '5000.00' });
  });
  afterAll(() => c.t?.close());

  it('a late death opens a claim of exactly the overpaid months; later cash lines offset it (at most half of each) to RECOVERED', async () => {
    const family = await paidFamily({ complication: true });
    const june = await generate(c, 'COMPLICATION_SUPPORT', '2012-06');
    expect(await lineOf(c, june.id, family.id)).toMatchObject({ amount: '600.00', offsetAmount: '0.00' });
    await approveAndExport(c, june.id);
    await settleAll(c, june.id);
    const ocpBefore = await budget(c, 'OCP_REWARD');

    // The only child died on 20 December 2011, reported in 2012: all six paid months were not owed.
    const event = await death(family.id, family.child, '2011-12-20');
    const [opened] = await claimsOf(c, family.id);
    expect(opened).toMatchObject({ policyCode: 'OCP_REWARD', status: 'OPEN', amount: '60.00', outstanding: '60.00' });
    expect(opened.lines.map((l) => l.period)).toEqual([
      '2012-01',
      '2012-02',
      '2012-03',
      '2012-04',
      '2012-05',
      '2012-06',
    ]);
    for (const line of opened.lines) {
      expect(line).toMatchObject({ paid: '10.00', owed: '0.00', amount: '10.00', causeEventId: event.body.id });
    }
    // Spent -> receivable, to the fen.
    expect(await budget(c, 'OCP_REWARD')).toEqual({
      ...ocpBefore,
      spent: ocpBefore.spent - 6000,
      receivable: ocpBefore.receivable + 6000,
    });
    await verifyLedger(c);

    // July: 100.00 owed, half of it (50.00) kept back, 50.00 to the bank.
    const july = await generate(c, 'COMPLICATION_SUPPORT', '2012-07');
    const julyLine = (await lineOf(c, july.id, family.id))!;
    expect(julyLine).toMatchObject({
      periods: ['2012-07'],
      grossAmount: '100.00',
      offsetAmount: '50.00',
      amount: '50.00',
    });
    expect(await claim(c, opened.id)).toMatchObject({ status: 'OPEN', reserved: '50.00', recovered: '0.00' });
    const complicationBefore = await budget(c, 'COMPLICATION_SUPPORT');
    const file = await approveAndExport(c, july.id);
    const rows = parse(file, { columns: true, bom: true }) as Record<string, string>[];
    const bankRow = rows.find((row) => Number(row.line_no ?? Object.values(row)[0]) === julyLine.lineNo)!;
    expect(Object.values(bankRow)).toContain('50.00');
    expect(Object.values(bankRow)).not.toContain('100.00');
    expect(await claim(c, opened.id)).toMatchObject({
      status: 'RECOVERING',
      recovered: '50.00',
      reserved: '0.00',
      outstanding: '10.00',
    });
    const ocpRecovering = await budget(c, 'OCP_REWARD');
    expect(ocpRecovering.receivable).toBe(ocpBefore.receivable + 1000);
    expect(ocpRecovering.available).toBe(ocpBefore.available + 5000);
    // The offset part is spent at approval; the net waits for the bank.
    const complicationApproved = await budget(c, 'COMPLICATION_SUPPORT');
    expect(complicationApproved.spent - complicationBefore.spent).toBe(5000);
    expect(complicationApproved.committed - complicationBefore.committed).toBe(5000 * (july.lineCount as number));
    await settleAll(c, july.id);
    expect((await budget(c, 'COMPLICATION_SUPPORT')).committed).toBe(complicationBefore.committed);
    await verifyLedger(c);

    // August: the last 10.00.
    const august = await generate(c, 'COMPLICATION_SUPPORT', '2012-08');
    expect(await lineOf(c, august.id, family.id)).toMatchObject({
      grossAmount: '100.00',
      offsetAmount: '10.00',
      amount: '90.00',
    });
    await approveAndExport(c, august.id);
    await settleAll(c, august.id);
    const recovered = await claim(c, opened.id, c.auditor);
    expect(recovered).toMatchObject({ status: 'RECOVERED', recovered: '60.00', outstanding: '0.00' });
    expect(recovered.recoveries.filter((r) => r.kind === 'OFFSET').map((r) => [r.amount, r.status])).toEqual([
      ['50.00', 'DONE'],
      ['10.00', 'DONE'],
    ]);
    expect(await budget(c, 'OCP_REWARD')).toMatchObject({
      receivable: ocpBefore.receivable,
      spent: ocpBefore.spent - 6000,
      available: ocpBefore.available + 6000,
    });
    await verifyLedger(c);

    // The auditor's trace of the household shows the claim and its recovery.
    const trace = await c.t
      .http()
      .get(`${API}/audit/trace/households/${family.id}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(trace.body.overpayments).toEqual([expect.objectContaining({ id: opened.id, status: 'RECOVERED' })]);
  });

  it('records refunds (FINANCE) and a write-off proposed by one FINANCE user and approved by another', async () => {
    const family = await paidFamily({ complication: false });
    const before = await budget(c, 'OCP_REWARD');
    await death(family.id, family.child, '2012-03-15'); // March still owed (alive on 1-14 March)
    const [opened] = await claimsOf(c, family.id);
    expect(opened).toMatchObject({ amount: '30.00', status: 'OPEN' });
    expect(opened.lines.map((l) => l.period)).toEqual(['2012-04', '2012-05', '2012-06']);

    const refund = (body: object, user: SignedInUser = c.finance) =>
      c.t.http().post(`${API}/overpayments/${opened.id}/refunds`).set('Authorization', user.auth).send(body);
    await refund({ amount: '10.00', receiptNo: 'R-1', date: '2012-09-10' }, c.officer).expect(403);
    const partial = await refund({ amount: '10.00', receiptNo: 'R-1', date: '2012-09-10' }).expect(201);
    expect(partial.body).toMatchObject({ status: 'RECOVERING', recovered: '10.00', outstanding: '20.00' });
    // The same receipt again changes nothing; more than is outstanding is refused.
    await refund({ amount: '10.00', receiptNo: 'R-1', date: '2012-09-10' }).expect(201);
    const tooMuch = await refund({ amount: '20.01', receiptNo: 'R-2', date: '2012-09-11' }).expect(409);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_OUTSTANDING');
    await refund({ amount: '-1', receiptNo: 'R-3', date: '2012-09-11' }).expect(400);
    expect(await budget(c, 'OCP_REWARD')).toMatchObject({
      spent: before.spent - 3000,
      receivable: before.receivable + 2000,
      available: before.available + 1000,
    });

    const proposed = await c.t
      .http()
      .post(`${API}/overpayments/${opened.id}/write-off`)
      .set('Authorization', c.finance.auth)
      .send({ reason: '家庭困难，无力退还' })
      .expect(200);
    expect(proposed.body).toMatchObject({ status: 'WRITE_OFF_PROPOSED' });
    const self = await c.t
      .http()
      .post(`${API}/overpayments/${opened.id}/write-off/approve`)
      .set('Authorization', c.finance.auth)
      .expect(403);
    expect(self.body.code).toBe('SELF_APPROVAL_FORBIDDEN');
    await c.t
      .http()
      .post(`${API}/overpayments/${opened.id}/write-off/approve`)
      .set('Authorization', c.officer.auth)
      .expect(403);
    const written = await c.t
      .http()
      .post(`${API}/overpayments/${opened.id}/write-off/approve`)
      .set('Authorization', finance2.auth)
      .expect(200);
    expect(written.body).toMatchObject({
      status: 'WRITTEN_OFF',
      writtenOff: '20.00',
      recovered: '10.00',
      outstanding: '0.00',
    });
    // The loss is spent again; nothing stays receivable.
    expect(await budget(c, 'OCP_REWARD')).toMatchObject({
      spent: before.spent - 1000,
      receivable: before.receivable,
      available: before.available + 1000,
    });
    await verifyLedger(c);
    const audit = await c.t
      .http()
      .get(`${API}/audit/events?entityType=overpayment_claim&entityId=${opened.id}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'overpayment.claim_opened',
        'overpayment.refunded',
        'overpayment.write_off_proposed',
        'overpayment.written_off',
      ]),
    );
  });

  it('a correction that withdraws the late death closes its claim with nothing recovered', async () => {
    const family = await paidFamily({ complication: false });
    const before = await budget(c, 'OCP_REWARD');
    const event = await death(family.id, family.child, '2012-03-15');
    const [opened] = await claimsOf(c, family.id);
    expect(opened.amount).toBe('30.00');
    // The open claim is in the report of open claims by county, policy and age.
    const report = await c.t
      .http()
      .get(`${API}/reports/overpayments?fiscalYear=2012&countyCode=${COUNTY}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(report.body.items).toEqual([
      {
        countyCode: COUNTY,
        policyCode: 'OCP_REWARD',
        ageDays: '0-30',
        claims: 1,
        amount: '30.00',
        recovered: '0.00',
        reserved: '0.00',
        outstanding: '30.00',
      },
    ]);
    await c.t
      .http()
      .post(`${API}/households/${family.id}/events`)
      .set('Authorization', c.clerk.auth)
      .send({ type: 'CORRECTION', date: '2012-09-01', data: { withdrawsEventId: event.body.id, reason: '误报死亡' } })
      .expect(201);
    const closed = await claim(c, opened.id);
    expect(closed).toMatchObject({ status: 'WITHDRAWN', amount: '0.00', recovered: '0.00', writtenOff: '0.00' });
    expect(closed.lines.every((l) => l.withdrawnAt !== null)).toBe(true);
    expect(await budget(c, 'OCP_REWARD')).toEqual(before);
    await verifyLedger(c);
  });

  it('a concurrent offset and refund of one claim never recover more than it is owed', async () => {
    const family = await paidFamily({ complication: true });
    await death(family.id, family.child, '2011-12-20');
    const [opened] = await claimsOf(c, family.id);
    expect(opened.amount).toBe('60.00');
    const [batch, refund] = await Promise.all([
      generate(c, 'COMPLICATION_SUPPORT', '2012-09'),
      c.t
        .http()
        .post(`${API}/overpayments/${opened.id}/refunds`)
        .set('Authorization', c.finance.auth)
        .send({ amount: '60.00', receiptNo: 'RACE-1', date: '2012-09-20' }),
    ]);
    const line = (await lineOf(c, batch.id, family.id))!;
    const after = await claim(c, opened.id);
    if (refund.status === 201) {
      // The refund came first: nothing left to offset, the line pays its gross.
      expect(line).toMatchObject({ offsetAmount: '0.00', amount: line.grossAmount });
      expect(after).toMatchObject({ recovered: '60.00', reserved: '0.00', status: 'RECOVERED' });
    } else {
      // The offset came first: the refund of the whole amount is refused.
      expect(refund.status).toBe(409);
      expect(line.offsetAmount).toBe('60.00');
      expect(after).toMatchObject({ recovered: '0.00', reserved: '60.00' });
    }
    expect(fen(after.recovered) + fen(after.reserved)).toBeLessThanOrEqual(fen(after.amount));
    expect(await budget(c, 'COMPLICATION_SUPPORT')).toBeDefined();
    await verifyLedger(c);
  });

  it('the city-wide re-check finds what a bulk correction made not owed, and a second run finds nothing new', async () => {
    const family = await paidFamily({ complication: false });
    const before = await budget(c, 'OCP_REWARD');
    // A bulk correction written straight to the register (no life event, so no listener ran).
    await c.t.dataSource.query(`UPDATE persons SET death_date = '2012-04-10' WHERE id = $1`, [family.child]);
    expect(await claimsOf(c, family.id)).toEqual([]);
    const recheck = async () => {
      const started = await c.t
        .http()
        .post(`${API}/overpayments/recheck`)
        .set('Authorization', c.finance.auth)
        .send({ regionCode: COUNTY })
        .expect(202);
      const job = await c.t.waitForJob(started.body.jobId, c.finance);
      expect(job).toMatchObject({ state: 'completed' });
      return { jobId: started.body.jobId as string, result: job.result as Record<string, unknown> };
    };
    const first = await recheck();
    expect(first.result).toMatchObject({ regionCode: COUNTY, periods: 2, amount: '20.00' });
    const [found] = await claimsOf(c, family.id);
    expect(found).toMatchObject({ status: 'OPEN', amount: '20.00' });
    expect(found.lines.map((l) => [l.period, (l as { causeJobId?: string }).causeJobId])).toEqual([
      ['2012-05', first.jobId],
      ['2012-06', first.jobId],
    ]);
    expect(await budget(c, 'OCP_REWARD')).toMatchObject({
      spent: before.spent - 2000,
      receivable: before.receivable + 2000,
    });
    const second = await recheck();
    expect(second.result).toMatchObject({ periods: 0, amount: '0.00' });
    expect((await claimsOf(c, family.id))[0].amount).toBe('20.00');
    await verifyLedger(c);
  });
});
