import { createServer, type Server, type Socket } from 'node:net';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { RunnerProcess } from '../support/runner.js';

/**
 * Redis that accepts connections and never answers (a paused server, or a network that swallows
 * packets): requests must not hang on it. /health answers 503 QUEUE_UNAVAILABLE, a batch is still
 * created (202) with its job recorded, and a job runner's sweeper queues that job once a queue is
 * there again: here a runner on the real Redis (or, without one, an in-process runner).
 */
describe('a Redis that does not answer', () => {
  let blackhole: Server;
  const sockets = new Set<Socket>();
  let t: TestApp;
  let officer: SignedInUser;
  const runners: RunnerProcess[] = [];

  beforeAll(async () => {
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as { port: number }).port;
    t = await createTestApp({
      consumeJobs: false,
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT_MS: '1500', JOB_SWEEP_MS: '300' },
    });
    officer = await t.signIn('OFFICER', '410122');
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.kill()));
    await t?.close();
    for (const socket of sockets) socket.destroy();
    blackhole.close();
  });

  it('GET /health answers 503 QUEUE_UNAVAILABLE within the timeout instead of hanging', async () => {
    const started = Date.now();
    const response = await t.http().get(`${API}/health`);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'QUEUE_UNAVAILABLE', status: 503, db: 'up', queue: 'down' });
    expect(elapsed).toBeLessThan(10_000); // 1.5 s configured; generous for a loaded machine
  });

  it('a batch created meanwhile is created, and its job is queued by a sweeper once a queue answers', async () => {
    const response = await t
      .http()
      .post(`${API}/disbursement-batches`)
      .set('Authorization', officer.auth)
      .send({ policyCode: 'OCP_REWARD', period: '2026-10', countyCode: '410122' })
      .expect(202);
    const { batch, jobId } = response.body as { batch: { id: string; status: string }; jobId: string };
    expect(batch.status).toBe('DRAFT');
    const [job] = await t.dataSource.query(`SELECT state, attempts FROM jobs WHERE id = $1`, [jobId]);
    expect(job).toEqual({ state: 'waiting', attempts: 0 });

    // A runner of the same deployment on a Redis that answers (the machine's, when the tests have
    // one; otherwise an in-process runner): its sweeper finds the job no queue holds.
    const runner = new RunnerProcess(t, { REDIS_URL: process.env.REDIS_URL ?? '', JOB_SWEEP_MS: '300' });
    runners.push(runner);
    runner.start();
    const done = await t.waitForJob(jobId, officer, 60_000);
    expect(done).toMatchObject({ state: 'completed', attempts: 1 });
    const view = await t
      .http()
      .get(`${API}/disbursement-batches/${batch.id}`)
      .set('Authorization', officer.auth)
      .expect(200);
    expect(view.body.status).toBe('GENERATED');
  }, 90_000);
});
