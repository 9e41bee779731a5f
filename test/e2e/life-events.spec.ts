import type { EntityManager } from 'typeorm';
import { pii } from '../../src/common/pii/keyring.js';
import { todayInChina } from '../../src/common/calendar.js';
import { LifeEventBus, type LifeEventNotice } from '../../src/common/life-event-bus.js';
import { EVENT_TYPES } from '../../src/modules/registry/dto/household.dto.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { accountNo, ensureVillage, idNumber } from '../support/fixtures.js';

/**
 * Life events through HTTP on PostgreSQL (API.md "Added in revision 2"): one request class per
 * type, validated per type; a CORRECTION withdraws an event of any type so that the household
 * as of any date and its eligibility read as if it never happened; a person registered in
 * another household moves with MEMBER_JOINED; every event publishes its notice inside its
 * transaction.
 */
describe('life events (e2e, PostgreSQL)', () => {
  let t: TestApp;
  let clerk: SignedInUser;
  let officer: SignedInUser;
  let officer2: SignedInUser;
  let number = 0;
  const VILLAGE = '410122101201';
  const VILLAGE2 = '410122101202';
  const today = todayInChina();
  /** Every notice the bus published, with whether its event was visible inside the publishing transaction. */
  const notices: (LifeEventNotice & { inTransaction: boolean })[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    officer = await t.signIn('OFFICER', '410122');
    officer2 = await t.signIn('OFFICER', '410122');
    await ensureVillage(t, admin, VILLAGE);
    await ensureVillage(t, admin, VILLAGE2, '第二村');
    t.app.get(LifeEventBus).subscribe(async (manager: EntityManager, notice: LifeEventNotice) => {
      const rows = (await manager.query(`SELECT 1 FROM household_events WHERE id = $1`, [notice.eventId])) as unknown[];
      notices.push({ ...notice, inTransaction: rows.length === 1 });
    });
  });
  afterAll(() => t?.close());

  /** A rural couple with a son, a bank account held by the father. */
  async function family(extra: Record<string, unknown> = {}) {
    number++;
    const ids = {
      father: idNumber('1960-02-01', 'M'),
      mother: idNumber('1962-03-01', 'F'),
      son: idNumber('1985-04-01', 'M'),
    };
    const response = await t
      .http()
      .post(`${API}/households`)
      .set('Authorization', clerk.auth)
      .send({
        householdNo: `LE-${number}`,
        regionCode: VILLAGE,
        address: '测试村1号',
        members: [
          { idNumber: ids.father, name: '父亲', relation: 'HEAD', hukouType: 'RURAL' },
          { idNumber: ids.mother, name: '母亲', relation: 'SPOUSE', hukouType: 'RURAL' },
          { idNumber: ids.son, name: '儿子', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
        ],
        bankAccount: { bankCode: '102', accountNo: accountNo(7000 + number), holderIdNumber: ids.father },
        ...extra,
      })
      .expect(201);
    const person = (key: keyof typeof ids) =>
      (response.body.members as { idNumber: string; personId: string }[]).find((m) => m.idNumber === ids[key])!
        .personId;
    return { id: response.body.id as string, ids, person };
  }

  const post = (householdId: string, body: Record<string, unknown>, lang?: string) => {
    const request = t.http().post(`${API}/households/${householdId}/events`).set('Authorization', clerk.auth);
    return (lang ? request.set('Accept-Language', lang) : request).send(body);
  };
  const event = async (householdId: string, body: Record<string, unknown>, status = 201) => {
    const response = await post(householdId, body);
    expect({ status: response.status, body: status === response.status ? undefined : response.body }).toEqual({
      status,
      body: undefined,
    });
    return response;
  };
  const withdraw = (householdId: string, eventId: string, status = 201) =>
    event(
      householdId,
      { type: 'CORRECTION', date: today, data: { withdrawsEventId: eventId, reason: '录入错误' } },
      status,
    );
  const view = async (householdId: string, asOf: string) =>
    (await t.http().get(`${API}/households/${householdId}?asOf=${asOf}`).set('Authorization', clerk.auth).expect(200))
      .body;
  const decisions = async (householdId: string, asOf: string) =>
    (
      await t
        .http()
        .get(`${API}/households/${householdId}/eligibility?asOf=${asOf}`)
        .set('Authorization', clerk.auth)
        .expect(200)
    ).body.decisions;
  const eventCount = async () =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM household_events`))[0].n);

  describe('the OpenAPI document', () => {
    it('names a request class per event type, as a oneOf with a discriminator on type', async () => {
      const document = (await t.http().get('/api/docs-json').expect(200)).body;
      const [body, envelope] =
        document.paths['/api/v1/households/{id}/events'].post.requestBody.content['application/json'].schema.anyOf;
      expect(envelope).toEqual({ $ref: '#/components/schemas/LifeEventDto' });
      expect(body.oneOf).toHaveLength(EVENT_TYPES.length);
      expect(body.discriminator.propertyName).toBe('type');
      expect(Object.keys(body.discriminator.mapping).sort()).toEqual([...EVENT_TYPES].sort());
      const schemas = document.components.schemas;
      expect(body.discriminator.mapping.DEATH).toBe('#/components/schemas/DeathEventDto');
      expect(schemas.DeathEventDto.required).toEqual(expect.arrayContaining(['type', 'date', 'personId']));
      expect(
        schemas.DisabilityAssessedEventDto.properties.data.$ref ??
          schemas.DisabilityAssessedEventDto.properties.data.allOf?.[0].$ref,
      ).toBe('#/components/schemas/DisabilityDataDto');
      expect(schemas.DisabilityDataDto.properties.grade).toMatchObject({ minimum: 1, maximum: 4, nullable: true });
      expect(schemas.MoveInDataDto.required).toEqual(['fromPlace']);
      expect(schemas.JoiningMemberDto.properties.relation.enum).toEqual(['SPOUSE', 'CHILD', 'PARENT', 'OTHER']);
      expect(schemas.CorrectionDataDto.required).toEqual(['reason']);
      // The envelope the console reads keeps its name.
      expect(schemas.LifeEventDto.properties.type.enum).toEqual([...EVENT_TYPES]);
    });
  });

  describe('validation per type', () => {
    it('answers 422 INVALID_EVENT_DATA naming the field for a wrong payload of each type, and writes nothing', async () => {
      const h = await family();
      const son = h.person('son');
      const wrong: [Record<string, unknown>, string][] = [
        [{ type: 'BIRTH', date: '2012-01-01', data: { name: '女儿', hukouType: 'RURAL' } }, 'data.idNumber'],
        [
          {
            type: 'ADOPTION',
            date: '2012-01-01',
            data: { idNumber: idNumber('2010-01-01', 'F'), name: '养女', hukouType: 'FARM' },
          },
          'data.hukouType',
        ],
        [{ type: 'DEATH', personId: son, date: '2012-01-01', data: { grade: 1 } }, 'data.grade'],
        [{ type: 'DISABILITY_ASSESSED', personId: son, date: '2012-01-01', data: { grade: 5 } }, 'data.grade'],
        [{ type: 'COMPLICATION_ASSESSED', personId: son, date: '2012-01-01', data: { grade: 4 } }, 'data.grade'],
        [
          { type: 'CERTIFICATE_ISSUED', date: '2012-01-01', data: { certificateNo: 'no spaces!' } },
          'data.certificateNo',
        ],
        [{ type: 'CERTIFICATE_REVOKED', date: '2012-01-01', data: { certificateNo: 'X1' } }, 'data.certificateNo'],
        [{ type: 'VIOLATION_RECORDED', date: '2012-01-01', data: { year: '1990' } }, 'data.year'],
        [{ type: 'QUOTA_WAIVED', date: '2012-01-01', data: { waivedOn: '2012-01-01' } }, 'data.waivedOn'],
        [{ type: 'HUKOU_CHANGE', personId: son, date: '2012-01-01', data: { hukouType: 'CITY' } }, 'data.hukouType'],
        [{ type: 'MOVE', date: '2012-01-01', data: { regionCode: '4101' } }, 'data.regionCode'],
        [
          { type: 'BANK_ACCOUNT_CHANGE', date: '2012-01-01', data: { bankCode: '102', accountNo: accountNo(1) } },
          'data.holderPersonId',
        ],
        [{ type: 'COLLEGE_ADMITTED', personId: son, date: '2012-01-01', data: { school: '郑大' } }, 'data.school'],
        [{ type: 'MOVE_IN', personId: son, date: '2012-01-01', data: {} }, 'data.fromPlace'],
        [{ type: 'MOVE_OUT', personId: son, date: '2012-01-01', data: { toPlace: '北京' } }, 'data.toPlace'],
        [
          {
            type: 'MEMBER_JOINED',
            date: '2012-01-01',
            data: { member: { idNumber: idNumber('1990-01-01', 'F'), name: '儿媳', relation: 'HEAD' } },
          },
          'data.member.relation',
        ],
        [{ type: 'MEMBER_LEFT', personId: son, date: '2012-01-01', data: { to: 'x' } }, 'data.to'],
        [{ type: 'CORRECTION', date: '2012-01-01', data: { withdrawsEventId: '1' } }, 'data.reason'],
      ];
      expect(new Set(wrong.map(([body]) => body.type))).toEqual(new Set(EVENT_TYPES));
      const before = await eventCount();
      for (const [body, field] of wrong) {
        const response = await post(h.id, body);
        expect({ type: body.type, status: response.status, code: response.body.code }).toEqual({
          type: body.type,
          status: 422,
          code: 'INVALID_EVENT_DATA',
        });
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await eventCount()).toBe(before);
    });

    it('speaks Chinese by default and English on Accept-Language: en', async () => {
      const h = await family();
      const body = { type: 'DISABILITY_ASSESSED', personId: h.person('son'), date: '2012-01-01', data: { grade: 5 } };
      const zh = (await post(h.id, body).expect(422)).body;
      expect(zh.title).toBe('无法处理的内容');
      expect(zh.detail).toBe('事件数据不符合该事件类型的要求：data.grade');
      expect(zh.errors).toEqual([{ field: 'data.grade', message: 'data.grade 大于允许的最大值' }]);
      const en = (await post(h.id, body, 'en').expect(422)).body;
      expect(en.code).toBe('INVALID_EVENT_DATA');
      expect(en.detail).toBe('The data of the DISABILITY_ASSESSED event is not valid: data.grade');
      expect(en.errors).toEqual([{ field: 'data.grade', message: 'grade must not be greater than 4' }]);

      const unknown = (await post(h.id, { type: 'SPACE_TRAVEL', date: '2012-01-01' }, 'en').expect(400)).body;
      expect(unknown).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'type' }] });
      const noPerson = (await post(h.id, { type: 'MOVE_OUT', date: '2012-01-01' }).expect(400)).body;
      expect(noPerson.errors[0]).toMatchObject({ field: 'personId' });
      const dependent = (
        await post(
          h.id,
          { type: 'CORRECTION', date: today, data: { withdrawsEventId: '999999999', reason: 'x' } },
          'en',
        ).expect(422)
      ).body;
      expect(dependent.errors).toEqual([
        { field: 'data.withdrawsEventId', message: 'event 999999999 is not an event of this household' },
      ]);
    });
  });

  describe('CORRECTION withdraws an event of any type', () => {
    /** Each type: the event to withdraw, and what must be recorded first. */
    type Case = {
      type: string;
      before?: (h: Awaited<ReturnType<typeof family>>) => Promise<void>;
      event: (h: Awaited<ReturnType<typeof family>>) => Record<string, unknown>;
      registration?: Record<string, unknown>;
    };
    const cases: Case[] = [
      {
        type: 'BIRTH',
        event: () => ({
          type: 'BIRTH',
          date: '2012-05-05',
          data: { idNumber: idNumber('2012-05-05', 'F'), name: '女儿', hukouType: 'RURAL', disabilityGrade: 2 },
        }),
      },
      {
        type: 'ADOPTION',
        event: () => ({
          type: 'ADOPTION',
          date: '2012-06-01',
          data: { idNumber: idNumber('2010-01-01', 'M'), name: '养子', hukouType: 'RURAL' },
        }),
      },
      { type: 'DEATH', event: (h) => ({ type: 'DEATH', personId: h.person('father'), date: '2014-03-01' }) },
      {
        type: 'DISABILITY_ASSESSED',
        event: (h) => ({
          type: 'DISABILITY_ASSESSED',
          personId: h.person('son'),
          date: '2013-01-01',
          data: { grade: 2 },
        }),
      },
      {
        type: 'COMPLICATION_ASSESSED',
        event: (h) => ({
          type: 'COMPLICATION_ASSESSED',
          personId: h.person('mother'),
          date: '2013-01-01',
          data: { grade: 1 },
        }),
      },
      {
        type: 'CERTIFICATE_ISSUED',
        event: () => ({ type: 'CERTIFICATE_ISSUED', date: '2011-01-01', data: { certificateNo: `LE-C-${number}` } }),
      },
      {
        type: 'CERTIFICATE_REVOKED',
        registration: { certificate: { certificateNo: `LE-R-${Date.now()}`, issuedOn: '2000-01-01' } },
        event: () => ({ type: 'CERTIFICATE_REVOKED', date: '2013-01-01' }),
      },
      {
        type: 'VIOLATION_RECORDED',
        event: () => ({ type: 'VIOLATION_RECORDED', date: '2012-01-01', data: { year: 1990 } }),
      },
      { type: 'QUOTA_WAIVED', event: () => ({ type: 'QUOTA_WAIVED', date: '2012-01-01' }) },
      {
        type: 'HUKOU_CHANGE',
        event: (h) => ({
          type: 'HUKOU_CHANGE',
          personId: h.person('father'),
          date: '2013-01-01',
          data: { hukouType: 'URBAN' },
        }),
      },
      {
        type: 'MOVE',
        event: () => ({ type: 'MOVE', date: '2013-01-01', data: { regionCode: VILLAGE2, address: '第二村8号' } }),
      },
      {
        type: 'BANK_ACCOUNT_CHANGE',
        event: (h) => ({
          type: 'BANK_ACCOUNT_CHANGE',
          date: '2013-01-01',
          data: { bankCode: '103', accountNo: accountNo(8800 + number), holderPersonId: h.person('mother') },
        }),
      },
      {
        type: 'COLLEGE_ADMITTED',
        event: (h) => ({ type: 'COLLEGE_ADMITTED', personId: h.person('son'), date: '2003-09-01' }),
      },
      {
        type: 'MOVE_IN',
        event: (h) => ({
          type: 'MOVE_IN',
          personId: h.person('son'),
          date: '2012-01-01',
          data: { fromPlace: '洛阳市' },
        }),
      },
      { type: 'MOVE_OUT', event: (h) => ({ type: 'MOVE_OUT', personId: h.person('son'), date: '2012-01-01' }) },
      {
        type: 'MEMBER_JOINED',
        event: () => ({
          type: 'MEMBER_JOINED',
          date: '2012-01-01',
          data: {
            member: { idNumber: idNumber('1935-01-01', 'F'), name: '奶奶', relation: 'PARENT', hukouType: 'RURAL' },
          },
        }),
      },
      { type: 'MEMBER_LEFT', event: (h) => ({ type: 'MEMBER_LEFT', personId: h.person('son'), date: '2012-01-01' }) },
    ];

    it('covers every type but CORRECTION itself', () => {
      expect(cases.map((c) => c.type).sort()).toEqual(EVENT_TYPES.filter((type) => type !== 'CORRECTION').sort());
    });

    it.each(cases.map((c) => [c.type, c] as const))(
      '%s: the household as of any date and its eligibility read as if it never happened',
      async (type, c) => {
        const h = await family(c.registration ?? {});
        const dates = ['2000-01-01', '2012-06-01', '2014-06-01', today];
        const views = await Promise.all(dates.map((date) => view(h.id, date)));
        const decided = await Promise.all(['2014-06-01', today].map((date) => decisions(h.id, date)));
        const recorded = await event(h.id, c.event(h));
        expect(recorded.body.type).toBe(type);
        const changed = await Promise.all(dates.map((date) => view(h.id, date)));
        expect(changed).not.toEqual(views);

        const from = notices.length;
        const withdrawn = await withdraw(h.id, recorded.body.id);
        expect(withdrawn.body.data).toEqual({
          withdrawsEventId: recorded.body.id,
          withdrawnType: type,
          reason: '录入错误',
        });
        expect(await Promise.all(dates.map((date) => view(h.id, date)))).toEqual(views);
        expect(await Promise.all(['2014-06-01', today].map((date) => decisions(h.id, date)))).toEqual(decided);
        // Its notice carries the withdrawn event's date (in the past), inside the transaction.
        expect(notices.slice(from)).toEqual([
          expect.objectContaining({
            eventId: withdrawn.body.id,
            householdId: h.id,
            type: 'CORRECTION',
            date: recorded.body.date,
            corrects: { withdrawnEventId: recorded.body.id, withdrawnType: type },
            inTransaction: true,
          }),
        ]);
        // Twice is refused, and the log keeps both.
        const again = (await withdraw(h.id, recorded.body.id, 409)).body;
        expect(again.code).toBe('EVENT_ALREADY_WITHDRAWN');
        // The same event can be recorded again (a mistyped date is corrected so).
        await event(h.id, c.event(h));
      },
    );

    it('refuses a withdrawal a later event depends on (409 EVENT_HAS_DEPENDENTS), and a CORRECTION of a CORRECTION (422)', async () => {
      const h = await family();
      const son = h.person('son');
      const moveIn = await event(h.id, {
        type: 'MOVE_IN',
        personId: son,
        date: '2010-01-01',
        data: { fromPlace: '开封市' },
      });
      const moveOut = await event(h.id, { type: 'MOVE_OUT', personId: son, date: '2013-01-01' });
      const before = await eventCount();
      const refused = (await withdraw(h.id, moveIn.body.id, 409)).body;
      expect(refused).toMatchObject({
        code: 'EVENT_HAS_DEPENDENTS',
        dependentEventId: moveOut.body.id,
        dependentType: 'MOVE_OUT',
      });
      expect(await eventCount()).toBe(before);
      // Withdrawn in order, both go.
      const first = await withdraw(h.id, moveOut.body.id);
      await withdraw(h.id, moveIn.body.id);
      expect(
        (await view(h.id, '2011-06-01')).members.find((m: { personId: string }) => m.personId === son).resident,
      ).toBe(true);
      const chained = (await withdraw(h.id, first.body.id, 422)).body;
      expect(chained.code).toBe('CORRECTION_NOT_SUPPORTED');

      // A child born in error cannot be withdrawn while an event about the child stands.
      const birth = await event(h.id, {
        type: 'BIRTH',
        date: '2012-05-05',
        data: { idNumber: idNumber('2012-05-05', 'M'), name: '二子', hukouType: 'RURAL' },
      });
      const grade = await event(h.id, {
        type: 'DISABILITY_ASSESSED',
        personId: birth.body.personId,
        date: '2013-01-01',
        data: { grade: 3 },
      });
      expect((await withdraw(h.id, birth.body.id, 409)).body).toMatchObject({
        code: 'EVENT_HAS_DEPENDENTS',
        dependentEventId: grade.body.id,
      });
      await withdraw(h.id, grade.body.id);
      await withdraw(h.id, birth.body.id);
      expect((await view(h.id, today)).members).toHaveLength(3);
    });

    it('corrects a mistyped name and address, and a death recorded on the wrong day', async () => {
      const h = await family();
      const father = h.person('father');
      await event(h.id, {
        type: 'CORRECTION',
        personId: father,
        date: today,
        data: { field: 'name', value: '王父', reason: '姓名录入错误' },
      });
      await event(h.id, {
        type: 'CORRECTION',
        date: today,
        data: { field: 'address', value: '测试村2号', reason: '门牌号错误' },
      });
      await event(h.id, { type: 'DEATH', personId: father, date: '2015-05-01' });
      const from = notices.length;
      await event(h.id, {
        type: 'CORRECTION',
        personId: father,
        date: today,
        data: { field: 'deathDate', value: '2014-05-01', reason: '死亡日期录入错误' },
      });
      expect(notices[from]).toMatchObject({
        date: '2014-05-01',
        corrects: { field: 'deathDate', from: '2015-05-01', to: '2014-05-01' },
      });
      const after = await view(h.id, today);
      expect(after.address).toBe('测试村2号');
      expect(after.members.find((m: { personId: string }) => m.personId === father)).toMatchObject({
        name: '王父',
        deathDate: '2014-05-01',
      });
      const both = (
        await post(h.id, {
          type: 'CORRECTION',
          date: today,
          data: { withdrawsEventId: '1', field: 'name', value: 'x', reason: 'x' },
        }).expect(422)
      ).body;
      expect(both).toMatchObject({ code: 'INVALID_EVENT_DATA', errors: [{ field: 'data' }] });
    });
  });

  describe('MEMBER_JOINED of a person registered in another household', () => {
    it('two moves in opposite directions at once both land (the households locked in opposite order)', async () => {
      // Each request locks its own household, then the household the member leaves: A then B and
      // B then A. PostgreSQL rolls one back as a deadlock; the service runs it again.
      for (let round = 0; round < 4; round++) {
        const a = await family();
        const b = await family();
        const [toB, toA] = await Promise.all([
          post(b.id, {
            type: 'MEMBER_JOINED',
            date: '2020-01-01',
            data: { member: { idNumber: a.ids.son, name: '儿子', relation: 'OTHER' } },
          }),
          post(a.id, {
            type: 'MEMBER_JOINED',
            date: '2020-01-01',
            data: { member: { idNumber: b.ids.son, name: '儿子', relation: 'OTHER' } },
          }),
        ]);
        expect([toB.status, toA.status, toB.body.code, toA.body.code]).toEqual([201, 201, undefined, undefined]);
        const current = await t.dataSource.query(
          `SELECT household_id FROM household_members
            WHERE person_id = ANY($1) AND left_on IS NULL ORDER BY person_id = $2 DESC`,
          [[a.person('son'), b.person('son')], a.person('son')],
        );
        expect(current.map((row: { household_id: string }) => row.household_id)).toEqual([b.id, a.id]);
      }
    });

    it('moves the person: left there, joined here, one record, both households audited and their enrollments re-decided', async () => {
      const a = await family();
      const father = a.person('father');
      // An active RURAL_REWARD of the father in his household.
      const enrollment = (
        await t
          .http()
          .post(`${API}/enrollments`)
          .set('Authorization', clerk.auth)
          .send({ householdId: a.id, policyCode: 'RURAL_REWARD', beneficiaryPersonId: father })
          .expect(201)
      ).body.id;
      const act = (user: SignedInUser, action: string) =>
        t
          .http()
          .post(`${API}/enrollments/${enrollment}/${action}`)
          .set('Authorization', user.auth)
          .send({})
          .expect(200);
      await act(clerk, 'submit');
      await act(officer, 'publicize');
      await t.dataSource.query(
        `UPDATE enrollments SET publicized_on = publicized_on - 7, notice_ends_on = notice_ends_on - 7 WHERE id = $1`,
        [enrollment],
      );
      await act(officer2, 'approve');

      const b = await family();
      const joining = { idNumber: a.ids.father, name: '父亲', relation: 'OTHER' };
      const misnamed = (
        await post(b.id, {
          type: 'MEMBER_JOINED',
          date: '2020-01-01',
          data: { member: { ...joining, name: '张三' } },
        }).expect(422)
      ).body;
      expect(misnamed).toMatchObject({ code: 'MEMBER_NAME_DIFFERS', registeredName: '父亲' });
      const from = notices.length;
      const joined = await event(b.id, { type: 'MEMBER_JOINED', date: '2020-01-01', data: { member: joining } });
      expect(joined.body.personId).toBe(father);
      expect(joined.body.data).toMatchObject({ movedFromHouseholdId: a.id, relation: 'OTHER', name: '父亲' });

      // Both households notified inside the transaction, as of the date.
      expect(notices.slice(from).map((n) => [n.householdId, n.type, n.date, n.inTransaction])).toEqual(
        expect.arrayContaining([
          [b.id, 'MEMBER_JOINED', '2020-01-01', true],
          [a.id, 'MEMBER_LEFT', '2020-01-01', true],
        ]),
      );
      // One person, one record, one current household.
      const [record] = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM persons WHERE id_number_bidx = $1) AS persons,
                (SELECT count(*)::int FROM household_members WHERE person_id = $2 AND left_on IS NULL) AS current,
                (SELECT count(*)::int FROM household_members WHERE person_id = $2) AS memberships`,
        [pii().blindIndex('id', a.ids.father), father],
      );
      expect(record).toEqual({ persons: 1, current: 1, memberships: 2 });
      const inA = (await view(a.id, today)).members.find((m: { personId: string }) => m.personId === father);
      expect(inA.leftOn).toBe('2020-01-01');
      expect((await view(b.id, today)).members.find((m: { personId: string }) => m.personId === father)).toMatchObject({
        leftOn: null,
        relation: 'OTHER',
      });
      expect((await view(b.id, '2019-12-31')).members.some((m: { personId: string }) => m.personId === father)).toBe(
        false,
      );
      const log = (await t.http().get(`${API}/households/${a.id}/events`).set('Authorization', clerk.auth).expect(200))
        .body.items;
      expect(log.at(-1)).toMatchObject({
        type: 'MEMBER_LEFT',
        personId: father,
        date: '2020-01-01',
        data: { movedToHouseholdId: b.id },
      });
      const audited = await t.dataSource.query(
        `SELECT entity_id, action FROM audit_events WHERE entity_type = 'household' AND entity_id = ANY($1) AND action LIKE 'household.event.member_%' ORDER BY id`,
        [[a.id, b.id]],
      );
      expect(audited).toEqual([
        { entity_id: b.id, action: 'household.event.member_joined' },
        { entity_id: a.id, action: 'household.event.member_left' },
      ]);
      // The father's enrollment in the household he left ends in the same transaction.
      const ended = (
        await t.http().get(`${API}/enrollments/${enrollment}`).set('Authorization', officer.auth).expect(200)
      ).body;
      expect(['SUSPENDED', 'TERMINATED']).toContain(ended.status);

      // Twice is refused; so is an event about him in the household he left.
      expect(
        (await post(b.id, { type: 'MEMBER_JOINED', date: '2021-01-01', data: { member: joining } }).expect(409)).body
          .code,
      ).toBe('MEMBER_ALREADY_IN_HOUSEHOLD');
      expect(
        (
          await post(a.id, {
            type: 'DISABILITY_ASSESSED',
            personId: father,
            date: '2021-01-01',
            data: { grade: 2 },
          }).expect(422)
        ).body.code,
      ).toBe('PERSON_NOT_IN_HOUSEHOLD');
      // Withdrawn, he is back where he was, and the household he left logs its own correction.
      await expect(withdraw(a.id, log.at(-1).id, 409)).resolves.toBeDefined();
      await withdraw(b.id, joined.body.id);
      expect(
        (await view(a.id, today)).members.find((m: { personId: string }) => m.personId === father).leftOn,
      ).toBeNull();
      expect((await view(b.id, today)).members.some((m: { personId: string }) => m.personId === father)).toBe(false);
      const aLog = (await t.http().get(`${API}/households/${a.id}/events`).set('Authorization', clerk.auth).expect(200))
        .body.items;
      expect(aLog.at(-1)).toMatchObject({
        type: 'CORRECTION',
        data: { withdrawsEventId: log.at(-1).id, withdrawnType: 'MEMBER_LEFT' },
      });
    });

    it('a member who left to nowhere joins another household later; a joining before the leaving is refused', async () => {
      const a = await family();
      const son = a.person('son');
      await event(a.id, { type: 'MEMBER_LEFT', personId: son, date: '2015-01-01' });
      const b = await family();
      const member = { idNumber: a.ids.son, name: '儿子', relation: 'SPOUSE' };
      expect(
        (await post(b.id, { type: 'MEMBER_JOINED', date: '2014-01-01', data: { member } }).expect(422)).body.code,
      ).toBe('EVENT_OUT_OF_ORDER');
      const joined = await event(b.id, { type: 'MEMBER_JOINED', date: '2016-01-01', data: { member } });
      expect(joined.body.data.movedFromHouseholdId).toBeUndefined();
      expect((await view(b.id, today)).members.find((m: { personId: string }) => m.personId === son)).toMatchObject({
        relation: 'SPOUSE',
      });
    });
  });

  it('publishes every type inside its transaction, with its own date however far in the past', () => {
    const published = new Set(notices.filter((n) => n.inTransaction).map((n) => n.type));
    expect([...published].sort()).toEqual([...EVENT_TYPES].sort());
    expect(notices.every((n) => n.inTransaction)).toBe(true);
  });
});
