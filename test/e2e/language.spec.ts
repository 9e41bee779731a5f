import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import {
  appropriate,
  enrollAndActivate,
  exportedBatchOfOne,
  generate,
  importResults,
  lines,
  RURAL_REWARD_YEAR,
  signInCycle,
  type Cycle,
} from '../support/cycle.js';
import { accountNo, ensureVillage, registerHousehold, residentId } from '../support/fixtures.js';

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

  it("gives a field's own validation message in Chinese, not only the generic one, and English on request", async () => {
    const create = (acceptLanguage?: string) => {
      const request = t.http().post(`${API}/regions`).set('Authorization', admin.auth);
      if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
      return request.send({ code: '41012210', name: '测试村' }).expect(400);
    };
    expect((await create()).body.errors).toEqual([{ field: 'code', message: 'code 须为 6、9 或 12 位数字' }]);
    expect((await create('en')).body.errors).toEqual([{ field: 'code', message: 'code must have 6, 9 or 12 digits' }]);
  });

  it('words the problems of a policy rule in Chinese, or English on request, at the same JSON paths', async () => {
    const amend = (acceptLanguage?: string) => {
      const request = t.http().post(`${API}/policies/RURAL_REWARD/versions`).set('Authorization', admin.auth);
      if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
      return request
        .send({
          effectiveFrom: '2030-01-01',
          rule: {
            all: [
              { fact: 'person.ageAtYearEnd', op: 'ge', value: '60' },
              { fact: 'person.shoeSize', op: 'eq' },
            ],
          },
          amount: { kind: 'FIXED', amount: '1200.00' },
          fundingShares: { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' },
        })
        .expect(400);
    };
    const zh = await amend();
    expect(zh.body).toMatchObject({ code: 'VALIDATION_FAILED', title: '请求无效' });
    expect(zh.body.errors).toEqual([
      { field: 'rule.all[0].value', message: 'person.ageAtYearEnd 应为整数，"60" 不是' },
      { field: 'rule.all[1].fact', message: '未知的事实 "person.shoeSize"' },
      { field: 'rule.all[1].value', message: '必须填写 value' },
    ]);
    const en = await amend('en');
    expect(en.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(en.body.errors).toEqual([
      { field: 'rule.all[0].value', message: 'person.ageAtYearEnd is an integer; "60" is not' },
      { field: 'rule.all[1].fact', message: 'unknown fact "person.shoeSize"' },
      { field: 'rule.all[1].value', message: 'value is required' },
    ]);
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

      it('says why a non-cash policy cannot be paid in a batch, in Chinese or English', async () => {
        const create = (acceptLanguage?: string) => {
          const request = t.http().post(`${API}/disbursement-batches`).set('Authorization', c.officer.auth);
          if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
          return request.send({ policyCode: 'HOUSING_PRIORITY', period: '2013', countyCode: c.county }).expect(422);
        };
        const zh = await create();
        expect(zh.body).toMatchObject({ code: 'NOT_PAYABLE', policyCode: 'HOUSING_PRIORITY', reason: 'NON_CASH' });
        expect(zh.body.detail).toMatch(/不能通过发放批次支付：它是非现金待遇$/);
        const en = await create('en');
        expect(en.body).toMatchObject({
          code: 'NOT_PAYABLE',
          detail: 'HOUSING_PRIORITY cannot be paid in a batch: it is a non-cash benefit',
        });
      });

      describe('reasons the system wrote', () => {
        let household: Awaited<ReturnType<typeof registerHousehold>>;
        let enrollmentId: string;
        const member = (relation: string) => household.members.find((m) => m.relation === relation)!.personId;
        const event = (body: object) =>
          t.http().post(`${API}/households/${household.id}/events`).set('Authorization', c.clerk.auth).send(body);

        beforeAll(async () => {
          household = await registerHousehold(t, c.clerk, {
            householdNo: 'LANG-B2',
            regionCode: VILLAGE,
            bankAccountSeed: 7102,
            members: [
              { name: '李父', relation: 'HEAD', birthDate: '1952-04-10', sex: 'M' },
              { name: '李母', relation: 'SPOUSE', birthDate: '1972-06-01', sex: 'F' },
              { name: '李子', relation: 'CHILD', birthDate: '1980-06-05', sex: 'M', birthOrder: 1 },
            ],
          });
          // The one-card account passes to the mother, who then dies: the account can no longer be paid.
          await event({
            type: 'BANK_ACCOUNT_CHANGE',
            date: '2012-01-01',
            data: { bankCode: '102', accountNo: accountNo(7103), holderPersonId: member('SPOUSE') },
          }).expect(201);
          await event({ type: 'DEATH', personId: member('SPOUSE'), date: '2020-01-01' }).expect(201);
          enrollmentId = await enrollAndActivate(c, household.id, 'RURAL_REWARD', member('HEAD'));
        });

        it('words a batch exception for a bad account in Chinese, or English on request', async () => {
          await appropriate(c, 2013, 'RURAL_REWARD', RURAL_REWARD_YEAR);
          const batch = await generate(c, 'RURAL_REWARD', '2013');
          const ours = (body: { exceptions: { householdId: string }[] }) =>
            body.exceptions.filter((e) => e.householdId === household.id);
          expect(ours(batch)).toEqual([
            {
              householdId: household.id,
              personId: member('HEAD'),
              reasonCode: 'INVALID_BANK_ACCOUNT',
              reason: 'INVALID_BANK_ACCOUNT: 持卡人已死亡',
            },
          ]);
          const en = await t
            .http()
            .get(`${API}/disbursement-batches/${batch.id}`)
            .set('Authorization', c.officer.auth)
            .set('Accept-Language', 'en')
            .expect(200);
          expect(ours(en.body)).toEqual([
            expect.objectContaining({
              reasonCode: 'INVALID_BANK_ACCOUNT',
              reason: 'INVALID_BANK_ACCOUNT: the account holder has died',
            }),
          ]);
        });

        it("words the re-check reason of an enrollment after the beneficiary's death in Chinese, or English", async () => {
          const death = await event({ type: 'DEATH', personId: member('HEAD'), date: '2025-03-01' }).expect(201);
          const read = (acceptLanguage?: string) => {
            const request = t.http().get(`${API}/enrollments/${enrollmentId}`).set('Authorization', c.officer.auth);
            if (acceptLanguage !== undefined) request.set('Accept-Language', acceptLanguage);
            return request.expect(200);
          };
          const zh = await read();
          expect(zh.body).toMatchObject({
            status: 'TERMINATED',
            statusReasonCode: 'BENEFICIARY_DIED',
            statusReason: expect.stringMatching(/^享受对象已死亡/),
          });
          expect(zh.body.history.at(-1)).toMatchObject({
            to: 'TERMINATED',
            reasonCode: 'BENEFICIARY_DIED',
            reason: expect.stringMatching(new RegExp(`^享受对象已死亡.*；生活事件 ${death.body.id}$`)),
          });
          const en = await read('en');
          expect(en.body).toMatchObject({
            statusReasonCode: 'BENEFICIARY_DIED',
            statusReason: expect.stringMatching(/^death of the beneficiary/),
          });
          expect(en.body.history.at(-1).reason).toMatch(new RegExp(`; life event ${death.body.id}$`));
        });
      });
    });
  });
});
