import { Ajv, type ValidateFunction } from 'ajv';
import type { Response } from 'supertest';
import { API, createTestApp } from '../support/app.js';
import { exportedBatchOfOne, importResults, lines, resultFile, signInCycle, type Cycle } from '../support/cycle.js';
import { accountNo, ensureVillage, idNumber } from '../support/fixtures.js';

type Schema = Record<string, unknown>;
type OpenApi = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
};

const COUNTY = '410122';
const VILLAGE = '410122101201';
/** Bodies that may carry fields of their own beyond the documented ones. */
const OPEN_SCHEMAS = new Set(['ProblemDetails', 'FieldProblem']);

/**
 * OpenAPI 3.0 schemas as JSON Schema: `nullable` becomes "or null", and every documented object
 * (not the problem details, which carry their refusal's own fields) is closed, so that a field the
 * server answers but the document does not name fails as surely as a missing or mistyped one.
 */
function toJsonSchema(schema: unknown, closed: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, closed));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, ...rest } = schema as Schema & { nullable?: boolean };
  const converted: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    converted[key] =
      key === 'properties' ? mapValues(value as Schema, (v) => toJsonSchema(v, closed)) : toJsonSchema(value, closed);
  }
  if (closed && converted.properties && converted.additionalProperties === undefined && !converted.allOf) {
    converted.additionalProperties = false;
  }
  return nullable ? { anyOf: [converted, { type: 'null' }] } : converted;
}

const mapValues = (object: Schema, f: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, f(value)]));

/** The document's path template that `path` (with its ids) matches. */
function templateOf(document: OpenApi, method: string, path: string): string | undefined {
  const bare = path.split('?')[0];
  return Object.keys(document.paths)
    .filter((template) => document.paths[template][method])
    .find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
}

/**
 * Walks real answers of the main routes, after a small payment cycle, and validates each against
 * the schema the OpenAPI document gives for its route, status and content type.
 */
