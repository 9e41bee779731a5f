import { parse } from 'csv-parse/sync';
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
} from '../support/cycle.js';
import { accountNo, ensureVillage, registerHousehold } from '../support/fixtures.js';

const VILLAGE = '410122101201';
const COUNTY = '410122';

async function budget(c: Cycle, fiscalYear: number, policyCode: string) {
  const response = await c.t
    .http()
    .get(`${API}/budgets?fiscalYear=${fiscalYear}&countyCode=${COUNTY}`)
    .set('Authorization', c.finance.auth)
    .expect(200);
  const items = (response.body.items as Record<string, string>[]).filter((i) => i.policyCode === policyCode);
  for (const item of items) {
    // The invariant every figure must keep.
    const cents = (v: string) => Math.round(Number(v) * 100);
    expect(cents(item.appropriated)).toBe(cents(item.committed) + cents(item.spent) + cents(item.available));
  }
  const total = (field: string) => items.reduce((sum, i) => sum + Math.round(Number(i[field]) * 100), 0) / 100;
  return { committed: total('committed'), spent: total('spent'), available: total('available'), items };
}

async function verifyLedger(c: Cycle) {
  const response = await c.t.http().get(`${API}/ledger/verify`).set('Authorization', c.auditor.auth).expect(200);
  expect(response.body.ok).toBe(true);
}

