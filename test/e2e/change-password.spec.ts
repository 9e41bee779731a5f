import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** A township clerk changes her own password from the console's 修改密码 form. */
describe('POST /auth/password (e2e)', () => {
  let t: TestApp;
  let clerk: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    clerk = await t.signIn('CLERK', '410122101');
  });
  afterAll(() => t?.close());

  const login = (password: string) => t.http().post(`${API}/auth/login`).send({ username: clerk.username, password });

  it('refuses a wrong current password with a 400 problem naming the field, and changes nothing', async () => {
    const response = await t
      .http()
      .post(`${API}/auth/password`)
      .set('Authorization', clerk.auth)
      .send({ currentPassword: 'not-my-password', newPassword: 'a-new-long-password' })
      .expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'WRONG_PASSWORD' });
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    await login(clerk.password).expect(200);
  });

  it('refuses a short new password and needs a token', async () => {
    const short = await t
      .http()
      .post(`${API}/auth/password`)
      .set('Authorization', clerk.auth)
      .send({ currentPassword: clerk.password, newPassword: 'short' })
      .expect(400);
    expect(short.body.code).toBe('VALIDATION_FAILED');
    await t
      .http()
      .post(`${API}/auth/password`)
      .send({ currentPassword: clerk.password, newPassword: 'a-new-long-password' })
      .expect(401);
  });

  it('changes the password: the old one stops working, the new one signs in, and it is audited', async () => {
    await t
      .http()
      .post(`${API}/auth/password`)
      .set('Authorization', clerk.auth)
      .set('X-Request-Id', 'pw-change-1')
      .send({ currentPassword: clerk.password, newPassword: 'a-new-long-password' })
      .expect(204);
    await login(clerk.password).expect(401);
    await login('a-new-long-password').expect(200);

    const [event] = await t.dataSource.query(
      `SELECT action, entity_type, entity_id, actor_username, before, after FROM audit_events WHERE request_id = $1`,
      ['pw-change-1'],
    );
    expect(event).toMatchObject({
      action: 'user.password_changed',
      entity_type: 'user',
      entity_id: clerk.id,
      actor_username: clerk.username,
    });
    expect(JSON.stringify(event)).not.toContain('argon2');
  });
});
