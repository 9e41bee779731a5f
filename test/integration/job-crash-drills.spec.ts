import Bull from 'bull';
import { openColumns } from '../../src/common/pii/keyring.js';
import pg from 'pg';
import { JOBS_QUEUE } from '../../src/modules/jobs/job-queue.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { enrollCertificateHolders, loadSyntheticCity } from '../support/city.js';
import { RunnerProcess } from '../support/runner.js';

/**
 * Crash drills on a batch's generation, with the job run by real runner processes (Bull workers
 * when REDIS_URL is set, in-process API processes otherwise) that are killed with SIGKILL half way:
 * every drill must end in a GENERATED batch whose lines are those of an uninterrupted run, either by
 * itself or through GENERATION_FAILED and an officer's resume. Never in a silent DRAFT.
 */
const COUNTY = '410122';
const PERIOD = '2026-10';
const HOUSEHOLDS = Number(process.env.DRILL_HOUSEHOLDS ?? 20_000);
/** Short leases and sweeps so that a killed runner's job is taken over in about a second. */
const FAST = { JOB_LEASE_MS: '1500', JOB_SWEEP_MS: '300', GENERATION_CHUNK_SIZE: '10' };

interface BatchState {
  status: string;
  line_count: number;
  generation_job_id: string;
}

