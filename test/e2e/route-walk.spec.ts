import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/common/auth/roles.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { accountNo, ensureVillage, idNumber, registerHousehold } from '../support/fixtures.js';

/**
 * Two walks over every mutating route of the OpenAPI document:
 *  - read-only means read-only: an AUDITOR token is refused (403) by each of them;
 *  - completeness: each, called as a role it allows with a request that succeeds, writes at least
 *    one audit event under its request id whenever it changed any application table.
 * A mutating route without a sample below fails the completeness walk, so a new route cannot be
 * forgotten; a route that changes data without auditing fails it too, and is named.
 */

const VILLAGE = '410122101201';
const COUNTY = '410122';
const MUTATING = ['post', 'put', 'patch', 'delete'] as const;
/** GET routes known to change data (the first bank-file download exports the batch). */
const MUTATING_GETS = ['GET /api/v1/disbursement-batches/{id}/bank-file'];
/**
 * Routes on the caller's own account, open to every signed-in user, AUDITOR included: an auditor
 * changes nothing in the records, but must be able to change their own password.
 */
const OWN_ACCOUNT = ['POST /api/v1/auth/password'];
/** Tables of the audit trail itself, left out of the "did the request change data" checksum. */
const AUDIT_TABLES = ['audit_events', 'audit_blocks', 'audit_seal_state'];

interface Operation {
  key: string;
  method: string;
  path: string;
  public: boolean;
  roles: Role[] | 'ANY';
}

interface Users {
  admin: SignedInUser;
  clerk: SignedInUser;
  officer: SignedInUser;
  officer2: SignedInUser;
  finance: SignedInUser;
  auditor: SignedInUser;
}

interface Sample {
  /** Who calls it (must be one of the route's roles); null for a public route. */
  as: keyof Users | null;
  /** Runs first, unmeasured: creates what the request needs. */
  prepare?: () => Promise<void>;
  /** The concrete path, the body and its content type. */
  request: () => { path: string; body?: unknown; contentType?: string; headers?: Record<string, string> };
  status: number;
  /** Reads what later samples need from the answer. */
  after?: (body: Record<string, unknown>) => void;
}

function operations(document: {
  paths: Record<string, Record<string, { description?: string; security?: unknown[] }>>;
}) {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (!(MUTATING as readonly string[]).includes(method) && !MUTATING_GETS.includes(key)) continue;
      const declared = /Roles: ([^.]+)\./.exec(op.description ?? '')?.[1];
      found.push({
        key,
        method,
        path,
        public: !declared && !op.security,
        roles: declared === undefined || declared === 'any signed-in user' ? 'ANY' : (declared.split(', ') as Role[]),
      });
    }
  }
  return found;
}

/** A plausible value for a path parameter, so that only the guard can refuse the request. */
const placeholder = (path: string) =>
  path
    .replace('{code}', 'RURAL_REWARD')
    .replace('{transferId}', '1')
    .replace(/\{[A-Za-z]+\}/g, '00000000-0000-4000-8000-000000000000');

