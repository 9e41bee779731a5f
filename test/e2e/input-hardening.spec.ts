import { JwtService } from '@nestjs/jwt';
import { parse } from 'csv-parse/sync';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetsService } from '../../src/modules/budgets/budgets.service.js';
import { RegistryImportService } from '../../src/modules/registry/registry-import.service.js';
import { API, createTestApp, type SignedInUser } from '../support/app.js';
import { exportedBatchOfOne, lines, signInCycle, type Cycle } from '../support/cycle.js';
import { ensureVillage } from '../support/fixtures.js';
import { rowCounts } from '../support/row-counts.js';

const COUNTY = '410122';
const TOWNSHIP = '410122101';
const VILLAGE = '410122101207';
/** Names a spreadsheet would run as formulas if they were written as they are. */
const VILLAGE_NAME = '@SUM(1+1)';
const HOLDER_NAME = '=HYPERLINK("http://example.invalid","点我")';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/**
 * No input answers 500: each hostile input the fuzzing found is refused with its status
 * and problem code, as problem details, and changes no row.
 */
describe('input hardening (e2e)', () => {
  let c: Cycle;
  let householdId: string;
  let batchId: string;

  async function expectProblem(
    request: PromiseLike<{ status: number; body: Record<string, unknown>; headers: Record<string, string> }>,
    status: number,
    code: string,
  ) {
    const before = await rowCounts(c.t.dataSource);
    const response = await request;
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await rowCounts(c.t.dataSource)).toEqual(before);
    return response;
  }

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY, TOWNSHIP);
    await ensureVillage(c.t, c.admin, VILLAGE, VILLAGE_NAME);
    ({ householdId, batchId } = await exportedBatchOfOne(c, {
      householdNo: '-H1',
      regionCode: VILLAGE,
      headName: HOLDER_NAME,
      bankAccountSeed: 7,
    }));
  });
  afterAll(() => c.t?.close());

  describe('body limits before parsing', () => {
    it('refuses JSON nested 5,000 levels with 400 BODY_TOO_DEEP, even on the anonymous login', async () => {
      const response = await expectProblem(
        c.t.http().post(`${API}/auth/login`).set('Content-Type', 'application/json').send(nested(5000)),
        400,
        'BODY_TOO_DEEP',
      );
      expect(response.body.maxDepth).toBe(64);
      await expectProblem(
        c.t
          .http()
          .post(`${API}/households`)
          .set('Authorization', c.clerk.auth)
          .set('Content-Type', 'application/json')
          .send(`{"householdNo":"X1","members":${nested(100_000)}}`),
        400,
        'BODY_TOO_DEEP',
      );
    });

    it('does not count brackets inside strings, and lets a body of ordinary depth through to validation', async () => {
      await expectProblem(
        c.t
          .http()
          .post(`${API}/auth/login`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ username: '['.repeat(60), password: { a: JSON.parse(nested(60)) } })),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('refuses a body over 5 MB with 413 PAYLOAD_TOO_LARGE', async () => {
      await expectProblem(
        c.t
          .http()
          .post(`${API}/auth/login`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ username: 'x', password: 'y'.repeat(6 * 1024 * 1024) })),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });
  });

  describe('page cursors', () => {
    const forged = [
      cursorOf({}),
      cursorOf(['x', 'y', 'z']),
      cursorOf([1e300]),
      cursorOf([null]),
      cursorOf(['\u0000']),
      cursorOf([-1]),
      cursorOf([{ a: 1 }]),
      cursorOf([2012.5, 'a', 'b', 1]),
      cursorOf([99999, 'a', 'b', 1]),
      'not base64 at all!',
    ];
    const routes = (): { path: string; user: SignedInUser; extra?: string[] }[] => [
      { path: '/enrollments', user: c.clerk },
      { path: '/users', user: c.admin },
      { path: '/disbursement-batches', user: c.officer },
      { path: `/disbursement-batches/${batchId}/lines`, user: c.finance },
      { path: '/policies', user: c.clerk },
      { path: '/regions', user: c.clerk },
      // A bigint id past int8 is the wrong shape only where the key is a bigint id.
      { path: '/audit/events', user: c.auditor, extra: [cursorOf(['99999999999999999999'])] },
      { path: `/audit/trace/batches/${batchId}`, user: c.auditor },
      { path: '/ledger/transfers', user: c.finance, extra: [cursorOf(['99999999999999999999'])] },
      { path: '/ledger/accounts', user: c.finance },
      { path: '/households', user: c.clerk },
      { path: `/households/${householdId}/events`, user: c.clerk, extra: [cursorOf(['99999999999999999999'])] },
      { path: '/budgets', user: c.finance },
    ];

    it('refuses a cursor of the wrong shape on every paged route with 400 VALIDATION_FAILED', async () => {
      const seen: string[] = [];
      for (const { path, user, extra = [] } of routes()) {
        for (const cursor of [...forged, ...extra]) {
          const response = await c.t
            .http()
            .get(`${API}${path}?cursor=${encodeURIComponent(cursor)}`)
            .set('Authorization', user.auth);
          seen.push(`${path} ${cursor} ${response.status} ${response.body.code}`);
          if (response.status !== 400 || response.body.code !== 'VALIDATION_FAILED') {
            throw new Error(`${path} with cursor ${cursor}: ${response.status} ${response.text}`);
          }
          expect(response.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
        }
      }
      expect(seen).toHaveLength(routes().length * forged.length + 3);
    });

    it('still follows the cursors the server issues', async () => {
      const first = await c.t.http().get(`${API}/regions?limit=2`).set('Authorization', c.clerk.auth).expect(200);
      const next = await c.t
        .http()
        .get(`${API}/regions?limit=2&cursor=${first.body.nextCursor}`)
        .set('Authorization', c.clerk.auth)
        .expect(200);
      expect(next.body.items[0].code > first.body.items[1].code).toBe(true);
    });
  });

  describe('CSV the parser cannot read', () => {
    const header =
      'household_no,region_code,address,id_number,name,relation,hukou_type,birth_order,adopted,certificate_no,certificate_issued_on,violation_years,bank_code,account_no';
    const unclosed = `${header}\nZ1,${VILLAGE},"村口 1号,410122195203100011,甲,HEAD,RURAL,,,,,,,\n`;

    it('answers 422 IMPORT_REJECTED naming the line for an unclosed quote (body and multipart)', async () => {
      const response = await expectProblem(
        c.t
          .http()
          .post(`${API}/households/import`)
          .set('Authorization', c.clerk.auth)
          .set('Content-Type', 'text/csv')
          .send(unclosed),
        422,
        'IMPORT_REJECTED',
      );
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          line: expect.any(Number),
          field: 'row',
          message: expect.stringMatching(/引号未闭合/),
        }),
      ]);
      await expectProblem(
        c.t
          .http()
          .post(`${API}/households/import`)
          .set('Authorization', c.clerk.auth)
          .attach('file', Buffer.from(unclosed), 'register.csv'),
        422,
        'IMPORT_REJECTED',
      );
    });

    it('refuses an XLSX, binary garbage and a NUL cell sent as the register with a 4xx problem', async () => {
      const zip = Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000'), Buffer.alloc(64, 0xff)]);
      for (const bytes of [zip, Buffer.from([0x22, 0x00, 0xfe, 0x0a, 0x22, 0x2c, 0x0d])]) {
        const response = await c.t
          .http()
          .post(`${API}/households/import`)
          .set('Authorization', c.clerk.auth)
          .attach('file', bytes, 'register.xlsx');
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const nul = `${header}\nZ2,${VILLAGE},村口,410122195203100011,甲\u0000,HEAD,RURAL,,,,,,,\n`;
      const response = await expectProblem(
        c.t
          .http()
          .post(`${API}/households/import`)
          .set('Authorization', c.clerk.auth)
          .attach('file', Buffer.from(nul), 'register.csv'),
        422,
        'IMPORT_REJECTED',
      );
      expect(response.body.errors).toContainEqual({ line: 2, field: 'name', message: expect.any(String) });
    });

    it('refuses the same file through the CLI’s import service, naming the line', async () => {
      const path = join(await mkdtemp(join(tmpdir(), 'yk-import-')), 'broken.csv');
      await writeFile(path, unclosed);
      const before = await rowCounts(c.t.dataSource);
      await expect(
        c.t.app.get(RegistryImportService).import(createReadStream(path), { dryRun: false }),
      ).rejects.toMatchObject({ status: 422, code: 'IMPORT_REJECTED', errors: [expect.objectContaining({ line: 2 })] });
      expect(await rowCounts(c.t.dataSource)).toEqual(before);
    });

    it('answers 422 BANK_FILE_REJECTED naming the line for a broken result file, and settles nothing', async () => {
      const [line] = await lines(c, batchId);
      const broken = `line_no,account_no,amount,status,bank_ref,reason\n${line.lineNo},${line.accountNo},${line.amount},SUCCESS,"BR1,\n`;
      const response = await expectProblem(
        c.t
          .http()
          .post(`${API}/disbursement-batches/${batchId}/bank-results`)
          .set('Authorization', c.finance.auth)
          .set('Content-Type', 'text/csv')
          .send(broken),
        422,
        'BANK_FILE_REJECTED',
      );
      expect(response.body.problems).toEqual([
        { line: expect.any(Number), message: expect.stringMatching(/引号未闭合/) },
      ]);
      const nul = `line_no,account_no,amount,status,bank_ref,reason\n${line.lineNo},${line.accountNo},${line.amount},SUCCESS,BR\u00001,\n`;
      const withNul = await expectProblem(
        c.t
          .http()
          .post(`${API}/disbursement-batches/${batchId}/bank-results`)
          .set('Authorization', c.finance.auth)
          .attach('file', Buffer.from(nul), 'results.csv'),
        422,
        'BANK_FILE_REJECTED',
      );
      expect(withNul.body.problems).toEqual([{ line: 2, message: expect.stringMatching(/NUL/) }]);
      const garbage = await c.t
        .http()
        .post(`${API}/disbursement-batches/${batchId}/bank-results`)
        .set('Authorization', c.finance.auth)
        .attach('file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x22, 0x00, 0x0a, 0xff]), 'results.xlsx');
      expect(garbage.status).toBeGreaterThanOrEqual(400);
      expect(garbage.status).toBeLessThan(500);
      expect((await lines(c, batchId)).map((l) => l.status)).toEqual(['PENDING']);
    });
  });

  describe('NUL characters', () => {
    it('refuses a NUL in any string of a body, nested or not, with 400 VALIDATION_FAILED naming the field', async () => {
      const login = await expectProblem(
        c.t
          .http()
          .post(`${API}/auth/login`)
          .send({ username: `${c.clerk.username}\u0000`, password: 'x' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(login.body.errors).toEqual([{ field: 'username', message: '含有空字符（NUL）' }]);
      const household = await expectProblem(
        c.t
          .http()
          .post(`${API}/households`)
          .set('Authorization', c.clerk.auth)
          .send({
            householdNo: 'N1',
            regionCode: VILLAGE,
            address: '村',
            members: [{ idNumber: '410102198001010018', name: '张\u0000三', relation: 'HEAD', hukouType: 'RURAL' }],
          }),
        400,
        'VALIDATION_FAILED',
      );
      expect(household.body.errors).toEqual([{ field: 'members.0.name', message: '含有空字符（NUL）' }]);
    });

    it('refuses a NUL in a query or a path parameter (household search, audit filters)', async () => {
      for (const [path, user] of [
        [`/households?q=${encodeURIComponent('张\u0000')}`, c.clerk],
        [`/audit/events?entityId=%00`, c.auditor],
        [`/audit/events?action=a%00b`, c.auditor],
        [`/households/${householdId}%00`, c.clerk],
      ] as const) {
        await expectProblem(c.t.http().get(`${API}${path}`).set('Authorization', user.auth), 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('money bounds', () => {
    const appropriation = (amount: string) =>
      c.t
        .http()
        .post(`${API}/budgets/appropriations`)
        .set('Authorization', c.finance.auth)
        .send({ fiscalYear: 2013, policyCode: 'OCP_REWARD', fundingLevel: 'COUNTY', countyCode: COUNTY, amount });

    it('refuses an appropriation past 999999999999.99 with 400 and takes one at the bound', async () => {
      for (const amount of ['9999999999999999.99', '1000000000000.00', '1e20', '-5.00', '0.001']) {
        const response = await expectProblem(appropriation(amount), 400, 'VALIDATION_FAILED');
        expect(response.body.errors).toEqual([{ field: 'amount', message: expect.any(String) }]);
      }
      await appropriation('999999999999.99').expect(201);
    });

    it('refuses a posting that would overflow a budget line’s totals with 400 AMOUNT_OUT_OF_RANGE, and keeps the line usable', async () => {
      // A line already holding numeric(18,2)'s maximum (posted below the HTTP bound, as a
      // migration or an old release might have): the next appropriation cannot overflow it.
      await c.t.app.get(BudgetsService).appropriate(c.finance, {
        fiscalYear: 2014,
        policyCode: 'OCP_REWARD',
        fundingLevel: 'COUNTY',
        countyCode: COUNTY,
        amount: '9999999999999999.99',
      });
      const response = await expectProblem(
        c.t.http().post(`${API}/budgets/appropriations`).set('Authorization', c.finance.auth).send({
          fiscalYear: 2014,
          policyCode: 'OCP_REWARD',
          fundingLevel: 'COUNTY',
          countyCode: COUNTY,
          amount: '0.01',
        }),
        400,
        'AMOUNT_OUT_OF_RANGE',
      );
      expect(response.body.errors).toEqual([{ field: 'amount', message: expect.any(String) }]);
      const budgets = await c.t
        .http()
        .get(`${API}/budgets?fiscalYear=2014&countyCode=${COUNTY}`)
        .set('Authorization', c.finance.auth)
        .expect(200);
      expect(budgets.body.items).toEqual([expect.objectContaining({ appropriated: '9999999999999999.99' })]);
    });

    it('refuses a policy version paying more than 999999.99 a period', async () => {
      const response = await expectProblem(
        c.t
          .http()
          .post(`${API}/policies/OCP_REWARD/versions`)
          .set('Authorization', c.admin.auth)
          .send({
            effectiveFrom: '2030-01-01',
            rule: { all: [] },
            amount: { kind: 'FIXED', amount: '9999999999999999.99' },
            fundingShares: { MUNICIPAL: '0.5', COUNTY: '0.5' },
          }),
        400,
        'VALIDATION_FAILED',
      );
      expect(response.body.errors).toContainEqual({
        field: 'amount.amount',
        message: expect.stringMatching(/999999\.99/),
      });
    });
  });

  describe('prototype keys', () => {
    it('refuses __proto__ and constructor like any unknown field, at the top level and nested', async () => {
      const sendRaw = (path: string, json: string, auth?: string) => {
        const request = c.t.http().post(`${API}${path}`).set('Content-Type', 'application/json');
        return (auth ? request.set('Authorization', auth) : request).send(json);
      };
      const top = await expectProblem(
        sendRaw('/auth/login', `{"username":"a","password":"b","__proto__":{"role":"ADMIN"}}`),
        400,
        'VALIDATION_FAILED',
      );
      expect(top.body.errors).toEqual([{ field: '__proto__', message: '不允许的字段 __proto__' }]);
      await expectProblem(
        sendRaw('/regions', `{"code":"410122101299","name":"村","constructor":{"prototype":{}}}`, c.admin.auth),
        400,
        'VALIDATION_FAILED',
      );
      const deep = await expectProblem(
        sendRaw(
          '/households',
          `{"householdNo":"P1","regionCode":"${VILLAGE}","address":"村","members":[{"idNumber":"410102198001010018","name":"甲","relation":"HEAD","hukouType":"RURAL","__proto__":{"x":1}}]}`,
          c.clerk.auth,
        ),
        400,
        'VALIDATION_FAILED',
      );
      expect(deep.body.errors).toEqual([{ field: 'members.0.__proto__', message: '不允许的字段 __proto__' }]);
      await expectProblem(
        sendRaw(
          '/policies/OCP_REWARD/versions',
          `{"effectiveFrom":"2030-01-01","rule":{"all":[],"constructor":1},"amount":{"kind":"FIXED","amount":"1.00"},"fundingShares":{"MUNICIPAL":"0.5","COUNTY":"0.5"}}`,
          c.admin.auth,
        ),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  it('answers 401 for a validly signed token whose subject is not a UUID', async () => {
    const jwt = c.t.app.get(JwtService);
    for (const sub of ['admin', '1; DROP TABLE users', 42]) {
      const token = await jwt.signAsync({ sub, role: 'ADMIN', region: '410100' });
      await expectProblem(
        c.t.http().get(`${API}/regions`).set('Authorization', `Bearer ${token}`),
        401,
        'UNAUTHENTICATED',
      );
    }
  });

  it('holds the failed-login limit under 40 parallel wrong passwords: 10 failures, then 429', async () => {
    const user = await c.t.signIn('CLERK', TOWNSHIP, 'parallel.victim');
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        c.t.http().post(`${API}/auth/login`).send({ username: user.username, password: 'wrong-password' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(responses.find((r) => r.status === 429)!.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    const [audit] = await c.t.dataSource.query(
      `SELECT count(*) FILTER (WHERE after->>'reason' = 'bad_credentials')::int AS failures,
              count(*) FILTER (WHERE after->>'reason' = 'rate_limited')::int AS limited
         FROM audit_events WHERE action = 'auth.login_failed' AND entity_id = $1`,
      [user.username],
    );
    expect(audit).toEqual({ failures: 10, limited: 30 });
  });

  describe('exports neutralise spreadsheet formulas', () => {
    it('prefixes the bank file’s account name with a quote and keeps the amount exact', async () => {
      const file = await c.t
        .http()
        .get(`${API}/disbursement-batches/${batchId}/bank-file`)
        .set('Authorization', c.finance.auth)
        .expect(200);
      const [row] = parse(file.text, { columns: true }) as Record<string, string>[];
      expect(row.account_name).toBe(`'${HOLDER_NAME}`);
      expect(row.amount).toBe('960.00');
    });

    it('prefixes the publicity list’s village, household number and name', async () => {
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const list = await c.t
        .http()
        .get(`${API}/enrollments/publicity-list?townshipCode=${TOWNSHIP}&from=2000-01-01&to=${today}`)
        .set('Authorization', c.officer.auth)
        .expect(200);
      const [row] = parse(list.text, { columns: true, bom: true }) as Record<string, string>[];
      expect(row).toMatchObject({ '村/社区': `'${VILLAGE_NAME}`, 户号: "'-H1", 受益人: `'${HOLDER_NAME}` });
    });
  });
});
