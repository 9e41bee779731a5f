import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { exportedBatchOfOne, importResults, lines, signInCycle, type Cycle } from '../support/cycle.js';
import { ensureVillage, residentId } from '../support/fixtures.js';

/** SPEC.md "Language and files": Chinese by default, English on request, codes unchanged. */
describe('language (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;

  const VILLAGE = '410122101201';

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } });
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    await ensureVillage(t, admin, VILLAGE, '韩寺村');
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

  describe('per-row problems of the files a clerk or finance uploads', () => {
    // Four rows of two households: a bad check character (line 3), a yes/no cell that is neither
    // (line 4), a village that does not exist (line 5).
    const head = residentId('19700101', 101);
    const spouse = residentId('19720101', 102);
    const wrongSpouse = spouse.slice(0, 17) + (spouse[17] === '0' ? '1' : '0');
    const registry = [
      'household_no,region_code,address,id_number,name,relation,hukou_type,adopted',
      `LANG-1,${VILLAGE},韩寺村1号,${head},甲,HEAD,RURAL,`,
      `LANG-1,,,${wrongSpouse},乙,SPOUSE,RURAL,`,
      `LANG-1,,,${residentId('20000101', 111)},丙,CHILD,RURAL,也许`,
      `LANG-2,410122101299,某村2号,${residentId('19600101', 121)},丁,HEAD,RURAL,`,
    ].join('\n');
    const importRegistry = (acceptLanguage?: string) => {
      const request = t.http().post(`${API}/households/import`).set('Authorization', clerk.auth);
      if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
      return request.set('Content-Type', 'text/csv').send(registry).expect(422);
    };

    it('words every bad row of a registry import in Chinese by default, and for an unknown language', async () => {
      for (const header of [undefined, 'fr-FR']) {
        const response = await importRegistry(header);
        expect(response.body).toMatchObject({ code: 'IMPORT_REJECTED', title: '无法处理的内容' });
        expect(response.body.detail).toBe('导入文件被拒收：共 3 处问题，未导入任何内容');
        expect(response.body.errors).toEqual([
          { line: 3, field: 'id_number', message: `校验码为 ${wrongSpouse[17]}，应为 ${spouse[17]}` },
          { line: 4, field: 'adopted', message: '“是否收养”只能填 是/否（Y/N）' },
          { line: 5, field: 'region_code', message: '村（社区）410122101299 不存在' },
        ]);
      }
    });

    it('words them in English on Accept-Language: en, fields and lines unchanged', async () => {
      const response = await importRegistry('en');
      expect(response.body).toMatchObject({ code: 'IMPORT_REJECTED', title: 'Unprocessable Content' });
      expect(response.body.errors).toEqual([
        {
          line: 3,
          field: 'id_number',
          message: `the check character is ${wrongSpouse[17]} but should be ${spouse[17]}`,
        },
        { line: 4, field: 'adopted', message: 'adopted is Y or N' },
        { line: 5, field: 'region_code', message: 'village or community 410122101299 does not exist' },
      ]);
    });

    describe('with an exported batch', () => {
      let c: Cycle;
      let batchId: string;
      let householdId: string;

      beforeAll(async () => {
        c = await signInCycle(t, '410122', '410122101');
        ({ batchId, householdId } = await exportedBatchOfOne(c, {
          householdNo: 'LANG-B1',
          regionCode: VILLAGE,
          headName: '王父',
          bankAccountSeed: 7101,
        }));
      });

      it('words the problems of a bank result file in Chinese, or English on request', async () => {
        const [line] = await lines(c, batchId);
        const bad = [
          'line_no,account_no,amount,status,bank_ref,reason',
          `${line.lineNo},${line.accountNo},1.00,SUCCESS,R1,`,
          `77,${line.accountNo},${line.amount},SUCCESS,R2,`,
          `${line.lineNo},${line.accountNo},${line.amount},OK,R3,`,
        ].join('\n');
        const zh = await importResults(c, batchId, bad).expect(422);
        expect(zh.body).toMatchObject({ code: 'BANK_FILE_REJECTED', title: '无法处理的内容' });
        expect(zh.body.problems.map((p: { message: string }) => p.message)).toEqual([
          `第 ${line.lineNo} 笔：金额 1.00 与应发金额 ${line.amount} 不符`,
          '第 77 笔不在本批次中',
          `第 ${line.lineNo} 笔重复（首次出现在文件第 2 行）`,
        ]);
        const en = await importResults(c, batchId, bad).set('Accept-Language', 'en').expect(422);
        expect(en.body.problems.map((p: { message: string }) => p.message)).toEqual([
          `line ${line.lineNo}: amount 1.00 differs from ${line.amount}`,
          'line 77 is not in this batch',
          `line ${line.lineNo} is repeated (first on file line 2)`,
        ]);
        expect((await lines(c, batchId)).map((l) => l.status)).toEqual(['PENDING']);
      });

      it('gives the detail of each refused row of a bulk action in Chinese, or English on request', async () => {
        const [{ id }] = await t.dataSource.query(`SELECT id FROM enrollments WHERE household_id = $1`, [householdId]);
        const bulk = (acceptLanguage?: string) => {
          const request = t.http().post(`${API}/enrollments/bulk/publicize`).set('Authorization', c.officer.auth);
          if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
          return request.send({ ids: [id] }).expect(409);
        };
        const zh = await bulk();
        expect(zh.body).toMatchObject({ code: 'BULK_ACTION_FAILED' });
        expect(zh.body.failures).toEqual([
          { id, status: 409, code: 'INVALID_STATE_TRANSITION', detail: '处于“享受中”状态的记录不能执行“公示”' },
        ]);
        const unknown = await bulk('ja');
        expect(unknown.body.failures[0].detail).toBe(zh.body.failures[0].detail);
        const en = await bulk('en');
        expect(en.body.failures).toEqual([
          {
            id,
            status: 409,
            code: 'INVALID_STATE_TRANSITION',
            detail: 'A enrollment in state ACTIVE cannot be publicized',
          },
        ]);
      });
    });
  });
});
