import Bull from 'bull';
import { JOBS_QUEUE } from '../../src/modules/jobs/job-queue.js';
import { todayInChina } from '../../src/common/calendar.js';
import { MonthlyBatchDraftsProcessor } from '../../src/modules/schedules/monthly-batch-drafts.js';
import { SchedulesService } from '../../src/modules/schedules/schedules.service.js';
import { SYSTEM_ACTOR } from '../../src/modules/schedules/system-actor.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';

/** The service's timetable: listed and changed by an ADMIN, fired on a clock the test controls. */
describe('schedules', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
  });
  afterAll(() => t?.close());

  it('lists the yearly re-check, the audit seal, the heads export and the monthly drafts with their China-time cron', async () => {
    const { body } = await t.http().get(`${API}/schedules`).set('Authorization', admin.auth).expect(200);
    expect(
      body.items.map((s: { name: string; cron: string; enabled: boolean }) => [s.name, s.cron, s.enabled]),
    ).toEqual([
      ['audit-seal', '* * * * *', true],
      ['chain-heads-export', '30 2 * * *', true],
      ['monthly-batch-drafts', '0 1 1 * *', false],
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
    const firings = await t.dataSource.query(
      `SELECT actor_id, actor_username, after FROM audit_events
        WHERE action = 'schedule.fired' AND entity_id = 'yearly-recheck'`,
    );
    expect(firings).toEqual([
      {
        actor_id: SYSTEM_ACTOR.id,
        actor_username: 'yikatong-system',
        after: {
          jobId: fired[0],
          jobName: 'enrollments.recheck',
          due: (next as Date).toISOString(),
          data: { asOf: newYear, regionCode: '410100' },
        },
      },
    ]);
  });

  it("drafts the month's batch per county and monthly cash policy on the 1st, as the system actor, once", async () => {
    const schedules = t.app.get(SchedulesService);
    const enabled = await t
      .http()
      .patch(`${API}/schedules/monthly-batch-drafts`)
      .set('Authorization', admin.auth)
      .send({ enabled: true })
      .expect(200);
    // 01:00 on the 1st in Beijing is 17:00 UTC the day before.
    expect(enabled.body.nextRunAt).toMatch(/T17:00:00\.000Z$/);
    expect(new Date(new Date(enabled.body.nextRunAt).getTime() + 8 * 3600_000).getUTCDate()).toBe(1);

    // A county paying OCP_REWARD (an enrollment of the existing rolls), and one paying nothing.
    const clerk = await t.signIn('CLERK', '410122101');
    await ensureVillage(t, admin, '410122101201');
    const household = await registerHousehold(t, clerk, {
      householdNo: 'SCHED-1',
      regionCode: '410122101201',
      hukouType: 'URBAN',
      certificate: { certificateNo: 'CERT-SCHED-1', issuedOn: '2016-05-01' },
      bankAccountSeed: 901,
      members: [
        { name: '父亲', relation: 'HEAD', birthDate: '1985-04-02', sex: 'M' },
        { name: '母亲', relation: 'SPOUSE', birthDate: '1987-08-09', sex: 'F' },
        { name: '独生女', relation: 'CHILD', birthDate: '2015-02-03', sex: 'F', birthOrder: 1 },
      ],
    });
    const rolls = `政策代码,身份证号,申请日期,审批日期,审批人\nOCP_REWARD,${household.members[0].idNumber},2016-05-10,2016-06-01,张科长\n`;
    await t
      .http()
      .post(`${API}/enrollments/import`)
      .set('Authorization', admin.auth)
      .attach('file', Buffer.from(rolls), 'rolls.csv')
      .expect(200);

    // The clock: 01:00 China time on the 1st of this month.
    const period = todayInChina().slice(0, 7);
    const due = new Date(`${period}-01T01:00:00+08:00`);
    const jobId = await schedules.fire('monthly-batch-drafts', due);
    const job = await t.waitForJob(jobId!, admin);
    expect(job).toMatchObject({ state: 'completed', result: { period, existing: 0 } });
    const created = (job.result as { created: { policyCode: string; countyCode: string; batchId: string }[] }).created;
    expect(created.map((c) => [c.policyCode, c.countyCode])).toEqual([['OCP_REWARD', '410122']]);
    const [batch] = await t.dataSource.query(
      `SELECT policy_code, period, county_code, created_by FROM disbursement_batches WHERE id = $1`,
      [created[0].batchId],
    );
    expect(batch).toEqual({ policy_code: 'OCP_REWARD', period, county_code: '410122', created_by: SYSTEM_ACTOR.id });
    const [audit] = await t.dataSource.query(
      `SELECT actor_id, request_id FROM audit_events WHERE action = 'batch.created' AND entity_id = $1`,
      [created[0].batchId],
    );
    expect(audit).toEqual({ actor_id: SYSTEM_ACTOR.id, request_id: `job:${jobId}` });

    // Idempotent: the same firing again is the same job, and a rerun of the job creates nothing.
    expect(await schedules.fire('monthly-batch-drafts', due)).toBe(jobId);
    const rerun = await t.app.get(MonthlyBatchDraftsProcessor).run({
      id: jobId!,
      name: 'batches.monthly-drafts',
      data: { period },
      attempt: 2,
      progress: () => Promise.resolve(),
      stopping: () => false,
    });
    expect(rerun).toEqual({ period, created: [], existing: 1 });
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM disbursement_batches WHERE policy_code = 'OCP_REWARD' AND period = $1`,
      [period],
    );
    expect(count).toBe(1);
    const [{ firings }] = await t.dataSource.query(
      `SELECT count(*)::int AS firings FROM audit_events WHERE action = 'schedule.fired' AND entity_id = 'monthly-batch-drafts'`,
    );
    expect(firings).toBe(1);
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
        ['schedule-monthly-batch-drafts', '0 1 1 * *', 'Asia/Shanghai'],
        ['schedule-yearly-recheck', '0 0 1 1 *', 'Asia/Shanghai'],
      ]);
    } finally {
      await queue.close();
    }
  });
});
