import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../src/common/project-root.js';
import { API, createTestApp, type TestApp } from '../support/app.js';
import { appropriate, generate, signInCycle, type Cycle } from '../support/cycle.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** What an operator's probes and Prometheus see. */
describe('liveness, readiness and metrics', () => {
  let t: TestApp;
  let c: Cycle;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN } });
    c = await signInCycle(t);
  });
  afterAll(() => t?.close());

  it('live answers while the process runs; ready checks the database, the queue and the migrations', async () => {
    expect((await t.http().get(`${API}/health/live`).expect(200)).body).toEqual({ status: 'ok' });
    const ready = await t.http().get(`${API}/health/ready`).expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details).toMatchObject({
      db: { status: 'up' },
      queue: { status: 'up', mode: t.config.inProcessJobs ? 'in-process' : 'bull' },
      migrations: { status: 'up' },
    });
  });

  it('ready flips to 503 while the database refuses connections, and back once it accepts them', async () => {
    const admin = new pg.Client({ connectionString: process.env.YK_TEST_SERVER_URL });
    await admin.connect();
    const name = t.database.name;
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      const down = await t.http().get(`${API}/health/ready`);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'error', error: { db: { status: 'down' } } });
      expect((await t.http().get(`${API}/health/live`)).status).toBe(200); // alive, just not ready
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await t.http().get(`${API}/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it("behind a trusted proxy (TRUST_PROXY, loopback by default) the audited address is the client's", async () => {
    await t
      .http()
      .post(`${API}/auth/login`)
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ username: c.clerk.username, password: 'not-the-password' })
      .expect(401);
    const [event] = await t.dataSource.query(
      `SELECT address FROM audit_events WHERE action = 'auth.login_failed' AND entity_id = $1`,
      [c.clerk.username],
    );
    expect(event).toEqual({ address: '203.0.113.7' });
  });

  it('metrics need the bearer token when METRICS_TOKEN is set, at /metrics and /api/v1/metrics', async () => {
    for (const path of ['/metrics', `${API}/metrics`]) {
      const refused = await t.http().get(path);
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect((await t.http().get(path).set('Authorization', 'Bearer wrong-token-0123456789abc')).status).toBe(401);
      const scraped = await t.http().get(path).set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
    }
    // Prometheus's own path answers in the caller's language too (Chinese unless asked for English).
    const zh = await t.http().get('/metrics').expect(401);
    expect(zh.body).toMatchObject({ code: 'UNAUTHORIZED', detail: expect.stringMatching(/^需要有效的监控指标令牌/) });
    const en = await t.http().get('/metrics').set('Accept-Language', 'en').expect(401);
    expect(en.body).toMatchObject({ code: 'UNAUTHORIZED', detail: 'A valid metrics bearer token is required' });
  });

  it('exposes HTTP latency by route, jobs, queue, batches, transfers, pool use and budget available', async () => {
    await appropriate(c, 2026, 'COMPLICATION_SUPPORT', { MUNICIPAL: '1000.00', COUNTY: '1000.00' });
    await generate(c, 'COMPLICATION_SUPPORT', '2026-10');
    await t.http().get(`${API}/households/00000000-0000-4000-8000-000000000000`).set('Authorization', c.clerk.auth);
    const text = (await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
    const series = (name: string) => text.split('\n').filter((line) => line.startsWith(name));

    expect(series('yk_http_request_duration_seconds_count')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/method="POST",route="\/api\/v1\/budgets\/appropriations",status="201"} 2$/),
        expect.stringMatching(/method="GET",route="\/api\/v1\/households\/:id",status="404"} 1$/),
      ]),
    );
    expect(series('yk_job_duration_seconds_count')).toEqual(
      expect.arrayContaining([expect.stringMatching(/name="disbursements.generate",outcome="completed"} 1$/)]),
    );
    expect(series('yk_batches{')).toEqual([expect.stringMatching(/status="GENERATED"} 1$/)]);
    expect(series('yk_budget_available_yuan{')).toEqual(
      expect.arrayContaining([
        'yk_budget_available_yuan{fiscal_year="2026",policy="COMPLICATION_SUPPORT",level="MUNICIPAL",county="410122"} 1000',
      ]),
    );
    const transfers = Number(series('yk_ledger_transfers_posted ')[0].split(' ')[1]);
    expect(transfers).toBeGreaterThanOrEqual(2); // the two appropriations
    expect(series('yk_db_pool_connections{')).toEqual(
      expect.arrayContaining([expect.stringMatching(/state="total"} \d+$/), expect.stringMatching(/state="idle"/)]),
    );
    expect(text).toContain('# TYPE yk_queue_jobs gauge');
    expect(text).toContain('# TYPE yk_jobs_unfinished gauge');
    expect(text).toContain('yk_process_cpu_seconds_total');

    // The Grafana dashboard shipped in docker/ asks only for series this service exposes.
    const dashboard = readFileSync(join(projectRoot(), 'docker', 'grafana', 'yikatong-dashboard.json'), 'utf8');
    const asked = new Set(
      [...dashboard.matchAll(/yk_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(asked.size).toBeGreaterThanOrEqual(7);
    for (const name of asked) expect(text).toContain(`# TYPE ${name} `);
  });
});
