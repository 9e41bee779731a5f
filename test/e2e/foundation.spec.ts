import { Injectable, Module } from '@nestjs/common';
import { JobProcessor, type JobContext, type JobHandler } from '../../src/modules/jobs/job-processor.js';
import { JobsService } from '../../src/modules/jobs/jobs.service.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** A processor that exists only in this test: reports progress in steps and echoes its input. */
@Injectable()
@JobProcessor('test.echo')
class EchoProcessor implements JobHandler<{ steps: number; fail?: boolean }> {
  async run(job: JobContext<{ steps: number; fail?: boolean }>) {
    for (let step = 1; step <= job.data.steps; step++) await job.progress((step / job.data.steps) * 100);
    if (job.data.fail) throw new Error('asked to fail');
    return { echoed: job.data.steps, attempt: job.attempt };
  }
}

@Module({ providers: [EchoProcessor] })
class EchoModule {}

describe('foundation (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;
  let officer: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp({ imports: [EchoModule] });
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    officer = await t.signIn('OFFICER', '410122');
  });
  afterAll(() => t?.close());

  it('answers health with the database and the queue up', async () => {
    const response = await t.http().get(`${API}/health`).expect(200);
    expect(response.body).toMatchObject({ status: 'ok', db: 'up', queue: 'up' });
    expect(response.body.queueMode).toBe(process.env.REDIS_URL ? 'bull' : 'in-process');
  });

  describe('login', () => {
    it('returns a token and the user for good credentials', async () => {
      const response = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ username: clerk.username, password: clerk.password })
        .expect(200);
      expect(response.body.accessToken).toEqual(expect.any(String));
      expect(response.body.user).toEqual({
        id: clerk.id,
        username: clerk.username,
        role: 'CLERK',
        regionCode: '410122101',
      });
    });

    it('refuses a wrong password with 401 problem details and audits it', async () => {
      const response = await t
        .http()
        .post(`${API}/auth/login`)
        .set('X-Request-Id', 'bad-login-1')
        .send({ username: clerk.username, password: 'wrong-password' })
        .expect(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', requestId: 'bad-login-1' });
      const audit = await t.dataSource.query(
        `SELECT action, entity_id, request_id, address FROM audit_events WHERE request_id = 'bad-login-1'`,
      );
      expect(audit).toEqual([
        {
          action: 'auth.login_failed',
          entity_id: clerk.username,
          request_id: 'bad-login-1',
          address: expect.any(String),
        },
      ]);
    });

    it('answers 429 after 10 failed attempts a minute for one username and address', async () => {
      const victim = await t.signIn('CLERK', '410122102');
      for (let attempt = 1; attempt <= 10; attempt++) {
        await t.http().post(`${API}/auth/login`).send({ username: victim.username, password: 'nope-nope' }).expect(401);
      }
      const blocked = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ username: victim.username, password: victim.password })
        .expect(429);
      expect(blocked.body).toMatchObject({ code: 'TOO_MANY_LOGIN_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
      // Another account from the same address is not affected.
      await t.http().post(`${API}/auth/login`).send({ username: clerk.username, password: clerk.password }).expect(200);
    });
  });

  describe('authentication and roles', () => {
    it('answers 401 without a token and with a forged one', async () => {
      await t.http().get(`${API}/regions`).expect(401);
      const forged = await t.http().get(`${API}/regions`).set('Authorization', 'Bearer not.a.token').expect(401);
      expect(forged.body.code).toBe('UNAUTHENTICATED');
    });

    it('answers 403 for the wrong role', async () => {
      const response = await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', clerk.auth)
        .send({ code: '410122101299', name: '测试村' })
        .expect(403);
      expect(response.body).toMatchObject({ code: 'ROLE_FORBIDDEN', status: 403 });
    });

    it('stops a disabled user’s token at once', async () => {
      const leaver = await t.signIn('AUDITOR', '410122');
      await t.http().get(`${API}/regions`).set('Authorization', leaver.auth).expect(200);
      await t
        .http()
        .patch(`${API}/users/${leaver.id}`)
        .set('Authorization', admin.auth)
        .send({ disabled: true })
        .expect(200);
      await t.http().get(`${API}/regions`).set('Authorization', leaver.auth).expect(401);
      await t
        .http()
        .post(`${API}/auth/login`)
        .send({ username: leaver.username, password: leaver.password })
        .expect(401);
    });
  });

  describe('validation', () => {
    it('refuses an unknown field with 400 VALIDATION_FAILED as problem+json', async () => {
      const response = await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', admin.auth)
        .send({ code: '410122101298', name: '测试村', color: 'red' })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: expect.any(String),
        title: expect.any(String),
        status: 400,
        detail: expect.any(String),
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'color', message: expect.any(String) }],
      });
      const created = await t.dataSource.query(`SELECT 1 FROM regions WHERE code = '410122101298'`);
      expect(created).toHaveLength(0);
    });

    it('refuses malformed JSON with 400 and no internals', async () => {
      const response = await t
        .http()
        .post(`${API}/auth/login`)
        .set('Content-Type', 'application/json')
        .send('{"username":')
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(response.body)).not.toMatch(/node_modules|at .*\.js/);
    });
  });

  describe('regions', () => {
    it('lists the 15 county-level units of the city and the townships of a county', async () => {
      const counties = await t.http().get(`${API}/regions?parent=410100`).set('Authorization', clerk.auth).expect(200);
      expect(counties.body.items).toHaveLength(15);
      expect(counties.body.nextCursor).toBeNull();
      expect(counties.body.items).toContainEqual({
        code: '410122',
        name: '中牟县',
        parentCode: '410100',
        level: 'COUNTY',
      });
      const townships = await t.http().get(`${API}/regions?parent=410122`).set('Authorization', clerk.auth).expect(200);
      expect(townships.body.items.map((r: { code: string }) => r.code)).toContain('410122101');
      const page = await t
        .http()
        .get(`${API}/regions?parent=410100&limit=10`)
        .set('Authorization', clerk.auth)
        .expect(200);
      const rest = await t
        .http()
        .get(`${API}/regions?parent=410100&limit=10&cursor=${page.body.nextCursor}`)
        .set('Authorization', clerk.auth)
        .expect(200);
      expect([...page.body.items, ...rest.body.items].map((r: { code: string }) => r.code)).toEqual(
        counties.body.items.map((r: { code: string }) => r.code),
      );
    });

    it('lets an admin add a village under an existing township, once, and audits it', async () => {
      const body = { code: '410122101203', name: '新村' };
      const created = await t.http().post(`${API}/regions`).set('Authorization', admin.auth).send(body).expect(201);
      expect(created.body).toEqual({ code: '410122101203', name: '新村', parentCode: '410122101', level: 'VILLAGE' });
      const again = await t.http().post(`${API}/regions`).set('Authorization', admin.auth).send(body).expect(409);
      expect(again.body.code).toBe('REGION_EXISTS');
      const audit = await t.dataSource.query(
        `SELECT actor_id, action FROM audit_events WHERE entity_type = 'region' AND entity_id = '410122101203'`,
      );
      expect(audit).toEqual([{ actor_id: admin.id, action: 'region.created' }]);
    });

    it('refuses a code whose parent does not exist or whose shape is wrong', async () => {
      const orphan = await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', admin.auth)
        .send({ code: '410122999001', name: '无主村' })
        .expect(400);
      expect(orphan.body.errors[0].message).toBe('上级区划 410122999 不存在');
      await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', admin.auth)
        .send({ code: '4101221', name: '坏' })
        .expect(400);
    });
  });

  describe('jobs and region scope', () => {
    it('runs a job through the configured runner and reports its progress and result', async () => {
      const jobs = t.app.get(JobsService);
      const id = await jobs.enqueue('test.echo', { steps: 4 }, { regionCode: '410122' });
      const done = await t.waitForJob(id, officer);
      expect(done).toMatchObject({ id, state: 'completed', progress: 100, result: { echoed: 4, attempt: 1 } });
    });

    it('records a failing job as failed with a problem, not internals', async () => {
      const id = await t.app.get(JobsService).enqueue('test.echo', { steps: 1, fail: true }, { regionCode: '410122' });
      const done = await t.waitForJob(id, officer);
      expect(done).toMatchObject({ state: 'failed', error: { code: 'INTERNAL_ERROR', status: 500 } });
      expect(JSON.stringify(done.error)).not.toContain('asked to fail');
    });

    it('gives the same job back for the same dedupe key', async () => {
      const jobs = t.app.get(JobsService);
      const first = await jobs.enqueue('test.echo', { steps: 1 }, { dedupeKey: 'echo-once', regionCode: '410122' });
      const second = await jobs.enqueue('test.echo', { steps: 1 }, { dedupeKey: 'echo-once', regionCode: '410122' });
      expect(second).toBe(first);
    });

    it('shows a job only to users whose region covers it', async () => {
      const id = await t.app.get(JobsService).enqueue('test.echo', { steps: 1 }, { regionCode: '410122' });
      await t.waitForJob(id, officer);
      const otherCounty = await t.signIn('OFFICER', '410102');
      await t.http().get(`${API}/jobs/${id}`).set('Authorization', otherCounty.auth).expect(404);
      const city = await t.signIn('AUDITOR', '410100');
      await t.http().get(`${API}/jobs/${id}`).set('Authorization', city.auth).expect(200);
    });
  });

  it('publishes the OpenAPI document with the roles of each route', async () => {
    const response = await t.http().get('/api/docs-json').expect(200);
    expect(response.body.paths['/api/v1/regions'].post.description).toContain('ADMIN');
    expect(response.body.paths['/api/v1/auth/login']).toBeDefined();
  });
});