describe('route walks over the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let users: Users;
  let ops: Operation[];

  /** Row count and content hash of every application table. */
  async function footprint(): Promise<Map<string, string>> {
    const tables = (await t.dataSource.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1)) ORDER BY 1`,
      [AUDIT_TABLES],
    )) as { tablename: string }[];
    const sql = tables
      .map(
        ({ tablename }) =>
          `SELECT '${tablename}' AS t, count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text AS h FROM "${tablename}" x`,
      )
      .join(' UNION ALL ');
    const rows = (await t.dataSource.query(sql)) as { t: string; h: string }[];
    return new Map(rows.map((r) => [r.t, r.h]));
  }

  const verb = (method: string, url: string) => {
    const agent = t.http();
    switch (method) {
      case 'get':
        return agent.get(url);
      case 'put':
        return agent.put(url);
      case 'patch':
        return agent.patch(url);
      case 'delete':
        return agent.delete(url);
      default:
        return agent.post(url);
    }
  };

  const changed = (before: Map<string, string>, after: Map<string, string>) =>
    [...after.keys()].filter((table) => before.get(table) !== after.get(table));

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } });
    users = {
      admin: await t.signIn('ADMIN', '410100'),
      clerk: await t.signIn('CLERK', '410122101'),
      officer: await t.signIn('OFFICER', COUNTY),
      officer2: await t.signIn('OFFICER', COUNTY),
      finance: await t.signIn('FINANCE', COUNTY),
      auditor: await t.signIn('AUDITOR', '410100'),
    };
    await ensureVillage(t, users.admin, VILLAGE);
    const document = (await t.http().get('/api/docs-json').expect(200)).body;
    ops = operations(document);
    expect(ops.length).toBeGreaterThan(20);
  });
  afterAll(() => t?.close());

  it('refuses an AUDITOR on every mutating route (403)', async () => {
    const wrong: string[] = [];
    for (const op of ops.filter((o) => !o.public && !OWN_ACCOUNT.includes(o.key))) {
      const before = await footprint();
      const response = await verb(op.method, placeholder(op.path)).set('Authorization', users.auditor.auth).send({});
      if (response.status !== 403) wrong.push(`${op.key}: ${response.status} ${response.body?.code ?? ''}`);
      const touched = changed(before, await footprint());
      if (touched.length > 0) wrong.push(`${op.key} changed ${touched.join(', ')}`);
    }
    expect(wrong).toEqual([]);
    // And every one of them declares its roles, none of them AUDITOR.
    const open = ops.filter(
      (o) => !o.public && !OWN_ACCOUNT.includes(o.key) && (o.roles === 'ANY' || o.roles.includes('AUDITOR')),
    );
    expect(open.map((o) => o.key)).toEqual([]);
  });

  it('audits every mutating route that changes data', async () => {
    const state: Record<string, string> = {};
    const u = () => users;
    const clerkHousehold = async (
      no: string,
      members: {
        name: string;
        relation: string;
        birthDate: string;
        sex: 'M' | 'F';
        birthOrder?: number;
        complicationGrade?: number;
      }[],
      seed?: number,
    ) => {
      const family = await registerHousehold(t, u().clerk, {
        householdNo: no,
        regionCode: VILLAGE,
        bankAccountSeed: seed,
        members: members as never,
        ...(no.startsWith('C') ? { certificate: { certificateNo: `CERT-${no}`, issuedOn: '1999-01-01' } } : {}),
      });
      return family;
    };
    const call = async (user: SignedInUser, method: 'post' | 'put', path: string, body?: object) => {
      const response = await verb(method, `${API}${path}`)
        .set('Authorization', user.auth)
        .send(body ?? {});
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
      return response.body;
    };
    const openEnrollment = async (householdId: string, personId: string, to: 'SUBMITTED' | 'ACTIVE' | 'DRAFT') => {
      const e = await call(u().clerk, 'post', '/enrollments', {
        householdId,
        policyCode: 'RURAL_REWARD',
        beneficiaryPersonId: personId,
        appliedOn: '2012-01-05',
      });
      if (to === 'DRAFT') return e.id as string;
      await call(u().clerk, 'post', `/enrollments/${e.id}/submit`);
      if (to === 'ACTIVE') {
        await call(u().officer, 'post', `/enrollments/${e.id}/publicize`);
        await call(u().officer2, 'post', `/enrollments/${e.id}/approve`);
      }
      return e.id as string;
    };
    const person = (family: Awaited<ReturnType<typeof registerHousehold>>, relation: string) =>
      family.members.find((m) => m.relation === relation)!.personId;
    const ruralRule = { all: [{ fact: 'person.ageAtYearEnd', op: 'ge', value: 60 }] };
    const centralShares = { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' };
    const importCsv = [
      'household_no,region_code,address,id_number,name,relation,hukou_type',
      `WIMP1,${VILLAGE},导入村1号,${idNumber('1960-01-01', 'M')},导入户主,HEAD,RURAL`,
    ].join('\n');

    const SAMPLES: Record<string, Sample> = {
      'POST /api/v1/regions': {
        as: 'admin',
        request: () => ({ path: '/regions', body: { code: '410122101202', name: '走查村' } }),
        status: 201,
      },
      'PUT /api/v1/bank-formats/counties/{countyCode}': {
        as: 'admin',
        // The default format, chosen explicitly: the walk's bank files stay the CSV.
        request: () => ({ path: `/bank-formats/counties/${COUNTY}`, body: { formatCode: 'CSV_UTF8' } }),
        status: 200,
      },
      'POST /api/v1/users': {
        as: 'admin',
        request: () => ({
          path: '/users',
          body: { username: 'walk.user', password: 'a-long-password-1', role: 'CLERK', regionCode: '410122101' },
        }),
        status: 201,
        after: (body) => (state.userId = String(body.id)),
      },
      'PATCH /api/v1/users/{id}': {
        as: 'admin',
        request: () => ({ path: `/users/${state.userId}`, body: { disabled: true } }),
        status: 200,
      },
      'POST /api/v1/auth/login': {
        as: null,
        request: () => ({ path: '/auth/login', body: { username: u().clerk.username, password: u().clerk.password } }),
        status: 200,
      },
      'POST /api/v1/auth/password': {
        as: 'finance',
        request: () => ({
          path: '/auth/password',
          body: { currentPassword: u().finance.password, newPassword: 'walk-new-password-1' },
        }),
        status: 204,
      },
      'POST /api/v1/households': {
        as: 'clerk',
        request: () => {
          const head = idNumber('1952-03-10', 'M');
          return {
            path: '/households',
            body: {
              householdNo: 'A001',
              regionCode: VILLAGE,
              address: '走查村1号',
              members: [
                { idNumber: head, name: '甲父', relation: 'HEAD', hukouType: 'RURAL' },
                { idNumber: idNumber('1956-05-01', 'F'), name: '甲母', relation: 'SPOUSE', hukouType: 'RURAL' },
                {
                  idNumber: idNumber('1980-05-05', 'M'),
                  name: '甲子',
                  relation: 'CHILD',
                  hukouType: 'RURAL',
                  birthOrder: 1,
                },
              ],
              bankAccount: { bankCode: '102', accountNo: accountNo(1), holderIdNumber: head },
            },
          };
        },
        status: 201,
        after: (body) => {
          state.householdA = String(body.id);
          state.fatherA = (body.members as { personId: string; relation: string }[]).find(
            (m) => m.relation === 'HEAD',
          )!.personId;
        },
      },
      'POST /api/v1/households/import': {
        as: 'clerk',
        request: () => ({ path: '/households/import', body: importCsv, contentType: 'text/csv' }),
        status: 200,
      },
      'POST /api/v1/households/import-jobs': {
        as: 'clerk',
        request: () => ({
          path: '/households/import-jobs',
          contentType: 'multipart/form-data; boundary=walk-boundary',
          body: [
            '--walk-boundary',
            'Content-Disposition: form-data; name="file"; filename="walk.csv"',
            'Content-Type: text/csv',
            '',
            'household_no,region_code,address,id_number,name,relation,hukou_type',
            `WIMP2,${VILLAGE},导入村2号,${idNumber('1961-01-01', 'M')},导入户主二,HEAD,RURAL`,
            '--walk-boundary--',
            '',
          ].join('\r\n'),
        }),
        status: 202,
      },
      'POST /api/v1/households/{id}/events': {
        as: 'clerk',
        prepare: async () => {
          const b = await clerkHousehold(
            'B001',
            [
              { name: '乙父', relation: 'HEAD', birthDate: '1952-07-01', sex: 'M' },
              { name: '乙母', relation: 'SPOUSE', birthDate: '1950-02-01', sex: 'F' },
              { name: '乙子', relation: 'CHILD', birthDate: '1980-05-05', sex: 'M', birthOrder: 1 },
            ],
            2,
          );
          state.householdB = b.id;
          state.fatherB = person(b, 'HEAD');
          state.motherB = person(b, 'SPOUSE');
          state.sonB = person(b, 'CHILD');
        },
        request: () => ({
          path: `/households/${state.householdB}/events`,
          body: { type: 'DISABILITY_ASSESSED', personId: state.sonB, date: '2010-01-01', data: { grade: 4 } },
        }),
        status: 201,
      },
      'PUT /api/v1/households/{id}/bank-account': {
        as: 'clerk',
        request: () => ({
          path: `/households/${state.householdB}/bank-account`,
          body: { bankCode: '102', accountNo: accountNo(22), holderPersonId: state.fatherB },
        }),
        status: 200,
      },
      'POST /api/v1/households/{id}/entitlements': {
        as: 'clerk',
        prepare: async () => {
          const c = await clerkHousehold('C001', [
            { name: '丙父', relation: 'HEAD', birthDate: '1952-12-31', sex: 'M' },
            { name: '丙母', relation: 'SPOUSE', birthDate: '1955-03-01', sex: 'F' },
            { name: '丙子', relation: 'CHILD', birthDate: '1998-06-15', sex: 'M', birthOrder: 1 },
          ]);
          state.householdC = c.id;
          state.sonC = person(c, 'CHILD');
        },
        request: () => ({
          path: `/households/${state.householdC}/entitlements`,
          body: { policyCode: 'EXAM_BONUS', personId: state.sonC, asOf: '2012-09-01' },
        }),
        status: 201,
      },
      'POST /api/v1/policies/{code}/versions': {
        as: 'admin',
        request: () => ({
          path: '/policies/RURAL_REWARD/versions',
          body: {
            effectiveFrom: '2030-01-01',
            rule: ruralRule,
            amount: { kind: 'FIXED', amount: '1200.00' },
            fundingShares: centralShares,
          },
        }),
        status: 201,
        after: (body) => (state.versionId = String(body.id)),
      },
      'PUT /api/v1/policies/{code}/versions/{id}': {
        as: 'admin',
        request: () => ({
          path: `/policies/RURAL_REWARD/versions/${state.versionId}`,
          body: { rule: ruralRule, amount: { kind: 'FIXED', amount: '1300.00' }, fundingShares: centralShares },
        }),
        status: 200,
      },
      'POST /api/v1/enrollments': {
        as: 'clerk',
        request: () => ({
          path: '/enrollments',
          body: {
            householdId: state.householdA,
            policyCode: 'RURAL_REWARD',
            beneficiaryPersonId: state.fatherA,
            appliedOn: '2012-01-05',
          },
        }),
        status: 201,
        after: (body) => (state.e1 = String(body.id)),
      },
      'POST /api/v1/enrollments/{id}/submit': {
        as: 'clerk',
        request: () => ({ path: `/enrollments/${state.e1}/submit` }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/publicize': {
        as: 'officer',
        request: () => ({ path: `/enrollments/${state.e1}/publicize` }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/approve': {
        as: 'officer2',
        request: () => ({ path: `/enrollments/${state.e1}/approve` }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/suspend': {
        as: 'officer',
        prepare: async () => {
          state.e2 = await openEnrollment(state.householdB, state.fatherB, 'ACTIVE');
        },
        request: () => ({ path: `/enrollments/${state.e2}/suspend`, body: { reason: '走查' } }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/resume': {
        as: 'officer',
        request: () => ({ path: `/enrollments/${state.e2}/resume` }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/terminate': {
        as: 'officer',
        request: () => ({ path: `/enrollments/${state.e2}/terminate`, body: { reason: '走查' } }),
        status: 200,
      },
      'POST /api/v1/enrollments/{id}/reject': {
        as: 'officer',
        prepare: async () => {
          state.e3 = await openEnrollment(state.householdB, state.motherB, 'SUBMITTED');
        },
        request: () => ({ path: `/enrollments/${state.e3}/reject`, body: { reason: '走查' } }),
        status: 200,
      },
      'POST /api/v1/enrollments/bulk/publicize': {
        as: 'officer',
        prepare: async () => {
          state.e4 = await openEnrollment(state.householdB, state.motherB, 'SUBMITTED');
        },
        request: () => ({ path: '/enrollments/bulk/publicize', body: { ids: [state.e4] } }),
        status: 200,
      },
      'POST /api/v1/enrollments/bulk/approve': {
        as: 'officer2',
        request: () => ({ path: '/enrollments/bulk/approve', body: { ids: [state.e4] } }),
        status: 200,
      },
      'POST /api/v1/enrollments/recheck': {
        as: 'officer',
        request: () => ({ path: '/enrollments/recheck', body: { asOf: '2012-12-31' } }),
        status: 202,
      },
      'POST /api/v1/enrollments/import': {
        as: 'admin',
        prepare: async () => {
          const roll = await clerkHousehold('CROLL', [
            { name: '丙父', relation: 'HEAD', birthDate: '1975-03-01', sex: 'M' },
            { name: '丙母', relation: 'SPOUSE', birthDate: '1976-04-01', sex: 'F' },
            { name: '丙女', relation: 'CHILD', birthDate: '2005-05-05', sex: 'F', birthOrder: 1 },
          ]);
          state.rollHead = roll.members.find((m) => m.relation === 'HEAD')!.idNumber;
        },
        request: () => ({
          path: '/enrollments/import',
          body: `policy_code,id_number,applied_on,approved_on,approved_by_name\nOCP_REWARD,${state.rollHead},2010-01-05,2010-02-01,走查\n`,
          contentType: 'text/csv',
        }),
        status: 200,
      },
      'POST /api/v1/budgets/appropriations': {
        as: 'finance',
        request: () => ({
          path: '/budgets/appropriations',
          body: {
            fiscalYear: 2012,
            policyCode: 'RURAL_REWARD',
            fundingLevel: 'CENTRAL',
            countyCode: COUNTY,
            amount: '5000.00',
          },
        }),
        status: 201,
      },
      'POST /api/v1/budgets/appropriations/{transferId}/reverse': {
        as: 'finance',
        prepare: async () => {
          for (const [fundingLevel, amount] of Object.entries({
            PROVINCIAL: '3000.00',
            MUNICIPAL: '1000.00',
            COUNTY: '1000.00',
          })) {
            await call(u().finance, 'post', '/budgets/appropriations', {
              fiscalYear: 2012,
              policyCode: 'RURAL_REWARD',
              fundingLevel,
              countyCode: COUNTY,
              amount,
            });
          }
          const extra = await call(u().finance, 'post', '/budgets/appropriations', {
            fiscalYear: 2012,
            policyCode: 'RURAL_REWARD',
            fundingLevel: 'COUNTY',
            countyCode: COUNTY,
            amount: '10.00',
          });
          state.transferId = String(extra.transferId);
        },
        request: () => ({ path: `/budgets/appropriations/${state.transferId}/reverse` }),
        status: 201,
      },
      'POST /api/v1/disbursement-batches': {
        as: 'officer',
        request: () => ({
          path: '/disbursement-batches',
          body: { policyCode: 'RURAL_REWARD', period: '2012', countyCode: COUNTY },
        }),
        status: 202,
        after: (body) => (state.batch = String((body.batch as { id: string }).id)),
      },
      'POST /api/v1/disbursement-batches/{id}/submit': {
        as: 'officer',
        request: () => ({ path: `/disbursement-batches/${state.batch}/submit` }),
        status: 200,
      },
      'POST /api/v1/disbursement-batches/{id}/approve': {
        as: 'finance',
        request: () => ({
          path: `/disbursement-batches/${state.batch}/approve`,
          headers: { 'Idempotency-Key': `walk-${state.batch}` },
        }),
        status: 200,
      },
      'GET /api/v1/disbursement-batches/{id}/bank-file': {
        as: 'finance',
        request: () => ({ path: `/disbursement-batches/${state.batch}/bank-file` }),
        status: 200,
      },
      'POST /api/v1/disbursement-batches/{id}/bank-results': {
        as: 'finance',
        prepare: async () => {
          const lines = (
            await t
              .http()
              .get(`${API}/disbursement-batches/${state.batch}/lines?limit=500`)
              .set('Authorization', u().finance.auth)
              .expect(200)
          ).body.items as { lineNo: number; accountNo: string; amount: string }[];
          expect(lines.length).toBeGreaterThan(0);
          state.results = [
            'line_no,account_no,amount,status,bank_ref,reason',
            ...lines.map((l) => `${l.lineNo},${l.accountNo},${l.amount},SUCCESS,WALK${l.lineNo},`),
          ].join('\n');
        },
        request: () => ({
          path: `/disbursement-batches/${state.batch}/bank-results`,
          body: state.results,
          contentType: 'text/csv',
        }),
        status: 200,
      },
      'POST /api/v1/disbursement-batches/{id}/close': {
        as: 'finance',
        request: () => ({ path: `/disbursement-batches/${state.batch}/close` }),
        status: 200,
      },
      'POST /api/v1/overpayments/recheck': {
        as: 'officer',
        request: () => ({ path: '/overpayments/recheck', body: {} }),
        status: 202,
      },
      'POST /api/v1/overpayments/{id}/refunds': {
        as: 'finance',
        prepare: async () => {
          // A death reported late: the father died before the year his 2012 reward was paid for.
          await call(u().clerk, 'post', `/households/${state.householdA}/events`, {
            type: 'DEATH',
            personId: state.fatherA,
            date: '2011-12-01',
          });
          const claims = (
            await t.http().get(`${API}/overpayments?status=OPEN`).set('Authorization', u().finance.auth).expect(200)
          ).body.items as { id: string; householdId: string }[];
          state.claim = claims.find((c) => c.householdId === state.householdA)!.id;
        },
        request: () => ({
          path: `/overpayments/${state.claim}/refunds`,
          body: { amount: '1.00', receiptNo: 'WALK-R1', date: '2013-01-10' },
        }),
        status: 201,
      },
      'POST /api/v1/overpayments/{id}/write-off': {
        as: 'officer',
        request: () => ({ path: `/overpayments/${state.claim}/write-off`, body: { reason: '走查' } }),
        status: 200,
      },
      'POST /api/v1/overpayments/{id}/write-off/reject': {
        as: 'finance',
        request: () => ({ path: `/overpayments/${state.claim}/write-off/reject`, body: { reason: '走查退回' } }),
        status: 200,
      },
      'POST /api/v1/overpayments/{id}/write-off/approve': {
        as: 'finance',
        // Proposed again (by the officer) after the rejection above.
        prepare: async () => {
          await call(u().officer, 'post', `/overpayments/${state.claim}/write-off`, { reason: '走查' });
        },
        request: () => ({ path: `/overpayments/${state.claim}/write-off/approve` }),
        status: 200,
      },
      'POST /api/v1/disbursement-batches/{id}/reject': {
        as: 'finance',
        prepare: async () => {
          const m = await clerkHousehold(
            'M001',
            [
              { name: '丁', relation: 'HEAD', birthDate: '1970-01-01', sex: 'F', complicationGrade: 2 },
              { name: '丁子', relation: 'CHILD', birthDate: '1995-01-01', sex: 'M', birthOrder: 1 },
            ],
            10,
          );
          const e = await call(u().clerk, 'post', '/enrollments', {
            householdId: m.id,
            policyCode: 'COMPLICATION_SUPPORT',
            beneficiaryPersonId: m.members[0].personId,
            appliedOn: '2012-01-05',
          });
          await call(u().clerk, 'post', `/enrollments/${e.id}/submit`);
          await call(u().officer, 'post', `/enrollments/${e.id}/publicize`);
          await call(u().officer2, 'post', `/enrollments/${e.id}/approve`);
          const created = await call(u().officer, 'post', '/disbursement-batches', {
            policyCode: 'COMPLICATION_SUPPORT',
            period: '2014-03',
            countyCode: COUNTY,
          });
          await t.waitForJob(created.jobId, u().officer);
          state.batch2 = created.batch.id;
          await call(u().officer, 'post', `/disbursement-batches/${state.batch2}/submit`);
        },
        request: () => ({ path: `/disbursement-batches/${state.batch2}/reject`, body: { reason: '走查' } }),
        status: 200,
      },
      'POST /api/v1/disbursement-batches/{id}/resume': {
        as: 'officer',
        prepare: async () => {
          const created = await call(u().officer, 'post', '/disbursement-batches', {
            policyCode: 'COMPLICATION_SUPPORT',
            period: '2014-04',
            countyCode: COUNTY,
          });
          await t.waitForJob(created.jobId, u().officer);
          state.batch3 = created.batch.id;
          // Setup only: a generation that could not finish (the crash drills make one for real).
          await t.dataSource.query(
            `UPDATE disbursement_batches SET status = 'GENERATION_FAILED', generation_error = '{"code":"JOB_INTERRUPTED"}'
              WHERE id = $1`,
            [state.batch3],
          );
        },
        request: () => ({ path: `/disbursement-batches/${state.batch3}/resume` }),
        status: 202,
      },
      'POST /api/v1/disbursement-batches/{id}/cancel': {
        as: 'officer',
        request: () => ({ path: `/disbursement-batches/${state.batch3}/cancel`, body: { reason: '走查' } }),
        status: 200,
      },
      'PATCH /api/v1/schedules/{name}': {
        as: 'admin',
        request: () => ({ path: '/schedules/chain-heads-export', body: { cron: '0 3 * * *' } }),
        status: 200,
      },
      'POST /api/v1/audit/seal': {
        as: 'admin',
        request: () => ({ path: '/audit/seal' }),
        status: 200,
      },
    };

    const byKey = new Map(ops.map((op) => [op.key, op]));
    const missing = ops.filter((op) => !SAMPLES[op.key]).map((op) => op.key);
    const stale = Object.keys(SAMPLES).filter((key) => !byKey.has(key));
    const unaudited: string[] = [];
    const failed: string[] = [];

    for (const [key, sample] of Object.entries(SAMPLES)) {
      const op = byKey.get(key);
      if (!op) continue;
      const user = sample.as ? users[sample.as] : null;
      if (user && op.roles !== 'ANY')
        expect({ key, role: user.role, allowed: op.roles.includes(user.role) }).toEqual({
          key,
          role: user.role,
          allowed: true,
        });
      await sample.prepare?.();
      const { path, body, contentType, headers } = sample.request();
      const requestId = `walk-${randomBytes(6).toString('hex')}`;
      const before = await footprint();
      let request = verb(op.method, `${API}${path}`).set('X-Request-Id', requestId);
      if (user) request = request.set('Authorization', user.auth);
      for (const [name, value] of Object.entries(headers ?? {})) request = request.set(name, value);
      if (contentType) request = request.set('Content-Type', contentType);
      const response = await (body === undefined ? request : request.send(body as object));
      if (response.status !== sample.status) {
        failed.push(`${key}: ${response.status} ${response.text.slice(0, 300)}`);
        continue;
      }
      sample.after?.(response.body as Record<string, unknown>);
      const jobId = (response.body as { jobId?: string } | undefined)?.jobId;
      if (jobId) await t.waitForJob(jobId, user!);
      const touched = changed(before, await footprint());
      const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1`, [
        requestId,
      ])) as { n: number }[];
      if (touched.length > 0 && n === 0) unaudited.push(`${key} changed ${touched.join(', ')} without an audit event`);
    }

    expect({ missing, stale, failed, unaudited }).toEqual({ missing: [], stale: [], failed: [], unaudited: [] });
  });
});