describe('responses match the OpenAPI document (e2e)', () => {
  let c: Cycle;
  let document: OpenApi;
  let ajv: Ajv;
  const validators = new Map<string, ValidateFunction>();
  const failures: string[] = [];
  const seen: string[] = [];

  /** Validates one response against its documented schema; records what is wrong. */
  function check(method: string, path: string, response: Response): Response {
    const key = `${method.toUpperCase()} ${path.split('?')[0]} ${response.status}`;
    const template = templateOf(document, method, path);
    const documented = template ? document.paths[template][method].responses[String(response.status)] : undefined;
    if (!documented) {
      failures.push(`${key}: status not documented (${response.text.slice(0, 200)})`);
      return response;
    }
    const type = String(response.headers['content-type'] ?? '').split(';')[0];
    const schema = documented.content?.[type]?.schema;
    if (!schema) {
      if (type === 'application/json' || type === 'application/problem+json')
        failures.push(`${key}: no ${type} schema`);
      return response;
    }
    const id = `${template} ${method} ${response.status} ${type}`;
    let validate = validators.get(id);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema, type === 'application/json') as Schema);
      validators.set(id, validate);
    }
    seen.push(key);
    if (!validate(response.body)) {
      const errors = (validate.errors ?? []).map(
        (e) =>
          `${e.instancePath} ${e.message}${e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`,
      );
      failures.push(`${key}: ${[...new Set(errors)].slice(0, 5).join('; ')}`);
    }
    return response;
  }

  const get = (path: string, auth: string) =>
    c.t
      .http()
      .get(`${API}${path}`)
      .set('Authorization', auth)
      .then((response) => check('get', `${API}${path}`, response));
  const send = (method: 'post' | 'put' | 'patch', path: string, auth: string, body?: object) => {
    const http = c.t.http();
    return http[method](`${API}${path}`)
      .set('Authorization', auth)
      .send(body)
      .then((response) => check(method, `${API}${path}`, response));
  };

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE);
    document = (await c.t.http().get('/api/docs-json').expect(200)).body;
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      ajv.addSchema(toJsonSchema(schema, !OPEN_SCHEMAS.has(name)) as Schema, `#/components/schemas/${name}`);
    }
  });
  afterAll(() => c.t?.close());

  it('every answer of a payment cycle, and its refusals, is what the document says', async () => {
    const { householdId, headPersonId, batchId } = await exportedBatchOfOne(c, {
      householdNo: 'OA001',
      regionCode: VILLAGE,
      headName: '文档',
      bankAccountSeed: 41,
    });
    const settled = await importResults(c, batchId, resultFile(await lines(c, batchId)));
    check('post', `${API}/disbursement-batches/${batchId}/bank-results`, settled);
    expect(settled.status).toBe(200);
    const { finance, officer, clerk, auditor, admin } = c;

    // Signing in, health, reference data.
    const login = await c.t
      .http()
      .post(`${API}/auth/login`)
      .send({ username: clerk.username, password: clerk.password });
    check('post', `${API}/auth/login`, login);
    for (const path of ['/health', '/health/live', '/health/ready']) {
      check('get', `${API}${path}`, await c.t.http().get(`${API}${path}`));
    }
    await get('/labels', clerk.auth);
    await get(`/regions?parent=${COUNTY}`, clerk.auth);
    await get('/users?limit=5', admin.auth);
    await get('/policies', clerk.auth);
    await get('/policies/facts', clerk.auth);
    await get('/policies/RURAL_REWARD', clerk.auth);
    const schedules = await get('/schedules', admin.auth);
    await send('patch', `/schedules/${schedules.body.items[0].name}`, admin.auth, { enabled: true });
    const user = await send('post', '/users', admin.auth, {
      username: 'oa.clerk',
      password: 'pw-openapi-1',
      role: 'CLERK',
      regionCode: '410122101',
    });
    await send('patch', `/users/${user.body.id}`, admin.auth, { disabled: true });
    await send('post', '/regions', admin.auth, { code: '410122101299', name: '文档村' });

    // The registry.
    const created = await send('post', '/households', clerk.auth, {
      householdNo: 'OA002',
      regionCode: VILLAGE,
      address: '文档村 2号',
      members: [
        { idNumber: idNumber('1950-02-01', 'M'), name: '甲', relation: 'HEAD', hukouType: 'RURAL' },
        { idNumber: idNumber('1951-03-01', 'F'), name: '乙', relation: 'SPOUSE', hukouType: 'RURAL' },
        { idNumber: idNumber('1978-04-01', 'M'), name: '丙', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
      ],
    });
    expect(created.status).toBe(201);
    const second = created.body as { id: string; members: { personId: string }[] };
    await send('put', `/households/${second.id}/bank-account`, clerk.auth, {
      bankCode: '102',
      accountNo: accountNo(42),
      holderPersonId: second.members[0].personId,
    });
    await send('post', `/households/${second.id}/events`, clerk.auth, {
      type: 'CERTIFICATE_ISSUED',
      date: '1985-01-01',
      data: { certificateNo: 'OA-0001' },
    });
    await get(`/households?q=OA00`, clerk.auth);
    await get(`/households/${householdId}`, clerk.auth);
    await get(`/households/${householdId}`, finance.auth);
    await get(`/households/${householdId}/events`, clerk.auth);
    await get(`/households/${householdId}/eligibility?asOf=2012-12-31`, clerk.auth);
    await get(
      `/households/${householdId}/benefit-amounts?policyCode=RURAL_REWARD&period=2012&personId=${headPersonId}`,
      clerk.auth,
    );
    await get(`/households/${householdId}/entitlements`, clerk.auth);
    await get(`/households/${householdId}/payments`, clerk.auth);

    // Enrollments: a draft, its life, the lists, the re-check job.
    const draft = await send('post', '/enrollments', clerk.auth, {
      householdId: second.id,
      policyCode: 'RURAL_REWARD',
      beneficiaryPersonId: second.members[0].personId,
      appliedOn: '2012-01-05',
    });
    expect(draft.status).toBe(201);
    const enrollment = draft.body.id as string;
    await send('post', `/enrollments/${enrollment}/submit`, clerk.auth);
    await send('post', `/enrollments/${enrollment}/publicize`, officer.auth);
    // The officer who publicized may not approve: a documented refusal.
    await send('post', `/enrollments/${enrollment}/approve`, officer.auth);
    await send('post', `/enrollments/${enrollment}/approve`, c.officer2.auth);
    await send('post', `/enrollments/${enrollment}/suspend`, officer.auth, { reason: '核查中' });
    await send('post', `/enrollments/${enrollment}/resume`, officer.auth);
    await get(`/enrollments/${enrollment}`, clerk.auth);
    await get('/enrollments?policyCode=RURAL_REWARD', clerk.auth);
    const recheck = await send('post', '/enrollments/recheck', officer.auth, { asOf: '2013-01-01' });
    await c.t.waitForJob(recheck.body.jobId, officer);

    // Money: budgets, a batch from creation to its lines, the ledger, the reports.
    await send('post', '/budgets/appropriations', finance.auth, {
      fiscalYear: 2013,
      policyCode: 'RURAL_REWARD',
      fundingLevel: 'CENTRAL',
      countyCode: COUNTY,
      amount: '5000.00',
    });
    await get('/budgets?fiscalYear=2012', finance.auth);
    const batch = await send('post', '/disbursement-batches', officer.auth, {
      policyCode: 'RURAL_REWARD',
      period: '2013',
      countyCode: COUNTY,
    });
    expect(batch.status).toBe(202);
    await c.t.waitForJob(batch.body.jobId, officer);
    await get(`/jobs/${batch.body.jobId}`, officer.auth);
    await get('/jobs?mine=true', officer.auth);
    await get('/disbursement-batches', officer.auth);
    await get(`/disbursement-batches/${batchId}`, officer.auth);
    await get(`/disbursement-batches/${batchId}/lines`, finance.auth);
    await get(`/disbursement-batches/${batchId}/lines`, officer.auth);
    await send('post', `/disbursement-batches/${batch.body.batch.id}/submit`, officer.auth);
    await send('post', `/disbursement-batches/${batch.body.batch.id}/reject`, finance.auth, { reason: '金额待核' });
    await get(`/ledger/accounts?fiscalYear=2012`, finance.auth);
    await get(`/ledger/transfers?batchId=${batchId}`, finance.auth);
    await get('/ledger/verify', auditor.auth);
    for (const report of ['budget-execution', 'beneficiaries', 'failed-payments', 'arrears']) {
      await get(`/reports/${report}?fiscalYear=2012&format=json`, finance.auth);
    }

    // The auditor's views.
    await get(`/audit/events?entityType=disbursement_batch&limit=20`, auditor.auth);
    await send('post', '/audit/seal', admin.auth);
    await get('/audit/verify', auditor.auth);
    await get(`/audit/trace/households/${householdId}`, auditor.auth);
    await get(`/audit/trace/batches/${batchId}?limit=10`, auditor.auth);

    // Refusals: each a problem whose status and code the route documents.
    const refusals = [
      await c.t
        .http()
        .get(`${API}/households/${householdId}`)
        .then((r) => check('get', `${API}/households/x`, r)),
      await get(`/households/00000000-0000-4000-8000-000000000000`, clerk.auth),
      await get(`/enrollments/not-a-uuid`, clerk.auth),
      await send('post', '/enrollments', clerk.auth, { householdId: second.id, policyCode: 'NO_SUCH', extra: 1 }),
      await send('post', '/disbursement-batches', auditor.auth, {
        policyCode: 'RURAL_REWARD',
        period: '2013',
        countyCode: COUNTY,
      }),
      await send('post', `/disbursement-batches/${batchId}/approve`, finance.auth),
      await send('post', `/disbursement-batches/${batchId}/bank-results`, finance.auth, {}),
      await send('post', '/households', clerk.auth, {
        householdNo: 'OA002',
        regionCode: VILLAGE,
        address: '重复',
        members: [{ idNumber: idNumber('1960-01-01', 'M'), name: '丁', relation: 'HEAD', hukouType: 'RURAL' }],
      }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 404, 400, 400, 403, 409, 400, 409]);

    expect(failures).toEqual([]);
    // Every route walked above was validated against a schema, not skipped.
    expect(new Set(seen.map((key) => key.split(' ').slice(0, 2).join(' '))).size).toBeGreaterThan(50);
  });
});
