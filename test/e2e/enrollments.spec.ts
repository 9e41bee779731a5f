import { parse } from 'csv-parse/sync';
import { addDays, todayInChina } from '../../src/common/calendar.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { ensureVillage, idNumber, registerHousehold } from '../support/fixtures.js';

const VILLAGE = '410122101201';

describe('enrollment workflow (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;
  let officer: SignedInUser;
  let officer2: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp(); // the default 7-day public notice
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    officer = await t.signIn('OFFICER', '410122');
    officer2 = await t.signIn('OFFICER', '410122');
    await ensureVillage(t, admin, VILLAGE);
  });
  afterAll(() => t?.close());

  let householdSeq = 0;
  /** An urban only-child family with a certificate: eligible for OCP_REWARD today. */
  const onlyChildFamily = (childBorn = '2015-06-01') =>
    registerHousehold(t, clerk, {
      householdNo: `E${++householdSeq}`,
      regionCode: VILLAGE,
      hukouType: 'URBAN',
      certificate: { certificateNo: `CERT-${householdSeq}`, issuedOn: '2016-01-01' },
      bankAccountSeed: 500 + householdSeq,
      members: [
        { name: '父亲', relation: 'HEAD', birthDate: '1985-02-02', sex: 'M' },
        { name: '母亲', relation: 'SPOUSE', birthDate: '1987-03-03', sex: 'F' },
        { name: '孩子', relation: 'CHILD', birthDate: childBorn, sex: 'F', birthOrder: 1 },
      ],
    });

  const open = (user: SignedInUser, householdId: string, policyCode: string, personId?: string) =>
    t
      .http()
      .post(`${API}/enrollments`)
      .set('Authorization', user.auth)
      .send({ householdId, policyCode, ...(personId ? { beneficiaryPersonId: personId } : {}) });
  const act = (user: SignedInUser, id: string, action: string, body?: object) =>
    t
      .http()
      .post(`${API}/enrollments/${id}/${action}`)
      .set('Authorization', user.auth)
      .send(body ?? {});
  /** The notice period passes (the clock cannot be moved in an HTTP test; the dates can). */
  const noticeOver = (id: string) =>
    t.dataSource.query(
      `UPDATE enrollments SET publicized_on = publicized_on - 7, notice_ends_on = notice_ends_on - 7 WHERE id = $1`,
      [id],
    );

  it('runs DRAFT -> SUBMITTED -> PUBLICIZED -> ACTIVE with a clerk and two officers, storing each explanation', async () => {
    const h = await onlyChildFamily();
    const created = await open(clerk, h.id, 'OCP_REWARD').expect(201);
    expect(created.body).toMatchObject({ status: 'DRAFT', policyCode: 'OCP_REWARD', beneficiaryPersonId: null });
    const id = created.body.id;
    expect((await act(clerk, id, 'submit').expect(200)).body.status).toBe('SUBMITTED');
    const publicized = await act(officer, id, 'publicize').expect(200);
    expect(publicized.body).toMatchObject({ status: 'PUBLICIZED', publicizedOn: todayInChina() });

    const early = await act(officer2, id, 'approve').expect(409);
    expect(early.body).toMatchObject({ code: 'NOTICE_PERIOD_NOT_OVER', noticeEndsOn: publicized.body.noticeEndsOn });

    await noticeOver(id);
    const approved = await act(officer2, id, 'approve').expect(200);
    expect(approved.body).toMatchObject({ status: 'ACTIVE', approvedBy: officer2.id, openedBy: clerk.id });

    const detail = await t.http().get(`${API}/enrollments/${id}`).set('Authorization', officer.auth).expect(200);
    expect(detail.body.history.map((h: { to: string }) => h.to)).toEqual([
      'DRAFT',
      'SUBMITTED',
      'PUBLICIZED',
      'APPROVED',
      'ACTIVE',
    ]);
    const submitted = detail.body.history[1];
    expect(submitted.explanation).toMatchObject({ policyCode: 'OCP_REWARD', eligible: true });
    expect(submitted.explanation.reasons.length).toBeGreaterThan(0);

    const audit = await t.dataSource.query(
      `SELECT action FROM audit_events WHERE entity_type = 'enrollment' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'enrollment.created',
      'enrollment.submit',
      'enrollment.publicize',
      'enrollment.approve',
    ]);
  });

  it('never lets whoever opened an enrollment approve it', async () => {
    const h = await onlyChildFamily();
    const id = (await open(officer, h.id, 'OCP_REWARD').expect(201)).body.id;
    await act(officer, id, 'submit').expect(200);
    await act(officer, id, 'publicize').expect(200);
    await noticeOver(id);
    const refused = await act(officer, id, 'approve').expect(403);
    expect(refused.body.code).toBe('SELF_APPROVAL_FORBIDDEN');
    await act(officer2, id, 'approve').expect(200);
  });

  it('refuses a second open enrollment of the same beneficiary and policy, naming the first', async () => {
    const h = await onlyChildFamily();
    const first = await open(clerk, h.id, 'OCP_REWARD').expect(201);
    const second = await open(clerk, h.id, 'OCP_REWARD').expect(409);
    expect(second.body).toMatchObject({ code: 'DUPLICATE_ENROLLMENT', existingEnrollmentId: first.body.id });
  });

  it('refuses to submit an ineligible enrollment with the failed conditions', async () => {
    const h = await onlyChildFamily('2000-01-01'); // the only child is an adult
    const id = (await open(clerk, h.id, 'OCP_REWARD').expect(201)).body.id;
    const refused = await act(clerk, id, 'submit').expect(422);
    expect(refused.body.code).toBe('NOT_ELIGIBLE');
    expect(refused.body.failedConditions.length).toBeGreaterThan(0);
    expect(refused.body.failedConditions.every((c: { passed: boolean }) => c.passed === false)).toBe(true);
  });

  it('terminates an enrollment when the beneficiary dies, in the death event’s transaction', async () => {
    const h = await registerHousehold(t, clerk, {
      householdNo: 'D1',
      regionCode: VILLAGE,
      bankAccountSeed: 900,
      members: [
        { name: '老父', relation: 'HEAD', birthDate: '1950-01-01', sex: 'M' },
        { name: '老母', relation: 'SPOUSE', birthDate: '1951-01-01', sex: 'F' },
        { name: '独子', relation: 'CHILD', birthDate: '1978-01-01', sex: 'M', birthOrder: 1 },
      ],
    });
    const father = h.members.find((m) => m.relation === 'HEAD')!.personId;
    const id = (await open(clerk, h.id, 'RURAL_REWARD', father).expect(201)).body.id;
    await act(clerk, id, 'submit').expect(200);
    await act(officer, id, 'publicize').expect(200);
    await noticeOver(id);
    await act(officer2, id, 'approve').expect(200);

    await t
      .http()
      .post(`${API}/households/${h.id}/events`)
      .set('Authorization', clerk.auth)
      .send({ type: 'DEATH', personId: father, date: '2025-03-01' })
      .expect(201);
    const after = await t.http().get(`${API}/enrollments/${id}`).set('Authorization', officer.auth).expect(200);
    expect(after.body).toMatchObject({ status: 'TERMINATED', endedOn: '2025-03-01' });
    expect(after.body.statusReasonCode).toBe('BENEFICIARY_DIED');
    expect(after.body.statusReason).toMatch(/^享受对象已死亡/);
  });

  it('suspends OCP_REWARD when a second child is born', async () => {
    const h = await onlyChildFamily();
    const id = (await open(clerk, h.id, 'OCP_REWARD').expect(201)).body.id;
    await act(clerk, id, 'submit').expect(200);
    await act(officer, id, 'publicize').expect(200);
    await noticeOver(id);
    await act(officer2, id, 'approve').expect(200);

    await t
      .http()
      .post(`${API}/households/${h.id}/events`)
      .set('Authorization', clerk.auth)
      .send({
        type: 'BIRTH',
        date: '2025-09-09',
        data: { idNumber: idNumber('2025-09-09', 'M'), name: '二孩', hukouType: 'URBAN', birthOrder: 2 },
      })
      .expect(201);
    const after = await t.http().get(`${API}/enrollments/${id}`).set('Authorization', officer.auth).expect(200);
    expect(after.body.status).toBe('SUSPENDED');
    expect(after.body.statusReasonCode).toBe('SECOND_CHILD');
    expect(after.body.statusReason).toMatch(/^再生育（收养）子女/);
  });

  it('approves a list all or nothing, with the reason for each one that fails', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await onlyChildFamily();
      const opener = i === 1 ? officer : clerk;
      const id = (await open(opener, h.id, 'OCP_REWARD').expect(201)).body.id;
      await act(opener, id, 'submit').expect(200);
      ids.push(id);
    }
    const publicized = await t
      .http()
      .post(`${API}/enrollments/bulk/publicize`)
      .set('Authorization', officer.auth)
      .send({ ids })
      .expect(200);
    expect(publicized.body.items.map((e: { status: string }) => e.status)).toEqual([
      'PUBLICIZED',
      'PUBLICIZED',
      'PUBLICIZED',
    ]);
    for (const id of ids) await noticeOver(id);

    const refused = await t
      .http()
      .post(`${API}/enrollments/bulk/approve`)
      .set('Authorization', officer.auth)
      .send({ ids })
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'BULK_ACTION_FAILED' });
    expect(refused.body.failures).toEqual([
      { id: ids[1], status: 403, code: 'SELF_APPROVAL_FORBIDDEN', detail: expect.any(String) },
    ]);
    const untouched = await t.dataSource.query(`SELECT status FROM enrollments WHERE id = ANY($1::uuid[])`, [ids]);
    expect(untouched.map((r: { status: string }) => r.status)).toEqual(['PUBLICIZED', 'PUBLICIZED', 'PUBLICIZED']);

    const approved = await t
      .http()
      .post(`${API}/enrollments/bulk/approve`)
      .set('Authorization', officer2.auth)
      .send({ ids })
      .expect(200);
    expect(approved.body.items.map((e: { status: string }) => e.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
  });

  it('terminates OCP_REWARD in the yearly re-check once the only child turns 18', async () => {
    const h = await onlyChildFamily('2009-01-15');
    const id = (await open(clerk, h.id, 'OCP_REWARD').expect(201)).body.id;
    await act(clerk, id, 'submit').expect(200);
    await act(officer, id, 'publicize').expect(200);
    await noticeOver(id);
    await act(officer2, id, 'approve').expect(200);
    const started = await t
      .http()
      .post(`${API}/enrollments/recheck`)
      .set('Authorization', officer.auth)
      .send({ asOf: '2027-02-01', regionCode: '410122101' })
      .expect(202);
    const job = await t.waitForJob(started.body.jobId, officer);
    expect(job).toMatchObject({ state: 'completed', result: { ended: expect.any(Number) } });
    const after = await t.http().get(`${API}/enrollments/${id}`).set('Authorization', officer.auth).expect(200);
    expect(after.body.status).toBe('TERMINATED');
    expect(after.body.statusReasonCode).toBe('ONLY_CHILD_ADULT');
    expect(after.body.statusReason).toMatch(/^独生子女已满 18 周岁/);
    // The transition names its cause, the re-check, in the caller's language.
    expect(after.body.history.at(-1)).toMatchObject({
      to: 'TERMINATED',
      reasonCode: 'ONLY_CHILD_ADULT',
      reason: expect.stringMatching(/；截至 2027-02-01 的年度复核$/),
    });
  });

  it('lists a township’s publicized enrollments as a CSV for the notice board, with masked ID numbers', async () => {
    const today = todayInChina();
    const response = await t
      .http()
      .get(`${API}/enrollments/publicity-list?townshipCode=410122101&from=${addDays(today, -30)}&to=${today}`)
      .set('Authorization', officer.auth)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(response.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row['身份证号']).toMatch(/^\d{6}\*+[\dX]{2}$/);
  });

  it('keeps a clerk of another township away', async () => {
    const h = await onlyChildFamily();
    const stranger = await t.signIn('CLERK', '410122102');
    const response = await open(stranger, h.id, 'OCP_REWARD');
    expect([403, 404]).toContain(response.status);
  });
});
