import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { residentId } from '../support/fixtures.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/**
 * The registry import as a job (POST /households/import-jobs, followed through GET /jobs/:id), and
 * the parent links of a household's members (GET /households/:id/parents): the console's import
 * page and household page read them.
 */
describe('registry import jobs and parent links (e2e)', () => {
  let t: TestApp;
  let clerk: SignedInUser;
  let otherClerk: SignedInUser;
  const VILLAGE = '410122101201';
  const dataDir = mkdtempSync(join(tmpdir(), 'yk-import-jobs-'));
  const HEADER = 'household_no,region_code,address,id_number,name,relation,hukou_type,birth_order';
  const head = residentId('19600101', 101);
  const spouse = residentId('19620202', 102);
  const child = residentId('19880303', 111);
  const csv = (spouseId: string) =>
    [
      HEADER,
      `HJ-1,${VILLAGE},韩寺村一组 1 号,${head},赵大山,HEAD,RURAL,`,
      `HJ-1,,,${spouseId},钱小花,SPOUSE,RURAL,`,
      `HJ-1,,,${child},赵小川,CHILD,RURAL,1`,
    ].join('\n') + '\n';

  const start = (body: string, user: SignedInUser, query = '') =>
    t
      .http()
      .post(`${API}/households/import-jobs${query}`)
      .set('Authorization', user.auth)
      .attach('file', Buffer.from(body), { filename: 'registry.csv', contentType: 'text/csv' });
  const persons = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM persons`))[0].n as number;
  const uploadsLeft = () => readdirSync(join(dataDir, 'imports'));

  beforeAll(async () => {
    t = await createTestApp({ env: { DATA_DIR: dataDir } });
    const admin = await t.signIn('ADMIN', '410100');
    await t.http().post(`${API}/regions`).set('Authorization', admin.auth).send({ code: VILLAGE, name: '韩寺村' });
    clerk = await t.signIn('CLERK', '410122101');
    otherClerk = await t.signIn('CLERK', '410122102');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 202 with a job whose failure lists the bad row, and writes nothing', async () => {
    const wrong = spouse.slice(0, 17) + (spouse[17] === '0' ? '1' : '0');
    const accepted = await start(csv(wrong), clerk).expect(202);
    expect(accepted.body).toEqual({ jobId: expect.any(String) });
    const job = await t.waitForJob(accepted.body.jobId, clerk);
    expect(job).toMatchObject({
      name: 'registry.import',
      state: 'failed',
      error: { status: 422, code: 'IMPORT_REJECTED', errors: [{ line: 3, field: 'id_number' }] },
    });
    // The problems are worded in the uploader's language: Chinese unless the upload asked for English.
    expect(job).toMatchObject({
      error: { title: '无法处理的内容', errors: [{ message: expect.stringMatching(/^校验码为/) }] },
    });
    const english = await start(csv(wrong), clerk).set('Accept-Language', 'en').expect(202);
    expect(await t.waitForJob(english.body.jobId, clerk)).toMatchObject({
      state: 'failed',
      error: {
        code: 'IMPORT_REJECTED',
        title: 'Unprocessable Content',
        errors: [{ line: 3, field: 'id_number', message: expect.stringMatching(/^the check character is/) }],
      },
    });
    expect(await persons()).toBe(0);
    expect(uploadsLeft()).toEqual([]);
    // The job is the uploader's: a clerk of another township does not see it.
    await t.http().get(`${API}/jobs/${accepted.body.jobId}`).set('Authorization', otherClerk.auth).expect(404);
  });

  it('checks a good file without writing, then imports it as the uploader, with progress 100', async () => {
    const dry = await start(csv(spouse), clerk, '?dryRun=true').expect(202);
    expect(await t.waitForJob(dry.body.jobId, clerk)).toMatchObject({
      state: 'completed',
      progress: 100,
      result: { dryRun: true, households: 1, persons: 3 },
    });
    expect(await persons()).toBe(0);

    const run = await start(csv(spouse), clerk).expect(202);
    expect(await t.waitForJob(run.body.jobId, clerk)).toMatchObject({
      state: 'completed',
      progress: 100,
      result: { dryRun: false, households: 1, persons: 3 },
    });
    expect(await persons()).toBe(3);
    expect(uploadsLeft()).toEqual([]);
    const audit = await t.dataSource.query(
      `SELECT DISTINCT actor_username, actor_role, address IS NOT NULL AS "fromWhere", request_id IS NOT NULL AS "request"
         FROM audit_events WHERE action = 'household.registered'`,
    );
    expect(audit).toEqual([{ actor_username: clerk.username, actor_role: 'CLERK', fromWhere: true, request: true }]);
  });

  it('refuses a request without a file', async () => {
    const response = await t
      .http()
      .post(`${API}/households/import-jobs`)
      .set('Authorization', clerk.auth)
      .field('other', 'x')
      .expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'file' }] });
  });

  it("lists each member's mother and father, and hides another township's household", async () => {
    const found = await t.http().get(`${API}/households?q=HJ-1`).set('Authorization', clerk.auth).expect(200);
    const householdId = found.body.items[0].id as string;
    const household = await t.http().get(`${API}/households/${householdId}`).set('Authorization', clerk.auth);
    const idOf = (name: string) =>
      (household.body.members as { name: string; personId: string }[]).find((m) => m.name === name)!.personId;
    const answer = await t
      .http()
      .get(`${API}/households/${householdId}/parents`)
      .set('Authorization', clerk.auth)
      .expect(200);
    const byPerson = new Map((answer.body.items as { personId: string }[]).map((item) => [item.personId, item]));
    expect(byPerson.get(idOf('赵小川'))).toEqual({
      personId: idOf('赵小川'),
      mother: { personId: idOf('钱小花'), name: '钱小花', member: true },
      father: { personId: idOf('赵大山'), name: '赵大山', member: true },
    });
    expect(byPerson.get(idOf('赵大山'))).toMatchObject({ mother: null, father: null });
    await t.http().get(`${API}/households/${householdId}/parents`).set('Authorization', otherClerk.auth).expect(404);
  });
});
