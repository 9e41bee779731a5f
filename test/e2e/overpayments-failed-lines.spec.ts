import { API, createTestApp } from '../support/app.js';
import {
  appropriate,
  approveAndExport,
  enrollAndActivate,
  generate,
  importResults,
  lines,
  resultFile,
  signInCycle,
  type Cycle,
  type LineItem,
} from '../support/cycle.js';
import { accountNo, ensureVillage, registerHousehold } from '../support/fixtures.js';

const VILLAGE = '410122101202';
const COUNTY = '410122';
const fen = (v: string) => Math.round(Number(v) * 100);

interface Line extends LineItem {
  householdId: string;
  grossAmount: string;
  offsetAmount: string;
}

interface Claim {
  id: string;
  status: string;
  amount: string;
  recovered: string;
  reserved: string;
  outstanding: string;
  closedAt: string | null;
  recoveries: { kind: string; status: string; amount: string; lineId: string | null }[];
}

/**
 * SPEC.md "Overpayments and recovery": an offset that the bank's failure kept from the household is
 * not a recovery; the claim and the budgets go back to where they were, and the batch that pays the
 * months again offsets again, at most the policy version's offset share of each line.
 */
describe('overpayments: offsets on lines the bank fails, and the version offset share (e2e)', () => {
  let c: Cycle;

  /** The budget figures of a policy for 2012 in fen, after checking each line's identity. */
  async function budget(policyCode: string) {
    const response = await c.t
      .http()
      .get(`${API}/budgets?fiscalYear=2012&countyCode=${COUNTY}&policyCode=${policyCode}`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    const items = response.body.items as Record<string, string>[];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(fen(item.appropriated)).toBe(
        fen(item.committed) + fen(item.spent) + fen(item.available) + fen(item.receivable),
      );
    }
    const byLevel = Object.fromEntries(
      items.map((i) => [i.fundingLevel, [i.committed, i.spent, i.available, i.receivable].map(fen)]),
    );
    const total = (field: string) => items.reduce((sum, i) => sum + fen(i[field]), 0);
    return {
      committed: total('committed'),
      spent: total('spent'),
      available: total('available'),
      receivable: total('receivable'),
      byLevel,
    };
  }

  async function verifyLedger() {
    const response = await c.t.http().get(`${API}/ledger/verify`).set('Authorization', c.auditor.auth).expect(200);
    expect(response.body.ok).toBe(true);
  }

  async function claim(id: string): Promise<Claim> {
    return (await c.t.http().get(`${API}/overpayments/${id}`).set('Authorization', c.finance.auth).expect(200))
      .body as Claim;
  }

  async function lineOf(batchId: string, householdId: string): Promise<Line> {
    return ((await lines(c, batchId)) as Line[]).find((line) => line.householdId === householdId)!;
  }

  async function settle(batchId: string, failed: (line: Line) => boolean = () => false) {
    const items = (await lines(c, batchId)) as Line[];
    const settled = await importResults(
      c,
      batchId,
      resultFile(items, (line) => failed(line as Line)),
    );
    expect(settled.status).toBe(200);
    expect(settled.body.batch.status).toBe('SETTLED');
    return settled.body as { paid: number; failed: number };
  }

  /**
   * A certified one-child family (registered as OPF<n>) enrolled in OCP_REWARD and, for the mother's
   * grade-3 surgery complication, COMPLICATION_SUPPORT (100.00 a month).
   */
  async function supportedFamily(n: number) {
    const h = await registerHousehold(c.t, c.clerk, {
      householdNo: `OPF${n}`,
      regionCode: VILLAGE,
      bankAccountSeed: 700 + n,
      hukouType: 'URBAN',
      certificate: { certificateNo: `OPF-C${n}`, issuedOn: '2009-03-01' },
      members: [
        { name: `母${n}`, relation: 'HEAD', birthDate: '1975-04-01', sex: 'F', complicationGrade: 3 },
        { name: `父${n}`, relation: 'SPOUSE', birthDate: '1973-02-01', sex: 'M' },
        { name: `子${n}`, relation: 'CHILD', birthDate: '2009-02-01', sex: 'M', birthOrder: 1 },
      ],
    });
    await enrollAndActivate(c, h.id, 'OCP_REWARD');
    await enrollAndActivate(c, h.id, 'COMPLICATION_SUPPORT', h.members[0].personId);
    return h;
  }

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE);
    await appropriate(c, 2012, 'OCP_REWARD', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });
    await appropriate(c, 2012, 'COMPLICATION_SUPPORT', { MUNICIPAL: '5000.00', COUNTY: '5000.00' });
  });
  afterAll(() => c.t?.close());

  it('a version sets its offset share ("0.00" to "1.00", default "0.50"); anything else is refused and changes nothing', async () => {
    const policy = await c.t
      .http()
      .get(`${API}/policies/COMPLICATION_SUPPORT`)
      .set('Authorization', c.admin.auth)
      .expect(200);
    const version = policy.body.versions[0];
    expect(version.offsetShare).toBe('0.50');
    const amend = (offsetShare: unknown) =>
      c.t
        .http()
        .put(`${API}/policies/COMPLICATION_SUPPORT/versions/${version.id}`)
        .set('Authorization', c.admin.auth)
        .send({ rule: version.rule, amount: version.amount, fundingShares: version.fundingShares, offsetShare });
    for (const bad of ['1.01', '-0.10', '0.255', 'half', 0.25]) {
      const refused = await amend(bad).expect(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'offsetShare' })]);
    }
    const amended = await amend('0.25').expect(200);
    expect(amended.body.offsetShare).toBe('0.25');
    // Amending without it keeps the share.
    const kept = await c.t
      .http()
      .put(`${API}/policies/COMPLICATION_SUPPORT/versions/${version.id}`)
      .set('Authorization', c.admin.auth)
      .send({ rule: version.rule, amount: version.amount, fundingShares: version.fundingShares })
      .expect(200);
    expect(kept.body.offsetShare).toBe('0.25');
  });

  it('a failed line gives its offset back to the claim and the budgets; the reissue offsets again (25% of a line) and settles', async () => {
    const h = await supportedFamily(1);
    // January to June paid: OCP_REWARD 60.00, COMPLICATION_SUPPORT 600.00.
    for (const policyCode of ['OCP_REWARD', 'COMPLICATION_SUPPORT']) {
      const batch = await generate(c, policyCode, '2012-06');
      await approveAndExport(c, batch.id);
      await settle(batch.id);
    }
    const received: Line[] = [];

    // The only child died on 20 December 2011: the six OCP_REWARD months were not owed.
    await c.t
      .http()
      .post(`${API}/households/${h.id}/events`)
      .set('Authorization', c.clerk.auth)
      .send({ type: 'DEATH', personId: h.members[2].personId, date: '2011-12-20' })
      .expect(201);
    const claims = await c.t.http().get(`${API}/overpayments?limit=50`).set('Authorization', c.finance.auth);
    const opened = (claims.body.items as (Claim & { householdId: string })[]).find((x) => x.householdId === h.id)!;
    expect(opened).toMatchObject({ status: 'OPEN', amount: '60.00', recovered: '0.00', outstanding: '60.00' });
    const ocpOpen = await budget('OCP_REWARD');
    const supportOpen = await budget('COMPLICATION_SUPPORT');
    await verifyLedger();

    // July: the version's share is 25%: 25.00 of the 100.00 kept back, 75.00 to the bank.
    const july = await generate(c, 'COMPLICATION_SUPPORT', '2012-07');
    const julyLine = await lineOf(july.id, h.id);
    expect(julyLine).toMatchObject({
      periods: ['2012-07'],
      grossAmount: '100.00',
      offsetAmount: '25.00',
      amount: '75.00',
    });
    await approveAndExport(c, july.id);
    expect(await claim(opened.id)).toMatchObject({ status: 'RECOVERING', recovered: '25.00', outstanding: '35.00' });
    expect((await budget('OCP_REWARD')).available).toBe(ocpOpen.available + 2500);
    await verifyLedger();

    // The bank fails the line: the 75.00 never reached the family, nor did the 25.00 offset.
    expect(await settle(july.id, (line) => line.id === julyLine.id)).toMatchObject({ failed: 1 });
    const reversed = await claim(opened.id);
    expect(reversed).toMatchObject({
      status: 'OPEN',
      amount: '60.00',
      recovered: '0.00',
      reserved: '0.00',
      outstanding: '60.00',
      closedAt: null,
    });
    expect(reversed.recoveries.map((r) => [r.kind, r.status, r.amount, r.lineId])).toEqual([
      ['OFFSET', 'REVERSED', '25.00', julyLine.id],
    ]);
    // Both budgets are exactly as before the offset, on every funding level.
    expect(await budget('OCP_REWARD')).toEqual(ocpOpen);
    expect(await budget('COMPLICATION_SUPPORT')).toEqual(supportOpen);
    await verifyLedger();
    const audit = await c.t
      .http()
      .get(`${API}/audit/events?entityType=overpayment_claim&entityId=${opened.id}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect((audit.body.items as { action: string }[]).map((e) => e.action)).toContain('overpayment.offset_reversed');

    // The clerk fixes the account; August pays July again with August: 200.00 gross, 25% (50.00) offset.
    await c.t
      .http()
      .put(`${API}/households/${h.id}/bank-account`)
      .set('Authorization', c.clerk.auth)
      .send({ bankCode: '102', accountNo: accountNo(801), holderPersonId: h.members[0].personId })
      .expect(200);
    const august = await generate(c, 'COMPLICATION_SUPPORT', '2012-08');
    const augustLine = await lineOf(august.id, h.id);
    expect(augustLine).toMatchObject({
      periods: ['2012-07', '2012-08'],
      grossAmount: '200.00',
      offsetAmount: '50.00',
      amount: '150.00',
    });
    await approveAndExport(c, august.id);
    await settle(august.id);
    received.push(await lineOf(august.id, h.id));
    expect(await claim(opened.id)).toMatchObject({ status: 'RECOVERING', recovered: '50.00', outstanding: '10.00' });
    await verifyLedger();

    // September: the last 10.00.
    const september = await generate(c, 'COMPLICATION_SUPPORT', '2012-09');
    expect(await lineOf(september.id, h.id)).toMatchObject({ grossAmount: '100.00', offsetAmount: '10.00' });
    await approveAndExport(c, september.id);
    await settle(september.id);
    received.push(await lineOf(september.id, h.id));
    const recovered = await claim(opened.id);
    expect(recovered).toMatchObject({ status: 'RECOVERED', recovered: '60.00', outstanding: '0.00' });
    expect(recovered.recoveries.map((r) => [r.status, r.amount])).toEqual([
      ['REVERSED', '25.00'],
      ['DONE', '50.00'],
      ['DONE', '10.00'],
    ]);

    // July to September owed 300.00: the family received 240.00 and 60.00 was recovered from it.
    expect(received.map((line) => line.status)).toEqual(['PAID', 'PAID']);
    const paid = received.reduce((sum, line) => sum + fen(line.amount), 0);
    expect(paid + fen(recovered.recovered)).toBe(30000);
    expect(paid).toBe(24000);
    // OCP_REWARD has its 60.00 back; COMPLICATION_SUPPORT spent the 300.00 owed, nothing more.
    const ocpEnd = await budget('OCP_REWARD');
    expect(ocpEnd).toMatchObject({
      receivable: ocpOpen.receivable - 6000,
      available: ocpOpen.available + 6000,
      spent: ocpOpen.spent,
      committed: ocpOpen.committed,
    });
    const supportEnd = await budget('COMPLICATION_SUPPORT');
    expect(supportEnd).toMatchObject({
      committed: supportOpen.committed,
      spent: supportOpen.spent + 30000,
      available: supportOpen.available - 30000,
    });
    await verifyLedger();
  });
  it('a reopened claim takes in the claim opened meanwhile for the same beneficiary and policy (one collects)', async () => {
    const h = await supportedFamily(2);
    const child = h.members[2].personId;
    const ocp = await generate(c, 'OCP_REWARD', '2012-07');
    expect(await lineOf(ocp.id, h.id)).toMatchObject({ amount: '70.00' });
    await approveAndExport(c, ocp.id);
    await settle(ocp.id);
    const event = (type: string, body: object) =>
      c.t
        .http()
        .post(`${API}/households/${h.id}/events`)
        .set('Authorization', c.clerk.auth)
        .send({ type, ...body })
        .expect(201);
    const claimsNow = async () =>
      (
        (await c.t.http().get(`${API}/overpayments?limit=50`).set('Authorization', c.finance.auth).expect(200)).body
          .items as (Claim & { householdId: string; lines: { period: string }[] })[]
      ).filter((x) => x.householdId === h.id);

    // A death in mid-June: July was not owed (10.00), recovered whole by October's offset.
    const death = await event('DEATH', { personId: child, date: '2012-06-15' });
    const [first] = await claimsNow();
    expect(first).toMatchObject({ amount: '10.00', status: 'OPEN' });
    const ocpOpen = await budget('OCP_REWARD');
    const october = await generate(c, 'COMPLICATION_SUPPORT', '2012-10');
    const octoberLine = await lineOf(october.id, h.id);
    expect(octoberLine).toMatchObject({ grossAmount: '1000.00', offsetAmount: '10.00', amount: '990.00' });
    await approveAndExport(c, october.id);
    expect(await claim(first.id)).toMatchObject({ status: 'RECOVERED', recovered: '10.00' });

    // The death was in April after all: May and June open a second claim (the first had closed).
    await event('CORRECTION', {
      date: '2012-10-20',
      data: { withdrawsEventId: death.body.id, reason: '死亡日期有误' },
    });
    await event('DEATH', { personId: child, date: '2012-04-15' });
    const second = (await claimsNow()).find((x) => x.id !== first.id)!;
    expect(second).toMatchObject({ amount: '20.00', status: 'OPEN' });

    // The bank fails October's line: the first claim is owed its 10.00 again and takes in the second.
    await settle(october.id, (line) => line.id === octoberLine.id);
    const merged = await claim(first.id);
    expect(merged).toMatchObject({ status: 'OPEN', amount: '30.00', recovered: '0.00', outstanding: '30.00' });
    expect((merged as unknown as { lines: { period: string }[] }).lines.map((l) => l.period).sort()).toEqual([
      '2012-05',
      '2012-06',
      '2012-07',
    ]);
    expect(await claim(second.id)).toMatchObject({ status: 'WITHDRAWN', amount: '0.00', outstanding: '0.00' });
    // Everything paid and not owed (May to July) is receivable again; nothing else moved.
    const ocpNow = await budget('OCP_REWARD');
    expect(ocpNow).toMatchObject({
      receivable: ocpOpen.receivable + 2000,
      available: ocpOpen.available,
      spent: ocpOpen.spent - 2000,
    });
    await verifyLedger();
  });
});
