import { idCheckCharacter } from '../../src/modules/registry/id-number.js';
import { pii } from '../../src/common/pii/keyring.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import type { HouseholdSnapshot } from '../../src/modules/registry/household-snapshot.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** A valid resident ID: address code, birth date YYYYMMDD, a sequence (odd: male), check character. */
function residentId(birth: string, sequence: number, area = '410122'): string {
  const first17 = `${area}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

/** A Luhn-valid account number of the given length. */
function accountNo(seed: string, length = 19): string {
  const body = seed.padEnd(length - 1, '0').slice(0, length - 1);
  for (let check = 0; check <= 9; check++) {
    const candidate = body + check;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let digit = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

const VILLAGE_A1 = '410122101201';
const VILLAGE_A2 = '410122101202';
const VILLAGE_B = '410122102201';

let householdCounter = 0;

describe('registry (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerkA: SignedInUser;
  let clerkB: SignedInUser;
  let officer: SignedInUser;
  let finance: SignedInUser;
  let auditor: SignedInUser;

  /** A rural couple born 1980/1982 with one son born 2005, in village A1 unless told otherwise. */
  async function registerFamily(
    clerk: SignedInUser,
    overrides: Record<string, unknown> = {},
    regionCode = VILLAGE_A1,
  ): Promise<{ id: string; householdNo: string; head: string; spouse: string; child: string; body: any }> {
    const n = ++householdCounter;
    const body = {
      householdNo: `T-${n}`,
      regionCode,
      address: `测试村${n}号`,
      members: [
        { idNumber: residentId('19800101', 2 * n + 1), name: `父${n}`, relation: 'HEAD', hukouType: 'RURAL' },
        { idNumber: residentId('19820202', 2 * n + 2), name: `母${n}`, relation: 'SPOUSE', hukouType: 'RURAL' },
        {
          idNumber: residentId('20050505', 2 * n + 1),
          name: `子${n}`,
          relation: 'CHILD',
          hukouType: 'RURAL',
          birthOrder: 1,
        },
      ],
      ...overrides,
    };
    const response = await t.http().post(`${API}/households`).set('Authorization', clerk.auth).send(body);
    if (response.status !== 201) throw new Error(`register: ${response.status} ${response.text}`);
    const byRelation = (relation: string) =>
      response.body.members.find((m: { relation: string }) => m.relation === relation)?.personId as string;
    return {
      id: response.body.id,
      householdNo: body.householdNo,
      head: byRelation('HEAD'),
      spouse: byRelation('SPOUSE'),
      child: byRelation('CHILD'),
      body: response.body,
    };
  }

  const event = (user: SignedInUser, householdId: string, body: object) =>
    t.http().post(`${API}/households/${householdId}/events`).set('Authorization', user.auth).send(body);

  /** Rows that any write of the registry touches, to prove a refusal wrote nothing. */
  async function footprint(): Promise<Record<string, number>> {
    const [row] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM households)::int AS households,
             (SELECT count(*) FROM persons)::int AS persons,
             (SELECT count(*) FROM household_events)::int AS events,
             (SELECT count(*) FROM household_region_history)::int AS regions,
             (SELECT count(*) FROM person_hukou_history)::int AS hukou,
             (SELECT count(*) FROM person_grade_history)::int AS grades,
             (SELECT count(*) FROM household_bank_accounts)::int AS accounts,
             (SELECT count(*) FROM persons WHERE death_date IS NOT NULL)::int AS deaths,
             (SELECT count(*) FROM audit_events)::int AS audit`);
    return row;
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
    for (const [code, name] of [
      [VILLAGE_A1, '韩寺村'],
      [VILLAGE_A2, '张庄村'],
      [VILLAGE_B, '乙村'],
    ]) {
      await t.http().post(`${API}/regions`).set('Authorization', admin.auth).send({ code, name }).expect(201);
    }
    clerkA = await t.signIn('CLERK', '410122101');
    clerkB = await t.signIn('CLERK', '410122102');
    officer = await t.signIn('OFFICER', '410122');
    finance = await t.signIn('FINANCE', '410122');
    auditor = await t.signIn('AUDITOR', '410100');
  });
  afterAll(() => t?.close());

  describe('registering a household', () => {
    it('creates members with derived birth date and sex, full ID numbers for the clerk, audited', async () => {
      const family = await registerFamily(clerkA);
      expect(family.body).toMatchObject({
        id: family.id,
        householdNo: family.householdNo,
        regionCode: VILLAGE_A1,
        certificate: null,
        bankAccount: null,
        idNumbersMasked: false,
      });
      const head = family.body.members[0];
      expect(head).toMatchObject({ relation: 'HEAD', sex: 'M', birthDate: '1980-01-01', deathDate: null });
      expect(head.idNumber).toMatch(/^\d{17}[\dX]$/);
      expect(family.body.members[1]).toMatchObject({ relation: 'SPOUSE', sex: 'F', birthDate: '1982-02-02' });
      expect(family.body.children).toEqual([
        expect.objectContaining({ personId: family.child, birthOrder: 1, adopted: false, birthDate: '2005-05-05' }),
      ]);
      const audit = await t.dataSource.query(
        `SELECT action, actor_id, after->>'householdNo' AS no FROM audit_events WHERE entity_id = $1`,
        [family.id],
      );
      expect(audit).toEqual([{ action: 'household.registered', actor_id: clerkA.id, no: family.householdNo }]);
      const [{ after }] = await t.dataSource.query(
        `SELECT after::text AS after FROM audit_events WHERE entity_id = $1`,
        [family.id],
      );
      expect(after).toContain(head.personId);
      expect(after).not.toContain(head.idNumber);
    });

    it('stores a lowercase x as X', async () => {
      const seventeen = Array.from({ length: 999 }, (_, i) => `41012219900303${String(i).padStart(3, '0')}`).find(
        (candidate) => idCheckCharacter(candidate) === 'X',
      )!;
      const family = await registerFamily(clerkA, {
        members: [{ idNumber: `${seventeen}x`, name: '小写', relation: 'HEAD', hukouType: 'URBAN' }],
      });
      expect(family.body.members[0].idNumber).toBe(`${seventeen}X`);
    });

    it('refuses a bad check character with 400 INVALID_ID_NUMBER naming the field, writing nothing', async () => {
      const before = await footprint();
      const good = residentId('19800101', 901);
      const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      const response = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({
          householdNo: 'BAD-1',
          regionCode: VILLAGE_A1,
          address: '某处',
          members: [{ idNumber: bad, name: '甲', relation: 'HEAD', hukouType: 'RURAL' }],
        })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({
        status: 400,
        code: 'INVALID_ID_NUMBER',
        errors: [{ field: 'members.0.idNumber', message: expect.stringMatching(/^校验码为 \w，应为 \w$/) }],
      });
      expect(await footprint()).toEqual(before);
    });

    it('refuses a birth date or sex that disagrees with the ID number', async () => {
      const response = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({
          householdNo: 'BAD-2',
          regionCode: VILLAGE_A1,
          address: '某处',
          members: [
            {
              idNumber: residentId('19800101', 903),
              name: '甲',
              relation: 'HEAD',
              hukouType: 'RURAL',
              birthDate: '1980-01-02',
              sex: 'F',
            },
          ],
        })
        .expect(400);
      expect(response.body.code).toBe('INVALID_ID_NUMBER');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'members.0.birthDate',
        'members.0.sex',
      ]);
    });

    it('refuses unknown fields, a region outside the township and a village that does not exist', async () => {
      const member = { idNumber: residentId('19800101', 905), name: '甲', relation: 'HEAD', hukouType: 'RURAL' };
      const unknown = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({ householdNo: 'X-1', regionCode: VILLAGE_A1, address: 'a', members: [member], color: 'red' })
        .expect(400);
      expect(unknown.body.code).toBe('VALIDATION_FAILED');
      const outside = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({ householdNo: 'X-2', regionCode: VILLAGE_B, address: 'a', members: [member] })
        .expect(403);
      expect(outside.body.code).toBe('OUT_OF_SCOPE');
      const missing = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({ householdNo: 'X-3', regionCode: '410122101299', address: 'a', members: [member] })
        .expect(400);
      expect(missing.body.errors[0]).toMatchObject({ field: 'regionCode' });
      await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', officer.auth)
        .send({ householdNo: 'X-4', regionCode: VILLAGE_A1, address: 'a', members: [member] })
        .expect(403);
    });
  });

  describe('one person, one record in the whole city', () => {
    it('answers 409 DUPLICATE_PERSON naming the household only to a caller whose region holds it', async () => {
      const family = await registerFamily(clerkA);
      const known = family.body.members[0].idNumber as string;
      const before = await footprint();
      const member = { idNumber: known, name: '重复', relation: 'HEAD', hukouType: 'RURAL' };

      const fromB = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkB.auth)
        .send({ householdNo: 'DUP-B', regionCode: VILLAGE_B, address: '乙村1号', members: [member] })
        .expect(409);
      expect(fromB.body).toMatchObject({ status: 409, code: 'DUPLICATE_PERSON' });
      expect(fromB.body.householdNo).toBeUndefined();
      expect(fromB.body.householdId).toBeUndefined();
      expect(JSON.stringify(fromB.body)).not.toContain(family.householdNo);
      expect(JSON.stringify(fromB.body)).not.toContain(family.id);

      const fromA = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', clerkA.auth)
        .send({ householdNo: 'DUP-A', regionCode: VILLAGE_A2, address: '张庄1号', members: [member] })
        .expect(409);
      expect(fromA.body).toMatchObject({
        code: 'DUPLICATE_PERSON',
        householdId: family.id,
        householdNo: family.householdNo,
      });
      expect(await footprint()).toEqual(before);
    });

    it('refuses a birth of an already registered person with 409', async () => {
      const family = await registerFamily(clerkA);
      const other = await registerFamily(clerkB, {}, VILLAGE_B);
      const before = await footprint();
      const response = await event(clerkA, family.id, {
        type: 'BIRTH',
        date: '2005-05-05',
        data: { idNumber: other.body.members[2].idNumber, name: '重', hukouType: 'RURAL' },
      }).expect(409);
      expect(response.body.code).toBe('DUPLICATE_PERSON');
      expect(response.body.householdNo).toBeUndefined();
      expect(await footprint()).toEqual(before);
    });
  });

  describe('concurrency', () => {
    it('lets only one of two simultaneous registrations of the same person through', async () => {
      const idNumber = residentId('19770707', 771);
      const body = (no: string, regionCode: string) => ({
        householdNo: no,
        regionCode,
        address: '并发1号',
        members: [{ idNumber, name: '并发', relation: 'HEAD', hukouType: 'RURAL' }],
      });
      const answers = await Promise.all([
        t.http().post(`${API}/households`).set('Authorization', clerkA.auth).send(body('RACE-A', VILLAGE_A1)),
        t.http().post(`${API}/households`).set('Authorization', clerkB.auth).send(body('RACE-B', VILLAGE_B)),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(answers.find((a) => a.status === 409)!.body.code).toBe('DUPLICATE_PERSON');
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM persons WHERE id_number_bidx = $1`,
        [pii().blindIndex('id', idNumber)],
      );
      expect(count).toBe(1);
    });

    it('records one of two simultaneous deaths of the same person', async () => {
      const family = await registerFamily(clerkA);
      const answers = await Promise.all(
        ['2020-01-01', '2020-02-02'].map((date) =>
          event(clerkA, family.id, { type: 'DEATH', personId: family.spouse, date }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const events = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM household_events WHERE household_id = $1 AND type = 'DEATH'`,
        [family.id],
      );
      expect(events).toEqual([{ count: 1 }]);
    });
  });

  describe('region scope', () => {
    it('lets a clerk of another township neither read nor change the household', async () => {
      const family = await registerFamily(clerkA);
      const before = await footprint();
      const read = await t.http().get(`${API}/households/${family.id}`).set('Authorization', clerkB.auth).expect(404);
      expect(JSON.stringify(read.body)).not.toContain(family.householdNo);
      await t.http().get(`${API}/households/${family.id}/events`).set('Authorization', clerkB.auth).expect(404);
      await event(clerkB, family.id, { type: 'QUOTA_WAIVED', date: '2010-01-01' }).expect(404);
      await event(clerkA, 'not-a-household', { type: 'QUOTA_WAIVED', date: '2010-01-01' }).expect(404);
      await t.http().get(`${API}/households/not-a-household`).set('Authorization', clerkA.auth).expect(404);
      await event(clerkB, family.id, { type: 'DEATH', personId: family.head, date: '2010-01-01' }).expect(404);
      await t
        .http()
        .put(`${API}/households/${family.id}/bank-account`)
        .set('Authorization', clerkB.auth)
        .send({ bankCode: '102', accountNo: accountNo('622202'), holderPersonId: family.head })
        .expect(404);
      const search = await t
        .http()
        .get(`${API}/households?q=${family.householdNo}`)
        .set('Authorization', clerkB.auth)
        .expect(200);
      expect(search.body).toEqual({ items: [], nextCursor: null });
      await t.http().get(`${API}/households?regionCode=410122101`).set('Authorization', clerkB.auth).expect(403);
      expect(await footprint()).toEqual(before);
    });

    it('masks ID numbers for the county officer and the auditor, account numbers except for finance', async () => {
      const family = await registerFamily(clerkA);
      const account = accountNo('6222021');
      await t
        .http()
        .put(`${API}/households/${family.id}/bank-account`)
        .set('Authorization', clerkA.auth)
        .send({ bankCode: '102', accountNo: account, holderPersonId: family.head })
        .expect(200);
      const masked = /^\d{6}\*+[\dX]{2}$/;
      for (const user of [officer, auditor]) {
        const view = await t.http().get(`${API}/households/${family.id}`).set('Authorization', user.auth).expect(200);
        expect(view.body.members[0].idNumber).toMatch(masked);
        expect(view.body.bankAccount.accountNo).toMatch(masked);
      }
      const financeView = await t
        .http()
        .get(`${API}/households/${family.id}`)
        .set('Authorization', finance.auth)
        .expect(200);
      expect(financeView.body.members[0].idNumber).toMatch(masked);
      expect(financeView.body.bankAccount.accountNo).toBe(account);
      const clerkView = await t.http().get(`${API}/households/${family.id}`).set('Authorization', clerkA.auth);
      // The whole ID only through GET /persons/:id/id-number, with a reason (issue 22).
      expect(clerkView.body.members[0].idNumber).toMatch(masked);
      expect(clerkView.body.bankAccount.accountNo).toBe(account);
    });

    it('searches by household number, name and exact ID number with masked numbers and a cursor', async () => {
      const family = await registerFamily(clerkA);
      const idNumber = family.body.members[1].idNumber as string;
      const byNo = await t
        .http()
        .get(`${API}/households?q=${family.householdNo}`)
        .set('Authorization', clerkA.auth)
        .expect(200);
      expect(byNo.body.items.map((i: { id: string }) => i.id)).toContain(family.id);
      const byName = await t
        .http()
        .get(`${API}/households?q=${encodeURIComponent(family.body.members[1].name)}`)
        .set('Authorization', officer.auth)
        .expect(200);
      expect(byName.body.items).toEqual([
        expect.objectContaining({
          id: family.id,
          memberCount: 3,
          head: expect.objectContaining({ name: family.body.members[0].name }),
        }),
      ]);
      expect(byName.body.items[0].head.idNumber).toMatch(/^\d{6}\*{10}[\dX]{2}$/);
      const byId = await t
        .http()
        .get(`${API}/households?q=${idNumber.toLowerCase()}`)
        .set('Authorization', clerkA.auth)
        .expect(200);
      expect(byId.body.items.map((i: { id: string }) => i.id)).toEqual([family.id]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t
          .http()
          .get(`${API}/households?regionCode=${VILLAGE_A1}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set('Authorization', clerkA.auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM households WHERE region_code = $1`,
        [VILLAGE_A1],
      );
      expect(seen).toHaveLength(count);
      expect(new Set(seen).size).toBe(count);
      await t.http().get(`${API}/households?limit=501`).set('Authorization', clerkA.auth).expect(400);
      const forged = Buffer.from(JSON.stringify(['T-1', "x'; DROP TABLE households"])).toString('base64url');
      const refused = await t.http().get(`${API}/households?cursor=${forged}`).set('Authorization', clerkA.auth);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    });
  });

  describe('life events that contradict the record are refused and write nothing', () => {
    let family: Awaited<ReturnType<typeof registerFamily>>;
    beforeAll(async () => {
      family = await registerFamily(clerkA);
    });

    async function refused(body: object, status: number, code: string) {
      const before = await footprint();
      const response = await event(clerkA, family.id, body);
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await footprint()).toEqual(before);
      return response;
    }

    it('refuses a death before the birth', async () => {
      await refused({ type: 'DEATH', personId: family.child, date: '2004-01-01' }, 422, 'EVENT_BEFORE_BIRTH');
    });

    it('refuses an event dated in the future', async () => {
      const future = `${new Date().getUTCFullYear() + 1}-01-01`;
      await refused({ type: 'DEATH', personId: family.child, date: future }, 422, 'EVENT_DATE_IN_FUTURE');
    });

    it('refuses a move to a region that does not exist, or to where it already is', async () => {
      await refused(
        { type: 'MOVE', date: '2012-01-01', data: { regionCode: '410122101299' } },
        422,
        'REGION_NOT_FOUND',
      );
      await refused({ type: 'MOVE', date: '2012-01-01', data: { regionCode: VILLAGE_A1 } }, 422, 'EVENT_NO_CHANGE');
    });

    it('refuses a second death with 409', async () => {
      await event(clerkA, family.id, { type: 'DEATH', personId: family.child, date: '2015-06-01' }).expect(201);
      await refused({ type: 'DEATH', personId: family.child, date: '2016-06-01' }, 409, 'PERSON_ALREADY_DEAD');
      await refused(
        { type: 'DISABILITY_ASSESSED', personId: family.child, date: '2016-01-01', data: { grade: 2 } },
        422,
        'PERSON_DECEASED',
      );
    });

    it('refuses a person of another household, a bad grade and a revocation without a certificate', async () => {
      const other = await registerFamily(clerkA);
      await refused({ type: 'DEATH', personId: other.head, date: '2015-06-01' }, 422, 'PERSON_NOT_IN_HOUSEHOLD');
      await refused(
        { type: 'DISABILITY_ASSESSED', personId: family.head, date: '2015-06-01', data: { grade: 5 } },
        422,
        'INVALID_EVENT_DATA',
      );
      await refused({ type: 'CERTIFICATE_REVOKED', date: '2015-06-01' }, 409, 'NO_ACTIVE_CERTIFICATE');
      await refused({ type: 'DEATH', date: '2015-06-01' }, 400, 'VALIDATION_FAILED');
    });

    it('refuses a birth whose date disagrees with the ID number, and a hukou change out of order', async () => {
      await refused(
        {
          type: 'BIRTH',
          date: '2010-01-01',
          data: { idNumber: residentId('20100102', 777), name: '新', hukouType: 'RURAL' },
        },
        422,
        'EVENT_CONTRADICTS_RECORD',
      );
      await event(clerkA, family.id, {
        type: 'HUKOU_CHANGE',
        personId: family.head,
        date: '2014-01-01',
        data: { hukouType: 'URBAN' },
      }).expect(201);
      await refused(
        { type: 'HUKOU_CHANGE', personId: family.head, date: '2013-01-01', data: { hukouType: 'RURAL' } },
        422,
        'EVENT_OUT_OF_ORDER',
      );
    });

    it('keeps the event log append-only in the database', async () => {
      await expect(t.dataSource.query(`UPDATE household_events SET event_date = '2000-01-01'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(t.dataSource.query(`DELETE FROM household_events`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`TRUNCATE household_events CASCADE`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM person_hukou_history`)).rejects.toThrow(/append-only/);
    });
  });

  describe('the one-card bank account', () => {
    it('accepts 16-19 digits passing Luhn held by an adult member, and audits it', async () => {
      const family = await registerFamily(clerkA);
      const account = accountNo('62284801', 16);
      const response = await t
        .http()
        .put(`${API}/households/${family.id}/bank-account`)
        .set('Authorization', clerkA.auth)
        .send({ bankCode: 'ABC', accountNo: account, holderPersonId: family.spouse })
        .expect(200);
      expect(response.body.bankAccount).toEqual({ bankCode: 'ABC', accountNo: account, holderPersonId: family.spouse });
      const audit = await t.dataSource.query(
        `SELECT action, before->'bankAccount' AS before, after->'household'->'bankAccount'->>'accountNo' AS after
           FROM audit_events WHERE entity_id = $1 AND action = 'household.event.bank_account_change'`,
        [family.id],
      );
      // The trail identifies the account by household and holder; it does not copy the number.
      expect(audit).toEqual([
        {
          action: 'household.event.bank_account_change',
          before: null,
          after: `${account.slice(0, 6)}********${account.slice(-2)}`,
        },
      ]);
    });

    it('refuses a bad Luhn digit, a wrong length, a child holder and a holder of another household', async () => {
      const family = await registerFamily(clerkA);
      const young = await registerFamily(clerkA, {
        members: [
          { idNumber: residentId('19900101', 611), name: '父', relation: 'HEAD', hukouType: 'RURAL' },
          { idNumber: residentId('20150101', 612), name: '女', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
        ],
      });
      const before = await footprint();
      const good = accountNo('6222021234');
      const badLuhn = good.slice(0, -1) + String((Number(good.slice(-1)) + 1) % 10);
      const put = (body: object) =>
        t.http().put(`${API}/households/${family.id}/bank-account`).set('Authorization', clerkA.auth).send(body);
      const luhn = await put({ bankCode: '102', accountNo: badLuhn, holderPersonId: family.head }).expect(400);
      expect(luhn.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'data.accountNo' }] });
      await put({ bankCode: '102', accountNo: accountNo('622202', 15), holderPersonId: family.head }).expect(400);
      await put({ bankCode: '102', accountNo: accountNo('622202', 20), holderPersonId: family.head }).expect(400);
      const child = await t
        .http()
        .put(`${API}/households/${young.id}/bank-account`)
        .set('Authorization', clerkA.auth)
        .send({ bankCode: '102', accountNo: good, holderPersonId: young.child })
        .expect(422);
      expect(child.body).toMatchObject({ code: 'HOLDER_NOT_ADULT', detail: '账户持有人必须是成年人' });
      const stranger = await put({ bankCode: '102', accountNo: good, holderPersonId: young.head }).expect(422);
      expect(stranger.body.code).toBe('HOLDER_NOT_MEMBER');
      expect(await footprint()).toEqual(before);
    });

    it('refuses a holder who has died', async () => {
      const family = await registerFamily(clerkA);
      await event(clerkA, family.id, { type: 'DEATH', personId: family.head, date: '2020-01-01' }).expect(201);
      const response = await t
        .http()
        .put(`${API}/households/${family.id}/bank-account`)
        .set('Authorization', clerkA.auth)
        .send({ bankCode: '102', accountNo: accountNo('622202'), holderPersonId: family.head })
        .expect(422);
      expect(response.body.code).toBe('HOLDER_DECEASED');
    });
  });

  describe('the household as of a past date', () => {
    let family: Awaited<ReturnType<typeof registerFamily>>;

    beforeAll(async () => {
      family = await registerFamily(clerkA);
      const steps = [
        { type: 'DISABILITY_ASSESSED', personId: family.child, date: '2010-05-01', data: { grade: 2 } },
        { type: 'HUKOU_CHANGE', personId: family.head, date: '2012-03-01', data: { hukouType: 'URBAN' } },
        { type: 'CERTIFICATE_ISSUED', date: '2006-01-10', data: { certificateNo: `C-${family.householdNo}` } },
        { type: 'MOVE', date: '2013-01-01', data: { regionCode: VILLAGE_A2, address: '张庄8号' } },
        { type: 'DEATH', personId: family.child, date: '2015-06-01' },
        { type: 'VIOLATION_RECORDED', date: '2014-02-02', data: { year: 2009 } },
        { type: 'COLLEGE_ADMITTED', personId: family.head, date: '2014-09-01' },
      ];
      for (const step of steps) await event(clerkA, family.id, step).expect(201);
      await event(clerkA, family.id, {
        type: 'BANK_ACCOUNT_CHANGE',
        date: '2016-01-01',
        data: { bankCode: '102', accountNo: accountNo('6222029'), holderPersonId: family.head },
      }).expect(201);
    });

    const asOf = async (date: string) =>
      (await t.http().get(`${API}/households/${family.id}?asOf=${date}`).set('Authorization', clerkA.auth).expect(200))
        .body;

    it('shows each fact only from its effective date', async () => {
      const early = await asOf('2009-12-31');
      expect(early).toMatchObject({
        asOf: '2009-12-31',
        regionCode: VILLAGE_A1,
        violationYears: [],
        bankAccount: null,
      });
      expect(early.certificate).toEqual({
        certificateNo: `C-${family.householdNo}`,
        issuedOn: '2006-01-10',
        revokedOn: null,
      });
      expect(early.members[0]).toMatchObject({ hukouType: 'RURAL', collegeAdmittedOn: null });
      expect(early.members[2]).toMatchObject({ disabilityGrade: null, deathDate: null });

      const mid = await asOf('2012-12-31');
      expect(mid.regionCode).toBe(VILLAGE_A1);
      expect(mid.members[0].hukouType).toBe('URBAN');
      expect(mid.members[2]).toMatchObject({ disabilityGrade: 2, deathDate: null });

      const moved = await asOf('2013-01-01');
      expect(moved).toMatchObject({ regionCode: VILLAGE_A2, address: '张庄8号' });
      const beforeDeath = await asOf('2015-05-31');
      expect(beforeDeath.members[2].deathDate).toBeNull();
      expect(beforeDeath.violationYears).toEqual([2009]);
      const afterDeath = await asOf('2015-06-01');
      expect(afterDeath.members[2].deathDate).toBe('2015-06-01');
      expect(afterDeath.bankAccount).toBeNull();
      const now = await asOf('2016-01-01');
      expect(now.bankAccount).toMatchObject({ holderPersonId: family.head });
    });

    it('hides a child before its birth or adoption', async () => {
      expect((await asOf('2005-05-04')).members).toHaveLength(2);
      expect((await asOf('2005-05-05')).members).toHaveLength(3);
      await event(clerkA, family.id, {
        type: 'ADOPTION',
        date: '2016-03-01',
        data: { idNumber: residentId('20140707', 882), name: '养女', hukouType: 'RURAL' },
      }).expect(201);
      expect((await asOf('2016-02-29')).members).toHaveLength(3);
      const after = await asOf('2016-03-01');
      expect(after.children).toEqual([
        expect.objectContaining({ birthOrder: 1, adopted: false }),
        expect.objectContaining({ birthOrder: 2, adopted: true, adoptedOn: '2016-03-01', birthDate: '2014-07-07' }),
      ]);
    });

    it('shows a revocation, a lifted grade, a complication and a waiver only from their dates', async () => {
      const other = await registerFamily(clerkA, {
        certificate: { certificateNo: `C2-${householdCounter}`, issuedOn: '2006-06-06' },
      });
      for (const step of [
        { type: 'DISABILITY_ASSESSED', personId: other.child, date: '2011-01-01', data: { grade: 1 } },
        { type: 'DISABILITY_ASSESSED', personId: other.child, date: '2013-01-01', data: { grade: null } },
        { type: 'COMPLICATION_ASSESSED', personId: other.spouse, date: '2009-09-09', data: { grade: 3 } },
        { type: 'CERTIFICATE_REVOKED', date: '2014-04-04' },
        { type: 'QUOTA_WAIVED', date: '2007-07-07' },
      ]) {
        await event(clerkA, other.id, step).expect(201);
      }
      const view = async (date: string) =>
        (await t.http().get(`${API}/households/${other.id}?asOf=${date}`).set('Authorization', clerkA.auth).expect(200))
          .body;
      const in2012 = await view('2012-06-30');
      expect(in2012.members[2].disabilityGrade).toBe(1);
      expect(in2012.members[1].complicationGrade).toBe(3);
      expect(in2012.certificate.revokedOn).toBeNull();
      expect(in2012.quotaWaivedOn).toBe('2007-07-07');
      const in2014 = await view('2014-06-30');
      expect(in2014.members[2].disabilityGrade).toBeNull();
      expect(in2014.certificate.revokedOn).toBe('2014-04-04');
      const in2007 = await view('2007-07-06');
      expect(in2007).toMatchObject({ quotaWaivedOn: null });
      expect(in2007.members[1].complicationGrade).toBeNull();
      await t.http().get(`${API}/households/${other.id}?asOf=2013-02-30`).set('Authorization', clerkA.auth).expect(400);
    });

    it('keeps the events in an append-only log readable by the household’s region', async () => {
      const log = await t
        .http()
        .get(`${API}/households/${family.id}/events`)
        .set('Authorization', officer.auth)
        .expect(200);
      expect(log.body.nextCursor).toBeNull();
      expect(log.body.items.map((e: { type: string }) => e.type)).toEqual([
        'REGISTERED',
        'DISABILITY_ASSESSED',
        'HUKOU_CHANGE',
        'CERTIFICATE_ISSUED',
        'MOVE',
        'DEATH',
        'VIOLATION_RECORDED',
        'COLLEGE_ADMITTED',
        'BANK_ACCOUNT_CHANGE',
        'ADOPTION',
      ]);
      const bank = log.body.items.find((e: { type: string }) => e.type === 'BANK_ACCOUNT_CHANGE');
      expect(bank.data.accountNo).toMatch(/\*/);
      const first = await t
        .http()
        .get(`${API}/households/${family.id}/events?limit=4`)
        .set('Authorization', officer.auth)
        .expect(200);
      const rest = await t
        .http()
        .get(`${API}/households/${family.id}/events?limit=500&cursor=${first.body.nextCursor}`)
        .set('Authorization', officer.auth)
        .expect(200);
      expect([...first.body.items, ...rest.body.items]).toEqual(log.body.items);
    });
  });

  it('documents the registry routes with their roles in the OpenAPI document', async () => {
    const response = await t.http().get('/api/docs-json').expect(200);
    const paths = response.body.paths;
    expect(paths['/api/v1/households'].post.description).toContain('CLERK');
    expect(paths['/api/v1/households/{id}'].get).toBeDefined();
    expect(paths['/api/v1/households/{id}/events'].post.description).toContain('CLERK');
    expect(paths['/api/v1/households/{id}/bank-account'].put).toBeDefined();
    expect(paths['/api/v1/households/import'].post).toBeDefined();
    expect(response.body.components.schemas.HouseholdViewDto.properties.members).toBeDefined();
  });

  describe('snapshots for eligibility', () => {
    it('streams the same snapshots as forHousehold, in keyset chunks, for several dates', async () => {
      const snapshots = t.app.get(HouseholdSnapshots);
      const extra = await registerFamily(clerkB, {}, VILLAGE_B);
      await event(clerkB, extra.id, { type: 'MOVE', date: '2011-01-01', data: { regionCode: VILLAGE_A1 } }).expect(201);
      await registerFamily(clerkB, {}, VILLAGE_B);
      for (const date of ['2010-06-30', '2012-12-31', '2015-06-01', '2026-01-01']) {
        const streamed: HouseholdSnapshot[] = [];
        let chunks = 0;
        for await (const chunk of snapshots.streamSnapshots({ regionPrefix: '410122101', asOf: date, chunkSize: 3 })) {
          expect(chunk.length).toBeLessThanOrEqual(3);
          chunks++;
          streamed.push(...chunk);
        }
        expect(chunks).toBeGreaterThan(1);
        const ids = streamed.map((s) => s.householdId);
        expect([...ids].sort()).toEqual(ids);
        expect(streamed.every((s) => s.regionCode.startsWith('410122101'))).toBe(true);
        for (const snapshot of streamed) {
          expect(await snapshots.forHousehold(snapshot.householdId, date)).toEqual(snapshot);
        }
        const [{ count }] = await t.dataSource.query(
          `SELECT count(*)::int AS count FROM households h
            WHERE (SELECT region_code FROM household_region_history r WHERE r.household_id = h.id
                     AND r.effective_on <= $1::date ORDER BY effective_on DESC, seq DESC LIMIT 1) LIKE '410122101%'`,
          [date],
        );
        expect(streamed).toHaveLength(count);
        // The household that moved into the township in 2011 belongs to it only from then on.
        expect(ids.includes(extra.id)).toBe(date >= '2011-01-01');
      }
      const city = [];
      for await (const chunk of snapshots.streamSnapshots({ regionPrefix: '410100', asOf: '2026-01-01' }))
        city.push(...chunk);
      const [{ total }] = await t.dataSource.query(`SELECT count(*)::int AS total FROM households`);
      expect(city).toHaveLength(total);
    });
  });
});
