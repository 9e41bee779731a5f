import fc from 'fast-check';
import type { Response } from 'supertest';
import { API, createTestApp, type SignedInUser } from '../support/app.js';
import { exportedBatchOfOne, signInCycle, type Cycle } from '../support/cycle.js';
import { accountNo, ensureVillage, idNumber } from '../support/fixtures.js';
import { rowCounts } from '../support/row-counts.js';

const COUNTY = '410122';
const TOWNSHIP = '410122101';
const VILLAGE = '410122101208';
/** Where fast-check stops a group and keeps what it found (the whole file stays under a minute). */
const BUDGET_MS = { json: 14_000, query: 5_000, csv: 10_000 };
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** Where a hostile value goes in a body written as text (so no deep value is ever built or walked here). */
const MARK = '"\u2063HOSTILE\u2063"';

const repeat = (text: string, times: number) => text.repeat(times);

/** Hostile JSON values, as JSON text. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 60, max: 8000 }).map((depth) => `${repeat('[', depth)}${repeat(']', depth)}`),
  fc.integer({ min: 60, max: 8000 }).map((depth) => `${repeat('{"a":', depth)}1${repeat('}', depth)}`),
  fc.integer({ min: 1_000, max: 400_000 }).map((length) => JSON.stringify('字'.repeat(length))),
  fc.string().map((text) => JSON.stringify(`${text}\u0000${text}`)),
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"role":"ADMIN"}}}',
    '[{"__proto__":null}]',
    '{"a":{"b":{"__proto__":[]}}}',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => JSON.stringify(text)),
  fc.constantFrom('"\\ud800"', '"x\\udfff"', '"\\u202e\\u200d\\ufeff"', '"𠀀😀👨‍👩‍👧"', '"\\u0000"'),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('null', 'true', '[]', '{}', '0', '-1', '""'),
  fc.constantFrom('1e308', '-1e308', '1e400', '123456789012345678901234567890', '9007199254740993', '-0', '5e-400'),
  fc.double().map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '"9999999999999999.99"',
    '"99999999999999999999.99"',
    '"1000000000000.00"',
    '"-5.00"',
    '"1e5"',
    '"NaN"',
    '"0.001"',
    '" 1.00"',
    '"1,000.00"',
    '"０.５０"',
  ),
);

/** A body from a valid template: one field (or the whole body) made hostile, or a prototype key added. */
function hostileBody(template: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(template);
  const withValue = (value: string, body: Record<string, unknown>) => JSON.stringify(body).replace(MARK, value);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...keys), hostileJson)
      .map(([key, value]) => withValue(value, { ...template, [key]: '\u2063HOSTILE\u2063' })),
    fc
      .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknownField'), hostileJson)
      .map(([key, value]) => `{${JSON.stringify(key)}:${value},${JSON.stringify(template).slice(1)}`),
    hostileJson,
    fc.constantFrom('{"a":', '{,}', '[1,2', '\u0000', '{"a":1}garbage', ''),
  );
}

/** CSV cells a parser or a database could choke on. */
const hostileCell: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('"', '"abc', 'a"b', '""', '"x"y', '\u0000', '=CMD()', '-5.00', '\r', '\n', ',', '\ufeff', '\ud800'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 1_000, max: 100_000 }).map((length) => 'x'.repeat(length)),
);

function hostileCsv(header: string, width: number): fc.Arbitrary<Buffer> {
  const row = fc.array(hostileCell, { minLength: 0, maxLength: width + 3 }).map((cells) => cells.join(','));
  return fc.oneof(
    fc.array(row, { minLength: 0, maxLength: 12 }).map((rows) => Buffer.from([header, ...rows].join('\n'))),
    fc.array(row, { minLength: 1, maxLength: 12 }).map((rows) => Buffer.from(rows.join('\r\n'))),
    fc.uint8Array({ maxLength: 4000 }).map((bytes) => Buffer.concat([Buffer.from(`${header}\n`), Buffer.from(bytes)])),
    fc.uint8Array({ minLength: 1, maxLength: 4000 }).map((bytes) => Buffer.from(bytes)),
    fc.constant(
      Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000\u0008\u0000'), Buffer.alloc(300, 0)]),
    ),
  );
}

/**
 * Fuzzing the inputs with fast-check (no input may answer 500): hostile JSON bodies on the main POST routes,
 * hostile query strings on the searches, hostile CSV on the two imports. Every answer is below 500
 * and a problem when refused, and a refused request changes no row of the main tables (a refused
 * sign-in adds its audit event, by design, and nothing else).
 */
