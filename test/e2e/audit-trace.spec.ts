import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { API, createTestApp, type SignedInUser } from '../support/app.js';
import {
  approveAndExport,
  appropriate,
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

const VILLAGE = '410122101201';
const COUNTY = '410122';

interface Ctx extends Cycle {
  cityAuditor: SignedInUser;
  otherAuditor: SignedInUser;
}

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0)).toFixed(2);
const binary = (res: NodeJS.ReadableStream, done: (error: Error | null, body: unknown) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Submits, approves, exports and imports the bank's results (failing the lines `failLine` names). */
async function approveExportSettle(c: Ctx, batchId: string, failLine?: (line: LineItem) => boolean) {
  await approveAndExport(c, batchId);
  await importResults(c, batchId, resultFile(await lines(c, batchId), failLine)).expect(200);
}

describe('auditors trace every yuan (e2e)', () => {
  const c = {} as Ctx;
  let first: { id: string; batchNo: string };
  let reissue: { id: string; batchNo: string };
  let monthly: { id: string };
  let familyB: Awaited<ReturnType<typeof registerHousehold>>;

  beforeAll(async () => {
    Object.assign(c, await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY));
    c.cityAuditor = await c.t.signIn('AUDITOR', '410100');
    c.otherAuditor = await c.t.signIn('AUDITOR', '410102');
    await ensureVillage(c.t, c.admin, VILLAGE);

    const family = (no: string, fatherBorn: string, motherBorn: string, seed: number) =>
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
    const a = await family('A001', '1952-03-10', '1956-05-01', 1);
    familyB = await family('B001', '1952-07-01', '1950-02-01', 2);
    const person = (h: typeof a, relation: string) => h.members.find((m) => m.relation === relation)!.personId;
    await enrollAndActivate(c, a.id, 'RURAL_REWARD', person(a, 'HEAD'));
    await enrollAndActivate(c, familyB.id, 'RURAL_REWARD', person(familyB, 'HEAD'));
    await enrollAndActivate(c, familyB.id, 'RURAL_REWARD', person(familyB, 'SPOUSE'));
    await appropriate(c, 2012, 'RURAL_REWARD', {
      CENTRAL: '5000.00',
      PROVINCIAL: '3000.00',
      MUNICIPAL: '1000.00',
      COUNTY: '1000.00',
    });

    // 3 lines of 960.00; B's mother's account is closed: her line fails and is released.
    first = await generate(c, 'RURAL_REWARD', '2012');
    expect(first).toMatchObject({ lineCount: 3, totalAmount: '2880.00' });
    await approveExportSettle(c, first.id, (l) => l.personId === person(familyB, 'SPOUSE'));
    // The clerk fixes the account; the next batch pays her.
    await c.t
      .http()
      .put(`${API}/households/${familyB.id}/bank-account`)
      .set('Authorization', c.clerk.auth)
      .send({ bankCode: '102', accountNo: accountNo(3), holderPersonId: person(familyB, 'HEAD') })
      .expect(200);
    reissue = await generate(c, 'RURAL_REWARD', '2012');
    expect(reissue).toMatchObject({ lineCount: 1, totalAmount: '960.00' });
    await approveExportSettle(c, reissue.id);

    // A monthly benefit paid in March with January and February as arrears.
    const m = await registerHousehold(c.t, c.clerk, {
      householdNo: 'M001',
      regionCode: VILLAGE,
      bankAccountSeed: 10,
      members: [
        { name: '并发症', relation: 'HEAD', birthDate: '1970-01-01', sex: 'F', complicationGrade: 2 },
        { name: '子', relation: 'CHILD', birthDate: '1995-01-01', sex: 'M', birthOrder: 1 },
      ],
    });
    await enrollAndActivate(c, m.id, 'COMPLICATION_SUPPORT', m.members[0].personId);
    await appropriate(c, 2014, 'COMPLICATION_SUPPORT', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });
    monthly = await generate(c, 'COMPLICATION_SUPPORT', '2014-03');
    await approveExportSettle(c, monthly.id);
  });
  afterAll(() => c.t?.close());

  it('traces a batch with a failed line: line totals = committed = spent + released, = the ledger', async () => {
    const trace = (
      await c.t.http().get(`${API}/audit/trace/batches/${first.id}`).set('Authorization', c.auditor.auth).expect(200)
    ).body;
    expect(trace.consistent).toBe(true);
    expect(trace.differences).toEqual([]);
    expect(trace.totals).toMatchObject({
      lines: '2880.00',
      committed: '2880.00',
      spent: '1920.00',
      released: '960.00',
      stillCommitted: '0.00',
      paidLines: '1920.00',
      failedLines: '960.00',
    });
    expect(trace.batch).toMatchObject({ batchNo: first.batchNo, status: 'SETTLED', totalAmount: '2880.00' });
    expect(trace.batch.approval).toMatchObject({ approvedBy: c.finance.id, username: c.finance.username });
    expect(trace.batch.submitted).toMatchObject({ by: c.officer.id });

    // The same figures from the batch and from the ledger's own listing.
    const batch = (
      await c.t.http().get(`${API}/disbursement-batches/${first.id}`).set('Authorization', c.auditor.auth).expect(200)
    ).body;
    expect(trace.totals.lines).toBe(batch.totalAmount);
    const transfers = (
      await c.t
        .http()
        .get(`${API}/ledger/transfers?batchId=${first.id}&limit=500`)
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body.items as { code: string; amount: string }[];
    const ledger = (code: string) => sum(transfers.filter((t) => t.code === code).map((t) => t.amount));
    expect(ledger('COMMITMENT')).toBe(trace.totals.committed);
    expect(ledger('PAYMENT')).toBe(trace.totals.spent);
    expect(ledger('RELEASE')).toBe(trace.totals.released);
    for (const code of ['COMMITMENT', 'PAYMENT', 'RELEASE']) {
      const byCode = (trace.transfers as { code: string; amount: string; count: number }[]).filter(
        (t) => t.code === code,
      );
      expect(sum(byCode.map((t) => t.amount))).toBe(ledger(code));
      expect(byCode.reduce((n, t) => n + t.count, 0)).toBe(transfers.filter((t) => t.code === code).length);
    }

    // Per funding level: what the batch drew, 50/30/10/10, and each level committed = spent + released.
    const levels = trace.budgetLines as {
      fundingLevel: string;
      appropriated: string;
      thisBatch: Record<string, string>;
    }[];
    expect(levels.map((l) => l.fundingLevel)).toEqual(['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY']);
    expect(levels.map((l) => l.thisBatch.committed)).toEqual(['1440.00', '864.00', '288.00', '288.00']);
    for (const level of levels) {
      expect(new Decimal(level.thisBatch.spent).plus(level.thisBatch.released).toFixed(2)).toBe(
        level.thisBatch.committed,
      );
      expect(level.thisBatch.stillCommitted).toBe('0.00');
    }
    expect(sum(levels.map((l) => l.thisBatch.committed))).toBe(trace.totals.committed);
    expect(sum(levels.map((l) => l.appropriated))).toBe('10000.00');

    // Each line's bank result, and its own transfers agree with it.
    const items = trace.lines.items as {
      status: string;
      amount: string;
      paid: string;
      released: string;
      bankRef: string | null;
    }[];
    expect(items.map((l) => l.status).sort()).toEqual(['FAILED', 'PAID', 'PAID']);
    for (const line of items) {
      expect(line.status === 'PAID' ? line.paid : line.released).toBe(line.amount);
      expect(line.status === 'PAID' ? line.bankRef : line.released).toBeTruthy();
    }
    expect(trace.lineMismatches).toEqual([]);

    const paged = await c.t
      .http()
      .get(`${API}/audit/trace/batches/${first.id}?limit=2`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(paged.body.lines.items).toHaveLength(2);
    const rest = await c.t
      .http()
      .get(`${API}/audit/trace/batches/${first.id}?limit=2&cursor=${paged.body.lines.nextCursor}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(rest.body.lines).toMatchObject({ items: [expect.objectContaining({ lineNo: 3 })], nextCursor: null });
  });

  it('traces a household: every payment with its transfers and the decision behind it', async () => {
    const trace = (
      await c.t
        .http()
        .get(`${API}/audit/trace/households/${familyB.id}`)
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body;
    expect(trace.household).toMatchObject({ id: familyB.id, householdNo: 'B001' });
    const payments = trace.payments as Record<string, unknown>[];
    expect(payments).toHaveLength(3); // father paid, mother failed, mother paid again
    expect(payments.map((p) => [p.batchNo, p.status, p.amount])).toEqual(
      expect.arrayContaining([
        [first.batchNo, 'PAID', '960.00'],
        [first.batchNo, 'FAILED', '960.00'],
        [reissue.batchNo, 'PAID', '960.00'],
      ]),
    );
    for (const p of payments as {
      status: string;
      amount: string;
      paid: string;
      released: string;
      bankRef: string | null;
      reason: string | null;
      policyCode: string;
      periods: string[];
      transfers: { code: string; amount: string; fundingLevel: string }[];
      decision: { versionIds: string[]; snapshot: unknown };
    }[]) {
      expect(p).toMatchObject({ policyCode: 'RURAL_REWARD', periods: ['2012'] });
      const code = p.status === 'PAID' ? 'PAYMENT' : 'RELEASE';
      expect(p.transfers.map((t) => t.code)).toEqual([code, code, code, code]);
      expect(sum(p.transfers.map((t) => t.amount))).toBe(p.amount);
      if (p.status === 'PAID') expect(p.bankRef).toMatch(/^BR/);
      else expect(p.reason).toBe('账户已销户');
      expect(p.decision.versionIds.length).toBeGreaterThan(0);
      expect(p.decision.snapshot).toBeTruthy();
    }
    expect(trace.totals).toMatchObject({
      paid: '1920.00',
      failed: '960.00',
      ledgerPaid: '1920.00',
      ledgerReleased: '960.00',
    });
    const enrollments = trace.enrollments as { status: string; transitions: { to: string; explanation: unknown }[] }[];
    expect(enrollments).toHaveLength(2);
    for (const e of enrollments) {
      expect(e.transitions.map((t) => t.to)).toEqual(
        expect.arrayContaining(['DRAFT', 'SUBMITTED', 'PUBLICIZED', 'ACTIVE']),
      );
      expect(e.transitions.some((t) => t.explanation !== null)).toBe(true);
    }
  });

  it('keeps traces within the auditor’s region', async () => {
    await c.t
      .http()
      .get(`${API}/audit/trace/batches/${first.id}`)
      .set('Authorization', c.otherAuditor.auth)
      .expect(404);
    await c.t
      .http()
      .get(`${API}/audit/trace/households/${familyB.id}`)
      .set('Authorization', c.otherAuditor.auth)
      .expect(404);
    await c.t.http().get(`${API}/audit/trace/batches/${first.id}`).set('Authorization', c.finance.auth).expect(403);
  });

  it('lists audit events by entity with cursor pages, within the region', async () => {
    const all = (
      await c.t
        .http()
        .get(`${API}/audit/events?entityType=disbursement_batch&entityId=${first.id}`)
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body;
    const actions = (all.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['batch.created', 'batch.submitted', 'batch.approved', 'batch.exported']),
    );
    const page1 = (
      await c.t
        .http()
        .get(`${API}/audit/events?entityType=disbursement_batch&entityId=${first.id}&limit=2`)
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body;
    expect(page1.items).toHaveLength(2);
    const page2 = (
      await c.t
        .http()
        .get(
          `${API}/audit/events?entityType=disbursement_batch&entityId=${first.id}&limit=2&cursor=${page1.nextCursor}`,
        )
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body;
    expect([...page1.items, ...page2.items].map((e: { id: string }) => e.id)).toEqual(
      (all.items as { id: string }[]).slice(0, 4).map((e) => e.id),
    );
    const approvals = (
      await c.t
        .http()
        .get(
          `${API}/audit/events?action=batch.approved&actorId=${c.finance.id}&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
        )
        .set('Authorization', c.auditor.auth)
        .expect(200)
    ).body.items as { entityId: string }[];
    expect(approvals.map((e) => e.entityId).sort()).toEqual([first.id, reissue.id, monthly.id].sort());

    const elsewhere = await c.t
      .http()
      .get(`${API}/audit/events?entityType=disbursement_batch`)
      .set('Authorization', c.otherAuditor.auth)
      .expect(200);
    expect(elsewhere.body.items).toEqual([]);
    // Events without a region only for an auditor of the whole city.
    await c.t.dataSource.query(
      `INSERT INTO audit_events (action, entity_type, entity_id) VALUES ('test.cityless', 'thing', 'x')`,
    );
    const county = (await c.t.http().get(`${API}/audit/events?limit=500`).set('Authorization', c.auditor.auth)).body;
    expect((county.items as { regionCode: string | null }[]).every((e) => e.regionCode?.startsWith(COUNTY))).toBe(true);
    const city = (await c.t.http().get(`${API}/audit/events?limit=500`).set('Authorization', c.cityAuditor.auth)).body;
    expect(
      (city.items as { action: string; regionCode: string | null }[]).some((e) => e.action === 'test.cityless'),
    ).toBe(true);
    expect((county.items as { action: string }[]).some((e) => e.action === 'test.cityless')).toBe(false);
    await c.t.http().get(`${API}/audit/events?from=yesterday`).set('Authorization', c.auditor.auth).expect(400);
    await c.t.http().get(`${API}/audit/events?limit=501`).set('Authorization', c.auditor.auth).expect(400);
  });

  it('verifies the audit chain after the whole cycle', async () => {
    const result = (await c.t.http().get(`${API}/audit/verify`).set('Authorization', c.auditor.auth).expect(200)).body;
    expect(result).toMatchObject({ ok: true, unsealed: 0 });
    expect(result.events).toBeGreaterThan(20);
  });

  describe('reports', () => {
    // English headers (the column keys), so that the rows compare with the JSON items by key.
    const report = async (path: string, format: 'json' | 'csv' | 'xlsx', user = c.auditor, language = 'en') => {
      const request = c.t
        .http()
        .get(`${API}/reports/${path}${path.includes('?') ? '&' : '?'}format=${format}`)
        .set('Authorization', user.auth)
        .set('Accept-Language', language);
      return format === 'json'
        ? request.expect(200)
        : request
            .buffer(true)
            .parse(binary as never)
            .expect(200);
    };
    const sheetRows = async (buffer: Buffer) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
      const rows: Record<string, unknown>[] = [];
      sheet.eachRow((row, index) => {
        if (index === 1) return;
        const values = (row.values as unknown[]).slice(1);
        rows.push(Object.fromEntries(header.map((key, i) => [key, values[i] ?? null])));
      });
      return rows;
    };
    const yuan = (value: unknown) => new Decimal(String(value)).toFixed(2);

    it('budget execution: the XLSX holds the same rows and totals as the JSON', async () => {
      const json = (await report('budget-execution?fiscalYear=2012', 'json')).body;
      expect(json.items).toHaveLength(4);
      expect(json.totals).toMatchObject({
        rows: 4,
        appropriated: '10000.00',
        committed: '0.00',
        spent: '2880.00',
        available: '7120.00',
        executionRate: '0.2880',
      });
      expect(json.items[0]).toMatchObject({
        policyCode: 'RURAL_REWARD',
        fundingLevel: 'CENTRAL',
        countyCode: COUNTY,
        appropriated: '5000.00',
        spent: '1440.00',
        executionRate: '0.2880',
      });
      // The report agrees with GET /budgets.
      const budgets = (
        await c.t.http().get(`${API}/budgets?fiscalYear=2012&countyCode=${COUNTY}`).set('Authorization', c.auditor.auth)
      ).body.items as { spent: string }[];
      expect(sum(budgets.map((b) => b.spent))).toBe(json.totals.spent);

      const rows = await sheetRows((await report('budget-execution?fiscalYear=2012', 'xlsx')).body as Buffer);
      const data = rows.filter((r) => r.fiscalYear !== 'TOTAL');
      const total = rows.find((r) => r.fiscalYear === 'TOTAL')!;
      expect(data).toHaveLength(json.items.length);
      for (const key of ['appropriated', 'committed', 'spent', 'available']) {
        expect(yuan(total[key])).toBe(json.totals[key]);
        expect(sum(data.map((r) => yuan(r[key])))).toBe(json.totals[key]);
        data.forEach((r, i) => expect(yuan(r[key])).toBe(json.items[i][key]));
      }
      expect(new Decimal(String(total.executionRate)).toFixed(4)).toBe(json.totals.executionRate);

      const csv = parse((await report('budget-execution?fiscalYear=2012', 'csv')).body.toString('utf8'), {
        columns: true,
        bom: true,
      }) as Record<string, string>[];
      expect(csv).toEqual(
        json.items.map((item: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v === null ? '' : String(v)])),
        ),
      );
    });

    it('writes CSV with a UTF-8 byte-order mark and XLSX with Chinese headers by default', async () => {
      const csv = (await report('budget-execution?fiscalYear=2012', 'csv', c.auditor, 'zh-CN')).body as Buffer;
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.toString('utf8').slice(1).split('\n')[0]).toMatch(/^年度,政策代码,资金层级,县（区）代码/);
      const workbook = new ExcelJS.Workbook();
      const xlsx = (await report('budget-execution?fiscalYear=2012', 'xlsx', c.auditor, 'fr')).body as Buffer;
      await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
      expect((workbook.worksheets[0].getRow(1).values as unknown[]).slice(1, 3)).toEqual(['年度', '政策代码']);
    });

    it('beneficiaries, failed payments and arrears agree across JSON and XLSX', async () => {
      const beneficiaries = (await report('beneficiaries?fiscalYear=2012&policyCode=RURAL_REWARD', 'json')).body;
      expect(beneficiaries.items).toEqual([
        expect.objectContaining({
          townshipCode: '410122101',
          beneficiaries: 3,
          households: 2,
          lines: 3,
          amount: '2880.00',
        }),
      ]);
      const failed = (await report('failed-payments?fiscalYear=2012', 'json')).body;
      expect(failed.items).toEqual([
        expect.objectContaining({
          batchNo: first.batchNo,
          amount: '960.00',
          reason: '账户已销户',
          reissuedBatchNo: reissue.batchNo,
          reissuedStatus: 'PAID',
        }),
      ]);
      const arrears = (await report('arrears?fiscalYear=2014', 'json')).body;
      expect(arrears.items).toEqual([
        expect.objectContaining({
          period: '2014-03',
          arrearsPeriods: '2014-01 2014-02',
          arrearsUnits: 2,
          arrearsAmount: '400.00',
          lineAmount: '600.00',
        }),
      ]);
      for (const [path, json, key] of [
        ['beneficiaries?fiscalYear=2012&policyCode=RURAL_REWARD', beneficiaries, 'amount'],
        ['failed-payments?fiscalYear=2012', failed, 'amount'],
        ['arrears?fiscalYear=2014', arrears, 'arrearsAmount'],
      ] as const) {
        const rows = await sheetRows((await report(path, 'xlsx', c.finance)).body as Buffer);
        const total = rows.find((r) => Object.values(r)[0] === 'TOTAL')!;
        expect(yuan(total[key])).toBe(json.totals[key]);
        expect(rows).toHaveLength(json.items.length + 1);
      }
    });

    it('keeps reports in scope and refuses other roles', async () => {
      await c.t
        .http()
        .get(`${API}/reports/budget-execution?fiscalYear=2012&countyCode=${COUNTY}`)
        .set('Authorization', c.otherAuditor.auth)
        .expect(403);
      const empty = await c.t
        .http()
        .get(`${API}/reports/budget-execution?fiscalYear=2012`)
        .set('Authorization', c.otherAuditor.auth)
        .expect(200);
      expect(empty.body).toMatchObject({ items: [], totals: { rows: 0, appropriated: '0.00', executionRate: null } });
      await c.t
        .http()
        .get(`${API}/reports/budget-execution?fiscalYear=2012`)
        .set('Authorization', c.officer.auth)
        .expect(403);
      await c.t
        .http()
        .get(`${API}/reports/budget-execution?fiscalYear=2012&format=pdf`)
        .set('Authorization', c.auditor.auth)
        .expect(400);
      await c.t.http().get(`${API}/reports/arrears`).set('Authorization', c.auditor.auth).expect(400);
    });
  });
});
