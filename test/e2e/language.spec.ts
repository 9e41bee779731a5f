import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** SPEC.md "Language and files": Chinese by default, English on request, codes unchanged. */
describe('language (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
  });
  afterAll(() => t?.close());

  const unknownField = (acceptLanguage?: string) => {
    const request = t.http().post(`${API}/regions`).set('Authorization', admin.auth);
    if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
    return request.send({ code: '410122101298', name: '测试村', color: 'red' }).expect(400);
  };

  it('answers problems in Chinese by default, class-validator field messages included', async () => {
    const response = await unknownField();
    expect(response.headers['content-language']).toBe('zh-CN');
    expect(response.body).toMatchObject({
      title: '请求无效',
      detail: '请求无效',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'color', message: '不允许的字段 color' }],
    });
  });

  it('falls back to Chinese for an unknown Accept-Language', async () => {
    for (const header of ['fr-FR', 'xx', 'de;q=0.9,ja;q=0.8', '*']) {
      const response = await unknownField(header);
      expect(response.body).toMatchObject({ title: '请求无效', code: 'VALIDATION_FAILED' });
      expect(response.body.errors[0].message).toBe('不允许的字段 color');
    }
  });

  it('answers English on Accept-Language: en, with the same code', async () => {
    const response = await unknownField('en');
    expect(response.headers['content-language']).toBe('en');
    expect(response.body).toMatchObject({
      title: 'Bad Request',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'color', message: 'property color should not exist' }],
    });
  });

  it('localises a domain error from its code and parameters', async () => {
    const missing = '0190f2a4-0000-7000-8000-000000000000';
    const zh = await t.http().get(`${API}/households/${missing}`).set('Authorization', clerk.auth).expect(404);
    expect(zh.body).toMatchObject({ code: 'NOT_FOUND', title: '未找到' });
    expect(zh.body.detail).toMatch(/^未找到/);
    const en = await t
      .http()
      .get(`${API}/households/${missing}`)
      .set('Authorization', clerk.auth)
      .set('Accept-Language', 'en-GB')
      .expect(404);
    expect(en.body).toMatchObject({ code: 'NOT_FOUND', title: 'Not Found' });
    expect(en.body.detail).toMatch(/was not found/);
  });

  it('answers 401 in Chinese without a token', async () => {
    const response = await t.http().get(`${API}/labels`).expect(401);
    expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED', title: '未登录' });
  });

  it('serves the enum labels to any signed-in user, in the caller’s language', async () => {
    const zh = await t.http().get(`${API}/labels`).set('Authorization', clerk.auth).expect(200);
    expect(zh.body.language).toBe('zh-CN');
    expect(zh.body.labels.batchStatus).toMatchObject({ GENERATION_FAILED: '生成失败', CANCELLED: '已取消' });
    expect(zh.body.labels.enrollmentStatus.PUBLICIZED).toBe('公示中');
    expect(zh.body.labels.role.CLERK).toBe('乡镇经办员');
    expect(zh.body.labels.relation.HEAD).toBe('户主');
    expect(zh.body.labels.hukouType.RURAL).toBe('农业户口');
    expect(zh.body.labels.policyCategory.REWARD).toBe('奖励');
    expect(zh.body.labels.eventType.MOVE_IN).toBe('迁入');
    expect(zh.body.labels.fundingLevel.CENTRAL).toBe('中央');
    const en = await t
      .http()
      .get(`${API}/labels`)
      .set('Authorization', clerk.auth)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(en.body.language).toBe('en');
    expect(en.body.labels.batchStatus.GENERATION_FAILED).toBe('Generation failed');
    expect(Object.keys(en.body.labels.eventType)).toEqual(Object.keys(zh.body.labels.eventType));
  });
});