describe('the whole payment cycle (e2e)', () => {
  let c: Cycle;

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE);
  });
  afterAll(() => c.t?.close());

  it('pays RURAL_REWARD 2012 from enrollment to settlement, and reissues a failed line after the account is fixed', async () => {
    const family = (no: string, fatherBorn: string, motherBorn: string, seed?: number) =>
      registerHousehold(c.t, c.clerk, {
        householdNo: no,
        regionCode: VILLAGE,
        bankAccountSeed: seed,
        members: [
          { name: `${no}父`, relation: 'HEAD', birthDate: fatherBorn, sex: 'M' },
          { name: `${no}母`, relation: 'SPOUSE', birthDate: motherBorn, sex: 'F' },
          { name: `${no}子`, relation: 'CHILD', birthDate: '1980-05-05', sex: 'M', birthOrder: 1 },
        ],
      });
    const a = await family('A001', '1952-03-10', '1972-05-01', 1); // father turns 60 in 2012; mother is 54 today
    const b = await family('B001', '1952-07-01', '1950-02-01', 2); // both parents 60+
    const x = await family('C001', '1951-01-01', '1958-01-01'); // no bank account
    const parent = (h: typeof a, relation: string) => h.members.find((m) => m.relation === relation)!.personId;

    await enrollAndActivate(c, a.id, 'RURAL_REWARD', parent(a, 'HEAD'));
    await enrollAndActivate(c, b.id, 'RURAL_REWARD', parent(b, 'HEAD'));
    await enrollAndActivate(c, b.id, 'RURAL_REWARD', parent(b, 'SPOUSE'));
    await enrollAndActivate(c, x.id, 'RURAL_REWARD', parent(x, 'HEAD'));
    // A's mother is not 60 yet: she does not qualify and cannot be submitted.
    const young = await c.t
      .http()
      .post(`${API}/enrollments`)
      .set('Authorization', c.clerk.auth)
      .send({ householdId: a.id, policyCode: 'RURAL_REWARD', beneficiaryPersonId: parent(a, 'SPOUSE') })
      .expect(201);
    const refused = await c.t
      .http()
      .post(`${API}/enrollments/${young.body.id}/submit`)
      .set('Authorization', c.clerk.auth);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('NOT_ELIGIBLE');

    await appropriate(c, 2012, 'RURAL_REWARD', {
      CENTRAL: '5000.00',
      PROVINCIAL: '3000.00',
      MUNICIPAL: '1000.00',
      COUNTY: '1000.00',
    });
    expect(await budget(c, 2012, 'RURAL_REWARD')).toMatchObject({ committed: 0, spent: 0, available: 10000 });

    const first = await generate(c, 'RURAL_REWARD', '2012');
    expect(first).toMatchObject({
      status: 'GENERATED',
      lineCount: 3,
      totalAmount: '2880.00',
      policyCode: 'RURAL_REWARD',
      period: '2012',
    });
    expect(first.exceptions).toEqual([
      {
        householdId: x.id,
        personId: parent(x, 'HEAD'),
        reasonCode: 'NO_BANK_ACCOUNT',
        reason: 'NO_BANK_ACCOUNT: 户内无一卡通账户',
      },
    ]);

    // The officer who submits can never approve (and is not FINANCE anyway); FINANCE approves once.
    const csv = await approveAndExport(c, first.id);
    expect(await budget(c, 2012, 'RURAL_REWARD')).toMatchObject({ committed: 2880, spent: 0, available: 7120 });
    await verifyLedger(c);

    const again = await c.t
      .http()
      .get(`${API}/disbursement-batches/${first.id}/bank-file`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    expect(again.text).toBe(csv);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([
      'line_no',
      'batch_no',
      'account_no',
      'account_name',
      'id_number',
      'amount',
      'policy_code',
      'period',
    ]);
    expect(rows.map((r) => r.amount)).toEqual(['960.00', '960.00', '960.00']);

    const firstLines = await lines(c, first.id);
    // Only finance sees account numbers in full.
    const officerView = await c.t
      .http()
      .get(`${API}/disbursement-batches/${first.id}/lines`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    expect(officerView.body.items[0].accountNo).toMatch(/^622202\*+\d\d$/);
    const bMother = firstLines.find((l) => l.personId === parent(b, 'SPOUSE'))!;
    const resultCsv = resultFile(firstLines, (l) => l.id === bMother.id);
    const settled = await importResults(c, first.id, resultCsv).expect(200);
    expect(settled.body).toMatchObject({ paid: 2, failed: 1, batch: { status: 'SETTLED' } });
    expect(await budget(c, 2012, 'RURAL_REWARD')).toMatchObject({ committed: 0, spent: 1920, available: 8080 });
    await verifyLedger(c);

    // The household page shows the clerk what B was paid and what failed, with the bank's words;
    // a township outside B's region is answered 404, never the payments.
    const paid = await c.t
      .http()
      .get(`${API}/households/${b.id}/payments`)
      .set('Authorization', c.clerk.auth)
      .expect(200);
    expect(paid.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ batchId: first.id, personId: parent(b, 'HEAD'), status: 'PAID', periods: ['2012'] }),
        expect.objectContaining({ batchId: first.id, personId: parent(b, 'SPOUSE'), status: 'FAILED' }),
      ]),
    );
    expect(paid.body.items).toHaveLength(2);
    expect(paid.body.items[0].amount).toMatch(/^\d+\.\d{2}$/);
    const stranger = await c.t.signIn('CLERK', '410122102');
    await c.t.http().get(`${API}/households/${b.id}/payments`).set('Authorization', stranger.auth).expect(404);

    const replay = await importResults(c, first.id, resultCsv).expect(200);
    expect(replay.body).toMatchObject({ paid: 0, failed: 0, unchanged: 3 });
    expect(await budget(c, 2012, 'RURAL_REWARD')).toMatchObject({ committed: 0, spent: 1920, available: 8080 });

    // The failed line is not paid again while the account is unchanged...
    const stale = await generate(c, 'RURAL_REWARD', '2012');
    expect(stale.lineCount).toBe(0);
    expect(stale.exceptions.map((e: { reason: string }) => e.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ACCOUNT_NOT_FIXED/), expect.stringMatching(/NO_BANK_ACCOUNT/)]),
    );
    // ...and is picked up by the next batch once the clerk fixes it.
    await c.t
      .http()
      .put(`${API}/households/${b.id}/bank-account`)
      .set('Authorization', c.clerk.auth)
      .send({ bankCode: '102', accountNo: accountNo(3), holderPersonId: parent(b, 'HEAD') })
      .expect(200);
    const reissue = await generate(c, 'RURAL_REWARD', '2012');
    expect(reissue).toMatchObject({ lineCount: 1, totalAmount: '960.00' });
    const [reissued] = await lines(c, reissue.id);
    expect(reissued).toMatchObject({ personId: parent(b, 'SPOUSE'), accountNo: accountNo(3), periods: ['2012'] });
    await approveAndExport(c, reissue.id);
    await importResults(c, reissue.id, resultFile([reissued])).expect(200);
    expect(await budget(c, 2012, 'RURAL_REWARD')).toMatchObject({ committed: 0, spent: 2880, available: 7120 });
    await verifyLedger(c);
  });

  it('pays a monthly benefit with arrears and never pays a month twice across overlapping batches', async () => {
    const h = await registerHousehold(c.t, c.clerk, {
      householdNo: 'M001',
      regionCode: VILLAGE,
      bankAccountSeed: 10,
      members: [
        { name: '并发症', relation: 'HEAD', birthDate: '1970-01-01', sex: 'F', complicationGrade: 2 },
        { name: '子', relation: 'CHILD', birthDate: '1995-01-01', sex: 'M', birthOrder: 1 },
      ],
    });
    await enrollAndActivate(c, h.id, 'COMPLICATION_SUPPORT', h.members[0].personId);
    await appropriate(c, 2014, 'COMPLICATION_SUPPORT', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });

    const march = await generate(c, 'COMPLICATION_SUPPORT', '2014-03');
    expect(march).toMatchObject({ lineCount: 1, totalAmount: '600.00' });
    expect((await lines(c, march.id))[0].periods).toEqual(['2014-01', '2014-02', '2014-03']);

    // An overlapping batch finds those months claimed and pays nothing.
    const overlap = await generate(c, 'COMPLICATION_SUPPORT', '2014-03');
    expect(overlap.lineCount).toBe(0);
    // April pays April only.
    const april = await generate(c, 'COMPLICATION_SUPPORT', '2014-04');
    expect(april).toMatchObject({ lineCount: 1, totalAmount: '200.00' });

    await approveAndExport(c, march.id);
    expect(await budget(c, 2014, 'COMPLICATION_SUPPORT')).toMatchObject({ committed: 600 });
    await verifyLedger(c);
  });

  it('refuses a bad result file whole, listing every problem', async () => {
    const h = await registerHousehold(c.t, c.clerk, {
      householdNo: 'R001',
      regionCode: VILLAGE,
      bankAccountSeed: 20,
      members: [{ name: '甲', relation: 'HEAD', birthDate: '1960-01-01', sex: 'F', complicationGrade: 1 }],
    });
    await enrollAndActivate(c, h.id, 'COMPLICATION_SUPPORT', h.members[0].personId);
    await appropriate(c, 2015, 'COMPLICATION_SUPPORT', { MUNICIPAL: '500.00', COUNTY: '500.00' });
    const batch = await generate(c, 'COMPLICATION_SUPPORT', '2015-01');
    await approveAndExport(c, batch.id);
    const own = (await lines(c, batch.id)).find((l) => l.personId === h.members[0].personId)!;
    const n = own.lineNo;
    const bad = [
      'line_no,account_no,amount,status,bank_ref,reason',
      `${n},${accountNo(20)},300.01,SUCCESS,R1,`,
      `99,${accountNo(20)},300.00,SUCCESS,R2,`,
      `${n},${accountNo(20)},300.00,SUCCESS,R1,`,
    ].join('\n');
    const refused = await c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/bank-results`)
      .set('Authorization', c.finance.auth)
      .set('Content-Type', 'text/csv')
      .send(bad)
      .expect(422);
    expect(refused.body.code).toBe('BANK_FILE_REJECTED');
    expect(refused.body.problems.map((p: { message: string }) => p.message)).toEqual([
      `第 ${n} 笔：金额 300.01 与应发金额 300.00 不符`,
      '第 99 笔不在本批次中',
      `第 ${n} 笔重复（首次出现在文件第 2 行）`,
    ]);
    // The same file as a multipart upload is refused the same way.
    const multipart = await c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/bank-results`)
      .set('Authorization', c.finance.auth)
      .attach('file', Buffer.from(bad), { filename: 'results.csv', contentType: 'text/csv' })
      .expect(422);
    expect(multipart.body.problems).toHaveLength(3);
    const after = await c.t
      .http()
      .get(`${API}/disbursement-batches/${batch.id}`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    expect(after.body.status).toBe('EXPORTED');
    expect((await lines(c, batch.id)).every((l) => l.status === 'PENDING')).toBe(true);

    // A good file, uploaded as multipart, settles the batch.
    const good = [
      'line_no,account_no,amount,status,bank_ref,reason',
      ...(await lines(c, batch.id)).map((l) => `${l.lineNo},${l.accountNo},${l.amount},SUCCESS,OK${l.lineNo},`),
    ].join('\n');
    const settled = await c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/bank-results`)
      .set('Authorization', c.finance.auth)
      .attach('file', Buffer.from(good), { filename: 'results.csv', contentType: 'text/csv' })
      .expect(200);
    expect(settled.body.batch.status).toBe('SETTLED');
  });
});
