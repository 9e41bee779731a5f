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
  type LineItem,
} from '../support/cycle.js';
import { accountNo, ensureVillage } from '../support/fixtures.js';

const VILLAGE = '410122101203';
const COUNTY = '410122';

interface Claim {
  id: string;
  householdId: string;
  status: string;
  amount: string;
  recovered: string;
  reserved: string;
  outstanding: string;
  writeOff: { reason: string | null; proposedBy: string | null; proposedByUsername: string | null };
  lines: { period: string }[];
  recoveries: { kind: string; status: string; amount: string }[];
  history: {
    action: string;
    actorUsername: string | null;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }[];
}

interface Line extends LineItem {
  householdId: string;
  grossAmount: string;
  offsetAmount: string;
}

/**
 * Rejecting a proposed write-off (the checker of the maker-checker pair), a proposal made stale by
 * a change of the amount outstanding, and the lock order of claims: operations that lock the same
 * claims in opposite orders all complete (SPEC.md "Overpayments and recovery"; docs/domain.md).
 */
describe('overpayments: write-off rejection, stale proposals and the lock order of claims (e2e)', () => {
  let c: Cycle;
  let finance2: SignedInUser;
  let seq = 0;

  /** A certified one-child family whose OCP_REWARD for January to June 2012 (60.00) is paid and settled. */
  async function paidFamily(complication = false) {
    seq += 1;
    return oneChildFamily(c, { householdNo: `WL${seq}`, regionCode: VILLAGE, seed: 500 + seq, complication });
  }

  async function payOcp() {
    const batch = await generate(c, 'OCP_REWARD', '2012-06');
    await approveAndExport(c, batch.id);
    expect((await importResults(c, batch.id, resultFile(await lines(c, batch.id)))).status).toBe(200);
  }

  const death = (householdId: string, personId: string, date: string) => recordDeath(c, householdId, personId, date);

  async function claimOf(householdId: string): Promise<Claim> {
    const list = await c.t.http().get(`${API}/overpayments?limit=500`).set('Authorization', c.auditor.auth).expect(200);
    const found = (list.body.items as Claim[]).filter((x) => x.householdId === householdId);
    expect(found).toHaveLength(1);
    return claim(found[0].id);
  }

  async function claim(id: string): Promise<Claim> {
    return (await c.t.http().get(`${API}/overpayments/${id}`).set('Authorization', c.finance.auth).expect(200))
      .body as Claim;
  }

  const writeOff = (id: string, step: '' | '/approve' | '/reject', user: SignedInUser, body: object = {}) =>
    c.t.http().post(`${API}/overpayments/${id}/write-off${step}`).set('Authorization', user.auth).send(body);

  async function verifyLedger() {
    const response = await c.t.http().get(`${API}/ledger/verify`).set('Authorization', c.auditor.auth).expect(200);
    expect(response.body.ok).toBe(true);
  }

  /**
   * Holds a claim's row lock in a transaction of its own while `start` begins operations, until
   * `waiting` backends of this database wait for a lock (so the operations are really in flight
   * together), then lets go and answers what they answered.
   */
  async function whileClaimLocked<T>(claimId: string, waiting: number, start: () => Promise<T>[]): Promise<T[]> {
    const holder = c.t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM overpayment_claims WHERE id = $1 FOR UPDATE`, [claimId]);
      const running = start();
      let blocked = 0;
      for (let poll = 0; poll < 2000 && blocked < waiting; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const [row] = await c.t.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        blocked = row.n;
      }
      expect(blocked).toBe(waiting);
      await holder.rollbackTransaction();
      return await Promise.all(running);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  }

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    finance2 = await c.t.signIn('FINANCE', COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE);
    await appropriate(c, 2012, 'OCP_REWARD', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });
    await appropriate(c, 2012, 'COMPLICATION_SUPPORT', { MUNICIPAL: '5000.00', COUNTY: '5000.00' });
  });
  afterAll(() => c.t?.close());

  it('a FINANCE user other than the proposer rejects a proposed write-off with a reason; the claim collects again', async () => {
    const family = await paidFamily();
    await payOcp();
    await death(family.id, family.child, '2012-03-15');
    const opened = await claimOf(family.id);
    expect(opened).toMatchObject({ status: 'OPEN', amount: '30.00' });

    expect((await writeOff(opened.id, '/reject', finance2, { reason: '未提议' }).expect(409)).body.code).toBe(
      'INVALID_STATE_TRANSITION',
    );
    await writeOff(opened.id, '', c.finance, { reason: '家庭困难，无力退还' }).expect(200);
    const proposed = await claim(opened.id);
    expect(proposed.writeOff).toMatchObject({ reason: '家庭困难，无力退还', proposedByUsername: c.finance.username });

    // The proposer can neither approve nor reject; an officer cannot reject; a reason is required.
    expect((await writeOff(opened.id, '/reject', c.finance, { reason: '撤回' }).expect(403)).body.code).toBe(
      'SELF_APPROVAL_FORBIDDEN',
    );
    await writeOff(opened.id, '/reject', c.officer, { reason: '不同意' }).expect(403);
    const noReason = await writeOff(opened.id, '/reject', finance2, { reason: '' }).expect(400);
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    expect(await claim(opened.id)).toMatchObject({ status: 'WRITE_OFF_PROPOSED' });

    const rejected = await writeOff(opened.id, '/reject', finance2, { reason: '户内尚有收入，应继续抵扣' }).expect(200);
    expect(rejected.body).toMatchObject({
      status: 'OPEN',
      outstanding: '30.00',
      writeOff: { reason: null, proposedBy: null },
    });
    const steps = (rejected.body as Claim).history.map((e) => e.action);
    expect(steps).toEqual([
      'overpayment.claim_opened',
      'overpayment.write_off_proposed',
      'overpayment.write_off_rejected',
    ]);
    expect((rejected.body as Claim).history[2]).toMatchObject({
      actorUsername: finance2.username,
      before: { status: 'WRITE_OFF_PROPOSED', reason: '家庭困难，无力退还', proposedBy: c.finance.id },
      after: { status: 'OPEN', rejectReason: '户内尚有收入，应继续抵扣' },
    });
    await writeOff(opened.id, '/approve', finance2).expect(409);

    // A refund, a new proposal by the other user, approved by the first: written off.
    await c.t
      .http()
      .post(`${API}/overpayments/${opened.id}/refunds`)
      .set('Authorization', c.finance.auth)
      .send({ amount: '5.00', receiptNo: 'WL-R1', date: '2012-09-01' })
      .expect(201);
    await writeOff(opened.id, '', finance2, { reason: '无力退还' }).expect(200);
    const rejectedAgain = await writeOff(opened.id, '/reject', c.finance, { reason: '再议' }).expect(200);
    expect(rejectedAgain.body).toMatchObject({ status: 'RECOVERING' });
    await writeOff(opened.id, '', finance2, { reason: '无力退还' }).expect(200);
    const written = await writeOff(opened.id, '/approve', c.finance).expect(200);
    expect(written.body).toMatchObject({
      status: 'WRITTEN_OFF',
      recovered: '5.00',
      writtenOff: '25.00',
      writeOff: { proposedByUsername: finance2.username, approvedByUsername: c.finance.username },
    });
    await verifyLedger();
  });

  it('a proposal for an amount that changed is withdrawn: new overpaid periods joining the claim reopen it', async () => {
    const family = await paidFamily();
    await payOcp();
    await death(family.id, family.child, '2012-05-15');
    const opened = await claimOf(family.id);
    expect(opened).toMatchObject({ status: 'OPEN', amount: '10.00' });
    await writeOff(opened.id, '', c.finance, { reason: '金额较小' }).expect(200);

    // A bulk correction (straight to the register) moves the death to March; the re-check finds April and May.
    await c.t.dataSource.query(`UPDATE persons SET death_date = '2012-03-10' WHERE id = $1`, [family.child]);
    const started = await c.t
      .http()
      .post(`${API}/overpayments/recheck`)
      .set('Authorization', c.finance.auth)
      .send({ regionCode: COUNTY })
      .expect(202);
    expect(await c.t.waitForJob(started.body.jobId, c.finance)).toMatchObject({ state: 'completed' });

    const grown = await claim(opened.id);
    expect(grown).toMatchObject({
      status: 'OPEN',
      amount: '30.00',
      outstanding: '30.00',
      writeOff: { reason: null, proposedBy: null },
    });
    expect(grown.lines.map((l) => l.period).sort()).toEqual(['2012-04', '2012-05', '2012-06']);
    const withdrawn = grown.history.find((e) => e.action === 'overpayment.write_off_withdrawn');
    expect(withdrawn).toMatchObject({
      actorUsername: null,
      before: { status: 'WRITE_OFF_PROPOSED', reason: '金额较小', outstanding: '10.00' },
      after: { status: 'OPEN', outstanding: '30.00', why: 'OUTSTANDING_CHANGED', cause: 'overpayment.periods_added' },
    });
    // The stale proposal cannot be approved; a new one for the new amount can.
    expect((await writeOff(opened.id, '/approve', finance2).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    await writeOff(opened.id, '', c.finance, { reason: '家庭困难' }).expect(200);
    expect((await writeOff(opened.id, '/approve', finance2).expect(200)).body).toMatchObject({
      status: 'WRITTEN_OFF',
      writtenOff: '30.00',
    });
    await verifyLedger();
  });

  it('two bank-result imports reversing offsets of the same two claims in opposite orders both complete, as does a refund beside them', async () => {
    const one = await paidFamily(true);
    const two = await paidFamily(true);
    await payOcp();
    await death(one.id, one.child, '2011-12-20');
    await death(two.id, two.child, '2011-12-20');
    const claims = [await claimOf(one.id), await claimOf(two.id)];
    for (const x of claims) expect(x).toMatchObject({ status: 'OPEN', amount: '60.00' });
    // 5% of each line is kept back, so both claims are offset by two batches at once.
    const policy = await c.t.http().get(`${API}/policies/COMPLICATION_SUPPORT`).set('Authorization', c.admin.auth);
    const version = policy.body.versions[0];
    await c.t
      .http()
      .put(`${API}/policies/COMPLICATION_SUPPORT/versions/${version.id}`)
      .set('Authorization', c.admin.auth)
      .send({ rule: version.rule, amount: version.amount, fundingShares: version.fundingShares, offsetShare: '0.05' })
      .expect(200);

    const july = await generate(c, 'COMPLICATION_SUPPORT', '2012-07');
    await approveAndExport(c, july.id);
    const august = await generate(c, 'COMPLICATION_SUPPORT', '2012-08');
    await approveAndExport(c, august.id);
    const julyLines = (await lines(c, july.id)) as Line[];
    const augustLines = (await lines(c, august.id)) as Line[];
    for (const line of [...julyLines, ...augustLines]) expect(Number(line.offsetAmount)).toBeGreaterThan(0);
    expect(julyLines.map((l) => l.offsetAmount)).toEqual(['35.00', '35.00']);
    expect(augustLines.map((l) => l.offsetAmount)).toEqual(['5.00', '5.00']);
    for (const x of claims) expect(await claim(x.id)).toMatchObject({ recovered: '40.00', status: 'RECOVERING' });

    // The bank fails every line: July's file names the families one way round, August's the other.
    const failAll = (items: Line[]) => resultFile(items, () => true);
    const [lower] = claims.map((x) => x.id).sort();
    const imports = await whileClaimLocked(lower, 2, () => [
      importResults(c, july.id, failAll(julyLines)).then((r) => r),
      importResults(c, august.id, failAll([...augustLines].reverse())).then((r) => r),
    ]);
    expect(imports.map((r) => [r.status, r.body.failed])).toEqual([
      [200, 2],
      [200, 2],
    ]);
    for (const x of claims) {
      const reversed = await claim(x.id);
      expect(reversed).toMatchObject({ status: 'OPEN', recovered: '0.00', reserved: '0.00', outstanding: '60.00' });
      expect(reversed.recoveries.map((r) => r.status)).toEqual(['REVERSED', 'REVERSED']);
    }
    await verifyLedger();

    // A refund (the ledger's head, then the claim) beside an import that reverses both claims'
    // offsets (the head, then the claims in id order): the same order, so neither waits on the other's lock.
    // The clerk fixes both accounts, so that September pays the failed months again.
    for (const [index, family] of [one, two].entries()) {
      await c.t
        .http()
        .put(`${API}/households/${family.id}/bank-account`)
        .set('Authorization', c.clerk.auth)
        .send({ bankCode: '102', accountNo: accountNo(900 + index), holderPersonId: family.head })
        .expect(200);
    }
    const september = await generate(c, 'COMPLICATION_SUPPORT', '2012-09');
    await approveAndExport(c, september.id);
    const septemberLines = (await lines(c, september.id)) as Line[];
    expect(septemberLines.map((l) => l.offsetAmount)).toEqual(['45.00', '45.00']);
    const [refund, settled] = await whileClaimLocked(lower, 2, () => [
      c.t
        .http()
        .post(`${API}/overpayments/${lower}/refunds`)
        .set('Authorization', finance2.auth)
        .send({ amount: '1.00', receiptNo: 'WL-LOCK-1', date: '2012-09-20' })
        .then((r) => r),
      importResults(c, september.id, failAll([...septemberLines].reverse())).then((r) => r),
    ]);
    expect([refund.status, settled.status]).toEqual([201, 200]);
    expect(await claim(lower)).toMatchObject({ recovered: '1.00', reserved: '0.00', outstanding: '59.00' });
    await verifyLedger();
  });
});