describe('input fuzz (e2e)', () => {
  let c: Cycle;
  let householdId: string;
  let headPersonId: string;
  let batchId: string;
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  let requests = 0;

  async function probe(label: string, send: () => PromiseLike<Response>, signIn = false): Promise<void> {
    const before = await rowCounts(c.t.dataSource);
    const response = await send();
    requests++;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const code = `${response.status} ${(response.body as { code?: string })?.code ?? '-'}`;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (response.status >= 500) throw new Error(`${label}: ${response.status} ${response.text.slice(0, 500)}`);
    if (response.status < 400) return;
    // Node's HTTP server refuses headers (the URL) past 16 KB itself, before the application.
    if (response.status !== 431) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (response.status !== 431) expect(response.body.code).toEqual(expect.any(String));
    const after = await rowCounts(c.t.dataSource);
    if (signIn && (response.status === 401 || response.status === 429)) {
      expect(after.audit_events).toBeGreaterThanOrEqual(before.audit_events);
      after.audit_events = before.audit_events;
    }
    expect(after).toEqual(before);
  }

  const run = <Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, budget: number) =>
    fc.assert(property, {
      numRuns: 100_000,
      interruptAfterTimeLimit: budget,
      markInterruptAsFailure: false,
      seed: SEED,
    });

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY, TOWNSHIP);
    await ensureVillage(c.t, c.admin, VILLAGE);
    ({ householdId, headPersonId, batchId } = await exportedBatchOfOne(c, {
      householdNo: 'FZ1',
      regionCode: VILLAGE,
      headName: '父',
      bankAccountSeed: 11,
    }));
  });
  afterAll(async () => {
    process.stdout.write(
      `input fuzz: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}, codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}\n`,
    );
    await c.t?.close();
  });

  it('answers hostile JSON bodies on the main POST routes below 500, and a refusal changes nothing', async () => {
    const routes: { method: 'post' | 'put'; path: string; user?: SignedInUser; template: Record<string, unknown> }[] = [
      { method: 'post', path: '/auth/login', template: { username: 'fuzz.nobody', password: 'wrong-password' } },
      {
        method: 'post',
        path: '/households',
        user: c.clerk,
        template: {
          householdNo: 'FZ2',
          regionCode: VILLAGE,
          address: '村口',
          members: [{ idNumber: idNumber('1970-01-01', 'M'), name: '甲', relation: 'HEAD', hukouType: 'RURAL' }],
        },
      },
      {
        method: 'post',
        path: `/households/${householdId}/events`,
        user: c.clerk,
        template: { type: 'DISABILITY_ASSESSED', personId: headPersonId, date: '2013-01-01', data: { grade: 4 } },
      },
      {
        method: 'put',
        path: `/households/${householdId}/bank-account`,
        user: c.clerk,
        template: { bankCode: '102', accountNo: accountNo(11), holderPersonId: headPersonId },
      },
      {
        method: 'post',
        path: '/enrollments',
        user: c.clerk,
        template: { householdId, policyCode: 'RURAL_REWARD', beneficiaryPersonId: headPersonId },
      },
      {
        method: 'post',
        path: '/budgets/appropriations',
        user: c.finance,
        template: {
          fiscalYear: 2015,
          policyCode: 'OCP_REWARD',
          fundingLevel: 'COUNTY',
          countyCode: COUNTY,
          amount: '10.00',
        },
      },
      {
        method: 'post',
        path: '/disbursement-batches',
        user: c.officer,
        template: { policyCode: 'RURAL_REWARD', period: '2012', countyCode: COUNTY },
      },
      {
        method: 'post',
        path: '/policies/OCP_REWARD/versions',
        user: c.admin,
        template: {
          effectiveFrom: '2031-01-01',
          rule: { all: [{ fact: 'household.hasValidCertificate', op: 'eq', value: true }] },
          amount: { kind: 'FIXED', amount: '10.00' },
          fundingShares: { MUNICIPAL: '0.5', COUNTY: '0.5' },
        },
      },
      { method: 'post', path: '/regions', user: c.admin, template: { code: '410122101250', name: '新村' } },
      {
        method: 'post',
        path: '/users',
        user: c.admin,
        template: { username: 'fuzz.user', password: 'long-enough-1', role: 'CLERK', regionCode: TOWNSHIP },
      },
      {
        method: 'post',
        path: `/disbursement-batches/${batchId}/reject`,
        user: c.finance,
        template: { reason: '退回' },
      },
    ];
    const request = fc
      .constantFrom(...routes)
      .chain((route) => hostileBody(route.template).map((body) => ({ route, body })));
    await run(
      fc.asyncProperty(request, async ({ route, body }) => {
        await probe(
          `${route.method.toUpperCase()} ${route.path} ${body.slice(0, 200)}`,
          () => {
            const call = c.t.http()[route.method](`${API}${route.path}`).set('Content-Type', 'application/json');
            return (route.user ? call.set('Authorization', route.user.auth) : call).send(body);
          },
          route.path === '/auth/login',
        );
      }),
      BUDGET_MS.json,
    );
  });

  it('answers hostile query strings on the searches and lists below 500', async () => {
    const searches: { path: string; params: string[]; user: () => SignedInUser }[] = [
      { path: '/households', params: ['q', 'regionCode', 'cursor', 'limit'], user: () => c.clerk },
      {
        path: '/audit/events',
        params: ['entityType', 'entityId', 'action', 'cursor', 'limit', 'order'],
        user: () => c.auditor,
      },
      { path: '/enrollments', params: ['policyCode', 'status', 'regionCode', 'cursor'], user: () => c.clerk },
      { path: '/budgets', params: ['fiscalYear', 'countyCode', 'policyCode', 'cursor'], user: () => c.finance },
      { path: '/ledger/transfers', params: ['batchId', 'cursor', 'limit'], user: () => c.finance },
      { path: `/households/${'x'}`, params: ['asOf'], user: () => c.clerk },
      { path: '/reports/budget-execution', params: ['fiscalYear', 'format', 'countyCode'], user: () => c.finance },
    ];
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ maxLength: 10 }).map((text) => `${text}\u0000${text}`),
      fc.constantFrom('\u0000', '%', '1e400', '-1', '99999999999999999999', '2012.5', "'; DROP TABLE users; --", '[]'),
      fc.integer({ min: 1_000, max: 20_000 }).map((length) => 'q'.repeat(length)), // past 16 KB: Node's 431
      fc.jsonValue({ maxDepth: 2 }).map((json) => Buffer.from(JSON.stringify(json)).toString('base64url')),
    );
    const query = fc
      .constantFrom(...searches)
      .chain((search) =>
        fc
          .array(fc.tuple(fc.constantFrom(...search.params), value), { minLength: 1, maxLength: 3 })
          .map((pairs) => ({ search, pairs })),
      );
    await run(
      fc.asyncProperty(query, async ({ search, pairs }) => {
        const qs = pairs.map(([key, text]) => `${key}=${encodeURIComponent(text)}`).join('&');
        await probe(`GET ${search.path}?${qs.slice(0, 200)}`, () =>
          c.t.http().get(`${API}${search.path}?${qs}`).set('Authorization', search.user().auth),
        );
      }),
      BUDGET_MS.query,
    );
  });

  it('answers hostile CSV on the registry import and the bank results below 500, and a refusal changes nothing', async () => {
    const registerHeader =
      'household_no,region_code,address,id_number,name,relation,hukou_type,birth_order,adopted,certificate_no,certificate_issued_on,violation_years,bank_code,account_no';
    const resultHeader = 'line_no,account_no,amount,status,bank_ref,reason';
    const upload = fc.oneof(
      hostileCsv(registerHeader, 14).map((csv) => ({ path: '/households/import', user: c.clerk, csv })),
      hostileCsv(resultHeader, 6).map((csv) => ({
        path: `/disbursement-batches/${batchId}/bank-results`,
        user: c.finance,
        csv,
      })),
    );
    await run(
      fc.asyncProperty(upload, fc.boolean(), async ({ path, user, csv }, multipart) => {
        await probe(
          `POST ${path} (${multipart ? 'multipart' : 'text/csv'}) ${JSON.stringify(csv.toString('latin1').slice(0, 200))}`,
          () => {
            const call = c.t.http().post(`${API}${path}`).set('Authorization', user.auth);
            return multipart
              ? call.attach('file', csv, 'upload.csv')
              : call.set('Content-Type', 'text/csv').send(csv.toString('utf8'));
          },
        );
      }),
      BUDGET_MS.csv,
    );
  });
});