describe('batch generation survives crashes of its runner', () => {
  let t: TestApp;
  let officer: SignedInUser;
  let reference: unknown[];
  let referenceTotals: { line_count: number; total_amount: string; exception_count: number };
  const runners: RunnerProcess[] = [];
  const figures: string[] = [];

  const runner = (env: Record<string, string> = {}) => {
    const r = new RunnerProcess(t, { ...FAST, ...env });
    runners.push(r);
    r.start();
    return r;
  };

  /** Reads through a database that may be dropping connections at the moment. */
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await t.dataSource.query(sql, params)) as T[];
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const batchState = async (id: string) =>
    (
      await query<BatchState>(`SELECT status, line_count, generation_job_id FROM disbursement_batches WHERE id = $1`, [
        id,
      ])
    )[0];

  const waitFor = async (id: string, done: (b: BatchState) => boolean, what: string, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await batchState(id);
      if (done(state)) return state;
      if (Date.now() > deadline) {
        throw new Error(
          `batch ${id} never ${what}: ${JSON.stringify(state)}\n${runners.map((r) => r.log()).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const finished = (b: BatchState) => b.status !== 'DRAFT';
  /** Fails with what the batch, its job and the runners say, instead of a bare status. */
  const expectGenerated = async (id: string) => {
    const [row] = await query<{ status: string; generation_error: unknown; job: unknown }>(
      `SELECT b.status, b.generation_error, to_jsonb(j) - 'data' AS job
         FROM disbursement_batches b LEFT JOIN jobs j ON j.id = b.generation_job_id WHERE b.id = $1`,
      [id],
    );
    if (row.status !== 'GENERATED') {
      throw new Error(`batch ${row.status}: ${JSON.stringify(row)}\n${runners.map((r) => r.log()).join('\n')}`);
    }
  };
  /** Half way: some chunks committed, the run not over. */
  const pastLines = (n: number) => (b: BatchState) => b.status !== 'DRAFT' || b.line_count >= n;

  const createBatch = async () => {
    const response = await t
      .http()
      .post(`${API}/disbursement-batches`)
      .set('Authorization', officer.auth)
      .send({ policyCode: 'OCP_REWARD', period: PERIOD, countyCode: COUNTY })
      .expect(202);
    return response.body as { batch: { id: string }; jobId: string };
  };
  // Ciphertexts differ run to run (a fresh nonce each): the lines are compared decrypted.
  const linesOf = async (batchId: string) =>
    openColumns(
      await query<{ account_no: string; id_number: string }>(
        `SELECT l.line_no, l.enrollment_id, l.household_id, l.person_id, l.periods, l.amount::text, l.bank_code,
                l.account_no_enc AS account_no, l.account_name, l.id_number_enc AS id_number, d.decision,
                l.version_ids
           FROM disbursement_lines l JOIN line_decisions d ON d.digest = l.decision_digest
          WHERE l.batch_id = $1 ORDER BY l.line_no`,
        [batchId],
      ),
      'account_no',
      'id_number',
    );
  const totalsOf = async (batchId: string) =>
    (
      await query<{ line_count: number; total_amount: string; exception_count: number }>(
        `SELECT line_count, total_amount::text, exception_count FROM disbursement_batches WHERE id = $1`,
        [batchId],
      )
    )[0];
  const cancel = (batchId: string) =>
    t.http().post(`${API}/disbursement-batches/${batchId}/cancel`).set('Authorization', officer.auth).send({});
  const expectSameAsUninterrupted = async (batchId: string) => {
    expect(await totalsOf(batchId)).toEqual(referenceTotals);
    expect(await linesOf(batchId)).toEqual(reference);
  };

  beforeAll(async () => {
    t = await createTestApp({ consumeJobs: false, env: FAST });
    officer = await t.signIn('OFFICER', COUNTY);
    await loadSyntheticCity(t.database.url, HOUSEHOLDS);
    const enrolled = await enrollCertificateHolders(t.database.url, COUNTY, officer.id, 2026);
    expect(enrolled).toBeGreaterThan(300);

    // The uninterrupted run every drill is compared with.
    const { batch } = await createBatch();
    const started = Date.now();
    const r = runner();
    await waitFor(batch.id, finished, 'finished');
    figures.push(`uninterrupted generation: ${Date.now() - started} ms (runner start included)`);
    await r.kill();
    expect((await batchState(batch.id)).status).toBe('GENERATED');
    reference = await linesOf(batch.id);
    referenceTotals = await totalsOf(batch.id);
    expect(reference.length).toBeGreaterThan(100);
    figures.push(
      `${enrolled} enrollments in ${COUNTY}: ${referenceTotals.line_count} lines, ` +
        `${referenceTotals.exception_count} exceptions, total ${referenceTotals.total_amount}`,
    );

    // Cancelled, it frees every beneficiary for the batches of the drills below.
    const cancelled = await cancel(batch.id).expect(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    const [claims] = await query<{ live: number; released: number }>(
      `SELECT count(*) FILTER (WHERE released_at IS NULL)::int AS live, count(*) FILTER (WHERE released_at IS NOT NULL)::int AS released
         FROM payment_coverage WHERE batch_id = $1`,
      [batch.id],
    );
    expect(claims.live).toBe(0);
    expect(claims.released).toBeGreaterThanOrEqual(reference.length);
    const [{ pending }] = await query<{ pending: number }>(
      `SELECT count(*) FILTER (WHERE status <> 'CANCELLED')::int AS pending FROM disbursement_lines WHERE batch_id = $1`,
      [batch.id],
    );
    expect(pending).toBe(0);
  }, 240_000);

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.kill()));
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.kill()));
    if (figures.length > 0)
      process.stderr.write(
        `\ncrash drills (${t?.config.inProcessJobs ? 'in-process' : 'Bull'}):\n  ${figures.join('\n  ')}\n`,
      );
    await t?.close();
  });

  it('a runner killed twice during one generation: the third run finishes it, to the same lines', async () => {
    const { batch, jobId } = await createBatch();
    const third = reference.length;
    let r = runner({ JOB_MAX_ATTEMPTS: '3' });
    const first = await waitFor(batch.id, pastLines(Math.ceil(third * 0.2)), 'got a fifth of its lines');
    await r.kill();
    r = runner({ JOB_MAX_ATTEMPTS: '3' });
    const second = await waitFor(batch.id, pastLines(Math.ceil(third * 0.6)), 'got 60% of its lines');
    await r.kill();
    expect([first.status, second.status]).toEqual(['DRAFT', 'DRAFT']); // both kills hit a running generation
    const killedAt = Date.now();
    runner({ JOB_MAX_ATTEMPTS: '3' });
    await waitFor(batch.id, finished, 'finished');
    figures.push(
      `killed twice (at ${first.line_count} and ${second.line_count} lines), recovered in ${Date.now() - killedAt} ms`,
    );
    await expectGenerated(batch.id);
    await expectSameAsUninterrupted(batch.id);
    const job = await t.waitForJob(jobId, officer);
    expect(job).toMatchObject({ state: 'completed', attempts: 3 });
    await cancel(batch.id).expect(200);
  }, 180_000);

  it('a runner killed more often than allowed: GENERATION_FAILED says why, and resume finishes it', async () => {
    const { batch, jobId } = await createBatch();
    let r = runner({ JOB_MAX_ATTEMPTS: '2' });
    await waitFor(batch.id, pastLines(Math.ceil(reference.length * 0.2)), 'got a fifth of its lines');
    await r.kill();
    r = runner({ JOB_MAX_ATTEMPTS: '2' });
    const second = await waitFor(batch.id, pastLines(Math.ceil(reference.length * 0.5)), 'got half of its lines');
    await r.kill();
    expect(second.status).toBe('DRAFT');
    const killedAt = Date.now();
    runner({ JOB_MAX_ATTEMPTS: '2' }); // the third run finds the attempts used up
    const failed = await waitFor(batch.id, finished, 'stopped');
    figures.push(`killed twice with 2 attempts allowed: GENERATION_FAILED after ${Date.now() - killedAt} ms`);
    expect(failed.status).toBe('GENERATION_FAILED');

    const view = await t
      .http()
      .get(`${API}/disbursement-batches/${batch.id}`)
      .set('Authorization', officer.auth)
      .expect(200);
    expect(view.body.generationError).toMatchObject({ code: 'JOB_INTERRUPTED', jobId });
    expect(view.body.lineCount).toBeGreaterThan(0); // the committed chunks are kept for the resume
    const job = await t.waitForJob(jobId, officer);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'JOB_INTERRUPTED' } });
    const submit = await t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/submit`)
      .set('Authorization', officer.auth);
    expect(submit.status).toBe(409);
    const events = await query<{ action: string }>(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY occurred_at, id`,
      [batch.id],
    );
    expect(events.map((e) => e.action)).toEqual(['batch.created', 'batch.generation_failed']);

    const resumedAt = Date.now();
    const resumed = await t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/resume`)
      .set('Authorization', officer.auth)
      .expect(202);
    expect(resumed.body.batch.status).toBe('DRAFT');
    expect(resumed.body.jobId).not.toBe(jobId);
    await waitFor(batch.id, finished, 'finished after the resume');
    figures.push(`resumed from ${view.body.lineCount} lines to GENERATED in ${Date.now() - resumedAt} ms`);
    await expectGenerated(batch.id);
    await expectSameAsUninterrupted(batch.id);
    expect(await t.waitForJob(resumed.body.jobId, officer)).toMatchObject({ state: 'completed' });
    const again = await t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/resume`)
      .set('Authorization', officer.auth);
    expect(again.status).toBe(409);
    await cancel(batch.id).expect(200);
  }, 180_000);

  it("the queue's keys flushed and the worker killed mid-job: the sweeper queues it again", async () => {
    if (t.config.inProcessJobs) {
      // Without Redis there is no queue to lose; a killed runner's job is covered by the drills above.
      expect(t.config.REDIS_URL).toBeUndefined();
      return;
    }
    const { batch } = await createBatch();
    const r = runner();
    const half = await waitFor(batch.id, pastLines(Math.ceil(reference.length * 0.3)), 'got 30% of its lines');
    // Everything of this test's queue goes, as a FLUSHALL would take it (other test files share Redis).
    const queue = new Bull(JOBS_QUEUE, t.config.REDIS_URL!, { prefix: t.config.QUEUE_PREFIX });
    const keys = await queue.client.keys(`${t.config.QUEUE_PREFIX}:*`);
    if (keys.length > 0) await queue.client.del(...keys);
    await queue.close();
    await r.kill();
    expect(half.status).toBe('DRAFT');
    const killedAt = Date.now();
    runner();
    await waitFor(batch.id, finished, 'finished');
    figures.push(
      `Redis keys flushed + worker killed at ${half.line_count} lines, recovered in ${Date.now() - killedAt} ms`,
    );
    await expectGenerated(batch.id);
    await expectSameAsUninterrupted(batch.id);
    await cancel(batch.id).expect(200);
  }, 180_000);

  it('SIGTERM during a generation: the runner pauses after its chunk, exits 0, and the next one finishes', async () => {
    const { batch, jobId } = await createBatch();
    const r = runner();
    const half = await waitFor(batch.id, pastLines(Math.ceil(reference.length * 0.3)), 'got 30% of its lines');
    const stopAsked = Date.now();
    expect(await r.terminate()).toBe(0);
    const stopMs = Date.now() - stopAsked;
    const paused = await batchState(batch.id);
    expect([half.status, paused.status]).toEqual(['DRAFT', 'DRAFT']);
    const [job] = await query<{ state: string; attempts: number }>(`SELECT state, attempts FROM jobs WHERE id = $1`, [
      jobId,
    ]);
    expect(job).toEqual({ state: 'waiting', attempts: 0 }); // handed back, no attempt spent
    const restarted = Date.now();
    runner();
    await waitFor(batch.id, finished, 'finished');
    figures.push(
      `SIGTERM at ${half.line_count} lines: exit 0 in ${stopMs} ms at ${paused.line_count} lines, ` +
        `the next runner finished ${Date.now() - restarted} ms after starting`,
    );
    await expectGenerated(batch.id);
    await expectSameAsUninterrupted(batch.id);
    await cancel(batch.id).expect(200);
  }, 180_000);

  it('PostgreSQL drops every connection for three seconds mid-job: the job retries and finishes', async () => {
    const { batch, jobId } = await createBatch();
    runner();
    const half = await waitFor(batch.id, pastLines(Math.ceil(reference.length * 0.3)), 'got 30% of its lines');
    // What a restart does to clients: every backend of the database terminated, again and again.
    const admin = new pg.Client({ connectionString: process.env.YK_TEST_SERVER_URL });
    await admin.connect();
    const outageStart = Date.now();
    let terminated = 0;
    while (Date.now() - outageStart < 3000) {
      const result = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [t.database.name],
      );
      terminated += result.rowCount ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.end();
    expect(terminated).toBeGreaterThan(0);
    await waitFor(batch.id, finished, 'finished');
    figures.push(
      `connections dropped for 3 s at ${half.line_count} lines (${terminated} backends terminated), ` +
        `finished ${Date.now() - outageStart - 3000} ms after the outage`,
    );
    expect(half.status).toBe('DRAFT');
    await expectGenerated(batch.id);
    await expectSameAsUninterrupted(batch.id);
    const job = await t.waitForJob(jobId, officer);
    expect(job.state).toBe('completed');
    await cancel(batch.id).expect(200);
  }, 180_000);
});
