import Bull from 'bull';
import { JOBS_QUEUE } from '../../src/modules/jobs/job-queue.js';
import { SchedulesService } from '../../src/modules/schedules/schedules.service.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** The service's timetable: listed and changed by an ADMIN, fired on a clock the test controls. */
describe('schedules', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
  });
  afterAll(() => t?.close());

  it('lists the yearly re-check, the audit seal and the heads export with their China-time cron', async () => {
    const { body } = await t.http().get(`${API}/schedules`).set('Authorization', admin.auth).expect(200);
    expect(
      body.items.map((s: { name: string; cron: string; enabled: boolean }) => [s.name, s.cron, s.enabled]),
    ).toEqual([
      ['audit-seal', '* * * * *', true],
      ['chain-heads-export', '30 2 * * *', true],
      ['yearly-recheck', '0 0 1 1 *', true],
    ]);
    expect(body.items[0].timeZone).toBe('Asia/Shanghai');
  });

  it('only an ADMIN changes one, a bad expression is refused, and the change is audited', async () => {
    const clerk = await t.signIn('CLERK', '410122101');
    await t
      .http()
      .patch(`${API}/schedules/audit-seal`)
      .set('Authorization', clerk.auth)
      .send({ enabled: false })
      .expect(403);
    const bad = await t
      .http()
      .patch(`${API}/schedules/audit-seal`)
      .set('Authorization', admin.auth)
      .send({ cron: '61 * * * *' })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'cron' }] });
    await t
      .http()
      .patch(`${API}/schedules/no-such`)
      .set('Authorization', admin.auth)
      .send({ enabled: false })
      .expect(404);

    const changed = await t
      .http()
      .patch(`${API}/schedules/chain-heads-export`)
      .set('Authorization', admin.auth)
      .send({ cron: '0 3 * * *' })
      .expect(200);
    expect(changed.body).toMatchObject({ cron: '0 3 * * *', enabled: true, updatedBy: admin.id });
    // 03:00 in Beijing is 19:00 UTC.
    expect(changed.body.nextRunAt).toMatch(/T19:00:00\.000Z$/);
    const [event] = await t.dataSource.query(
      `SELECT action, actor_id FROM audit_events WHERE entity_type = 'schedule' AND entity_id = 'chain-heads-export'`,
    );
    expect(event).toEqual({ action: 'schedule.updated', actor_id: admin.id });
  });

  it('fires the yearly re-check at midnight of 1 January, China time, once', async () => {
    const schedules = t.app.get(SchedulesService);
    await t.http().patch(`${API}/schedules/yearly-recheck`).set('Authorization', admin.auth).send({ enabled: true });
    const [{ next_run_at: next }] = await t.dataSource.query(
      `SELECT next_run_at FROM schedules WHERE name = 'yearly-recheck'`,
    );
    expect((next as Date).toISOString()).toMatch(/-12-31T16:00:00\.000Z$/);

    const yearly = async (at: Date) =>
      (await schedules.fireDue(at)).filter((f) => f.schedule === 'yearly-recheck').map((f) => f.jobId);
    expect(await yearly(new Date((next as Date).getTime() - 1000))).toEqual([]); // a second early
    const fired = await yearly(next as Date);
    expect(fired).toHaveLength(1);
    const [job] = await t.dataSource.query(`SELECT name, data FROM jobs WHERE id = $1`, [fired[0]]);
    const newYear = `${(next as Date).getUTCFullYear() + 1}-01-01`;
    expect(job).toEqual({ name: 'enrollments.recheck', data: { asOf: newYear, regionCode: '410100' } });
    expect(await t.waitForJob(fired[0], admin)).toMatchObject({ state: 'completed', result: { asOf: newYear } });
    expect(await yearly(next as Date)).toEqual([]); // moved on to the next year
    const [row] = await t.dataSource.query(
      `SELECT next_run_at, last_job_id FROM schedules WHERE name = 'yearly-recheck'`,
    );
    expect(row.last_job_id).toBe(fired[0]);
    expect(row.next_run_at.getTime() - (next as Date).getTime()).toBeGreaterThan(364 * 86_400_000);

    // The queue's firing of the same moment (a repeatable job, or another process) records nothing new.
    expect(await schedules.fire('yearly-recheck', next as Date)).toBe(fired[0]);
  });

  it('with Redis, the enabled schedules are Bull repeatable jobs in China time', async () => {
    if (t.config.inProcessJobs) {
      expect(t.config.REDIS_URL).toBeUndefined(); // in-process, the timer above is the scheduler
      return;
    }
    await t
      .http()
      .patch(`${API}/schedules/audit-seal`)
      .set('Authorization', admin.auth)
      .send({ enabled: false })
      .expect(200);
    const queue = new Bull(JOBS_QUEUE, t.config.REDIS_URL!, { prefix: t.config.QUEUE_PREFIX });
    try {
      const repeatables = await queue.getRepeatableJobs();
      expect(repeatables.map((r) => [r.id, r.cron, r.tz]).sort()).toEqual([
        ['schedule-chain-heads-export', '0 3 * * *', 'Asia/Shanghai'],
        ['schedule-yearly-recheck', '0 0 1 1 *', 'Asia/Shanghai'],
      ]);
    } finally {
      await queue.close();
    }
  });
});
