import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';
import { accountNo, ensureVillage, idNumber } from '../support/fixtures.js';
import { pii } from '../../src/common/pii/keyring.js';

/**
 * The six families the first catalogue decided wrong (SPEC.md revision 2), registered through the HTTP API on PostgreSQL as a clerk would,
 * and asked GET eligibility?asOf= and GET benefit-amounts (what a batch pays), which must agree.
 */
interface Member {
  key: string;
  born: string;
  sex: 'M' | 'F';
  relation: 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'OTHER';
  hukouType?: 'RURAL' | 'URBAN';
  deathDate?: string;
  birthOrder?: number;
  mother?: string;
  father?: string;
}

interface Decision {
  policyCode: string;
  personId: string | null;
  eligible: boolean;
  amount: string | null;
  versionId: string | null;
  reasons: { condition: string; label: string; actual: unknown; passed: boolean }[];
}

describe('revision 2: six families (e2e, PostgreSQL)', () => {
  let t: TestApp;
  let clerk: SignedInUser;
  let number = 0;
  const VILLAGE = '410122101201';

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    await ensureVillage(t, admin, VILLAGE);
  });
  afterAll(() => t?.close());

  async function register(members: Member[], extra: Record<string, unknown> = {}) {
    const ids = new Map(members.map((m) => [m.key, idNumber(m.born, m.sex)]));
    number++;
    const response = await t
      .http()
      .post(`${API}/households`)
      .set('Authorization', clerk.auth)
      .send({
        householdNo: `R2-${number}`,
        regionCode: VILLAGE,
        address: '测试村',
        members: members.map((m) => ({
          idNumber: ids.get(m.key),
          name: m.key,
          relation: m.relation,
          hukouType: m.hukouType ?? 'RURAL',
          ...(m.deathDate ? { deathDate: m.deathDate } : {}),
          ...(m.birthOrder ? { birthOrder: m.birthOrder } : {}),
          ...(m.mother ? { motherIdNumber: ids.get(m.mother) } : {}),
          ...(m.father ? { fatherIdNumber: ids.get(m.father) } : {}),
        })),
        ...extra,
      });
    if (response.status !== 201) throw new Error(`register: ${response.status} ${response.text}`);
    const person = (key: string) =>
      (response.body.members as { idNumber: string; personId: string }[]).find((m) => m.idNumber === ids.get(key))!
        .personId;
    return { id: response.body.id as string, person };
  }

  const decisions = async (householdId: string, asOf: string) =>
    (
      await t
        .http()
        .get(`${API}/households/${householdId}/eligibility?asOf=${asOf}`)
        .set('Authorization', clerk.auth)
        .expect(200)
    ).body.decisions as Decision[];
  const decision = async (householdId: string, asOf: string, code: string, personId: string | null = null) =>
    (await decisions(householdId, asOf)).find((d) => d.policyCode === code && d.personId === personId)!;
  const paid = async (householdId: string, code: string, period: string, personId?: string) =>
    (
      await t
        .http()
        .get(
          `${API}/households/${householdId}/benefit-amounts?policyCode=${code}&period=${period}` +
            (personId ? `&personId=${personId}` : ''),
        )
        .set('Authorization', clerk.auth)
        .expect(200)
    ).body as { total: string; months: { month: string; eligible: boolean }[] };
  const event = (householdId: string, body: Record<string, unknown>, status = 201) =>
    t.http().post(`${API}/households/${householdId}/events`).set('Authorization', clerk.auth).send(body).expect(status);

  it('a widower whose only child died: special assistance on his own age, with Chinese labels', async () => {
    const h = await register([
      { key: 'father', born: '1958-04-01', sex: 'M', relation: 'HEAD' },
      { key: 'mother', born: '1960-02-01', sex: 'F', relation: 'SPOUSE', deathDate: '2006-07-01' },
      { key: 'son', born: '1984-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1, deathDate: '2005-09-01' },
    ]);
    const d = await decision(h.id, '2012-06-15', 'SPECIAL_BEREAVED', h.person('father'));
    expect(d).toMatchObject({ eligible: true, amount: '135.00' });
    const rule = d.reasons.find((r) => r.condition.includes('household.singleParent'))!;
    expect(rule.actual).toEqual({ 'household.singleParent': true, 'household.motherAge': null, 'person.age': 54 });
    expect(d.reasons.find((r) => r.condition === 'person.alive = true')!.label).toBe('本人健在：实际是，要求是');
    expect((await paid(h.id, 'SPECIAL_BEREAVED', '2012', h.person('father'))).total).toBe('1620.00');
  });

  it('a son died, a daughter lives: the rural reward counts living children', async () => {
    const h = await register([
      { key: 'father', born: '1950-03-01', sex: 'M', relation: 'HEAD' },
      { key: 'mother', born: '1952-03-01', sex: 'F', relation: 'SPOUSE' },
      { key: 'son', born: '1976-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1, deathDate: '1999-05-01' },
      { key: 'daughter', born: '1979-01-01', sex: 'F', relation: 'CHILD', birthOrder: 2 },
    ]);
    expect(await decision(h.id, '2012-03-01', 'RURAL_REWARD', h.person('father'))).toMatchObject({
      eligible: true,
      amount: '960.00',
    });
    // A violation in 2001 excludes them; one recorded for 2002 does not (1973-2001 only).
    await event(h.id, { type: 'VIOLATION_RECORDED', date: '2005-01-01', data: { year: 2002 } });
    expect((await decision(h.id, '2012-03-01', 'RURAL_REWARD', h.person('father'))).eligible).toBe(true);
    await event(h.id, { type: 'VIOLATION_RECORDED', date: '2005-01-01', data: { year: 2001 } });
    expect((await decision(h.id, '2012-03-01', 'RURAL_REWARD', h.person('father'))).eligible).toBe(false);
  });

  it('a family that moved in on 2012-06-10 is owed nothing for 2010 nor before the move', async () => {
    const h = await register(
      [
        { key: 'father', born: '1975-01-01', sex: 'M', relation: 'HEAD' },
        { key: 'mother', born: '1977-01-01', sex: 'F', relation: 'SPOUSE' },
        { key: 'kid', born: '2005-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1 },
      ],
      { certificate: { certificateNo: `MI-${number + 1}`, issuedOn: '2006-01-01' } },
    );
    expect((await decision(h.id, '2010-06-01', 'OCP_REWARD')).eligible).toBe(true); // not yet known
    for (const key of ['father', 'mother', 'kid']) {
      await event(h.id, {
        type: 'MOVE_IN',
        personId: h.person(key),
        date: '2012-06-10',
        data: { fromPlace: '洛阳市' },
      });
    }
    const before = await decision(h.id, '2010-06-01', 'OCP_REWARD');
    expect(before.eligible).toBe(false);
    expect(before.reasons[0]).toMatchObject({
      condition: 'household.resident = true',
      label: '家庭持有本市户籍：否，要求是',
    });
    expect((await paid(h.id, 'OCP_REWARD', '2010')).total).toBe('0.00');
    const year = await paid(h.id, 'OCP_REWARD', '2012');
    expect(year.total).toBe('70.00');
    expect(year.months.filter((m) => m.eligible)[0].month).toBe('2012-06');
    // A second move-in while resident is refused; a move out ends it.
    await event(
      h.id,
      { type: 'MOVE_IN', personId: h.person('kid'), date: '2013-01-01', data: { fromPlace: 'x' } },
      422,
    );
    await event(h.id, { type: 'MOVE_OUT', personId: h.person('father'), date: '2014-03-20' });
    expect((await decision(h.id, '2014-06-01', 'OCP_REWARD')).eligible).toBe(true); // the mother still holds it
  });

  it('a rural mother whose husband (the head) is urban gets the premium waiver', async () => {
    const h = await register([
      { key: 'father', born: '1970-01-01', sex: 'M', relation: 'HEAD', hukouType: 'URBAN' },
      { key: 'mother', born: '1972-01-01', sex: 'F', relation: 'SPOUSE', hukouType: 'RURAL' },
      { key: 'kid', born: '2000-01-01', sex: 'F', relation: 'CHILD', birthOrder: 1 },
    ]);
    expect(await decision(h.id, '2012-05-01', 'NCMS_WAIVER', h.person('mother'))).toMatchObject({
      eligible: true,
      amount: '50.00',
    });
    expect((await decision(h.id, '2012-05-01', 'NCMS_WAIVER', h.person('father'))).eligible).toBe(false);
  });

  it('asked in March, the annual rural reward agrees with the year’s payment, also after a death in May', async () => {
    const h = await register([
      { key: 'father', born: '1950-03-01', sex: 'M', relation: 'HEAD' },
      { key: 'mother', born: '1953-01-01', sex: 'F', relation: 'SPOUSE' },
      { key: 'son', born: '1980-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1 },
    ]);
    const father = h.person('father');
    await event(h.id, { type: 'DEATH', personId: father, date: '2012-05-10' });
    const march = await decision(h.id, '2012-03-15', 'RURAL_REWARD', father);
    expect(march).toMatchObject({ eligible: true, amount: '960.00' });
    expect((await paid(h.id, 'RURAL_REWARD', '2012', father)).total).toBe('960.00');
    expect((await paid(h.id, 'RURAL_REWARD', '2013', father)).total).toBe('0.00');
  });

  it('a three-generation household headed by a grandparent, by the parent links', async () => {
    const h = await register(
      [
        { key: 'grandpa', born: '1945-01-01', sex: 'M', relation: 'HEAD' },
        { key: 'grandma', born: '1947-01-01', sex: 'F', relation: 'SPOUSE' },
        { key: 'son', born: '1972-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1 },
        { key: 'wife', born: '1974-01-01', sex: 'F', relation: 'OTHER' },
        { key: 'grandchild', born: '2000-03-15', sex: 'F', relation: 'OTHER', mother: 'wife', father: 'son' },
      ],
      { certificate: { certificateNo: `TG-${number + 1}`, issuedOn: '2001-01-01' } },
    );
    const [persons] = await t.dataSource.query(`SELECT mother_id, father_id FROM persons WHERE id = $1`, [
      h.person('son'),
    ]);
    expect(persons).toEqual({ mother_id: h.person('grandma'), father_id: h.person('grandpa') });
    expect(await decision(h.id, '2012-05-01', 'OCP_REWARD')).toMatchObject({ eligible: true, amount: '10.00' });
    expect((await decision(h.id, '2012-05-01', 'RURAL_REWARD', h.person('grandpa'))).eligible).toBe(true);
    expect((await decision(h.id, '2012-05-01', 'TUITION_WAIVER', h.person('grandchild'))).eligible).toBe(true);
    // A mother who is not a woman, or a parent younger than the child, is refused at registration.
    const refused = await t
      .http()
      .post(`${API}/households`)
      .set('Authorization', clerk.auth)
      .send({
        householdNo: 'R2-bad',
        regionCode: VILLAGE,
        address: '测试村',
        members: [
          { idNumber: idNumber('1960-01-01', 'M'), name: 'a', relation: 'HEAD', hukouType: 'RURAL' },
          {
            idNumber: idNumber('1990-01-01', 'F'),
            name: 'b',
            relation: 'CHILD',
            hukouType: 'RURAL',
            motherIdNumber: idNumber('1930-01-01', 'M'),
          },
        ],
      })
      .expect(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'members.1.motherIdNumber' });
  });

  it('one account number, one holder in the whole city', async () => {
    const a = await register([{ key: 'a', born: '1960-01-01', sex: 'M', relation: 'HEAD' }]);
    const b = await register([{ key: 'b', born: '1961-01-01', sex: 'M', relation: 'HEAD' }]);
    const put = (householdId: string, holderPersonId: string) =>
      t
        .http()
        .put(`${API}/households/${householdId}/bank-account`)
        .set('Authorization', clerk.auth)
        .send({ bankCode: '102', accountNo: accountNo(9141), holderPersonId });
    await put(a.id, a.person('a')).expect(200);
    const refused = await put(b.id, b.person('b')).expect(409);
    expect(refused.body.code).toBe('ACCOUNT_HELD_BY_ANOTHER');
    await expect(
      t.dataSource.query(
        `INSERT INTO household_bank_accounts
           (household_id, effective_on, bank_code, account_no_enc, account_no_bidx, holder_person_id)
         VALUES ($1, '2020-01-01', '102', $2, $3, $4)`,
        [b.id, pii().encrypt(accountNo(9141)), pii().blindIndex('account', accountNo(9141)), b.person('b')],
      ),
    ).rejects.toThrow(/household_bank_accounts_one_holder/);
  });

  it('MEMBER_LEFT and MEMBER_JOINED: a daughter marries out and still counts; her husband joins his own household', async () => {
    const h = await register([
      { key: 'father', born: '1950-03-01', sex: 'M', relation: 'HEAD' },
      { key: 'mother', born: '1952-03-01', sex: 'F', relation: 'SPOUSE' },
      { key: 'daughter', born: '1985-01-01', sex: 'F', relation: 'CHILD', birthOrder: 1 },
    ]);
    await event(h.id, { type: 'MEMBER_LEFT', personId: h.person('daughter'), date: '2010-10-01' });
    await event(h.id, { type: 'MEMBER_LEFT', personId: h.person('daughter'), date: '2011-10-01' }, 409);
    expect((await decision(h.id, '2012-03-01', 'RURAL_REWARD', h.person('father'))).eligible).toBe(true);
    expect((await decisions(h.id, '2012-03-01')).some((d) => d.personId === h.person('daughter'))).toBe(false);
    const other = await register([{ key: 'husband', born: '1983-05-01', sex: 'M', relation: 'HEAD' }]);
    const joined = await event(other.id, {
      type: 'MEMBER_JOINED',
      date: '2010-10-01',
      data: {
        member: { idNumber: idNumber('1986-02-01', 'F'), name: '新娘', relation: 'SPOUSE', hukouType: 'RURAL' },
      },
    });
    expect(joined.body.household.members).toHaveLength(2);
    await event(other.id, { type: 'MEMBER_JOINED', date: '2010-10-01', data: { member: { relation: 'HEAD' } } }, 422);
  });

  it('CORRECTION withdraws a death recorded in error, and corrects a mistyped name, address or death date', async () => {
    const h = await register([
      { key: 'father', born: '1950-03-01', sex: 'M', relation: 'HEAD' },
      { key: 'mother', born: '1953-01-01', sex: 'F', relation: 'SPOUSE', deathDate: '2011-02-01' },
      { key: 'son', born: '1980-01-01', sex: 'M', relation: 'CHILD', birthOrder: 1 },
    ]);
    const father = h.person('father');
    const death = await event(h.id, { type: 'DEATH', personId: father, date: '2012-05-10' });
    expect((await decision(h.id, '2013-03-01', 'RURAL_REWARD', father)).eligible).toBe(false);
    await event(h.id, { type: 'CORRECTION', date: '2013-06-01', data: { withdrawsEventId: death.body.id } }, 422);
    const withdrawn = await event(h.id, {
      type: 'CORRECTION',
      date: '2013-06-01',
      data: { withdrawsEventId: death.body.id, reason: '误报死亡，本人健在' },
    });
    expect(withdrawn.body.data).toMatchObject({ withdrawnType: 'DEATH' });
    expect((await decision(h.id, '2013-03-01', 'RURAL_REWARD', father)).eligible).toBe(true);
    await event(
      h.id,
      { type: 'CORRECTION', date: '2013-06-01', data: { withdrawsEventId: death.body.id, reason: 'x' } },
      409,
    );
    // A hukou change recorded in error is withdrawn: the rural hukou holds again from that date.
    const change = await event(h.id, {
      type: 'HUKOU_CHANGE',
      personId: father,
      date: '2013-02-01',
      data: { hukouType: 'URBAN' },
    });
    expect((await decision(h.id, '2014-03-01', 'RURAL_REWARD', father)).eligible).toBe(false);
    await event(h.id, {
      type: 'CORRECTION',
      date: '2014-06-01',
      data: { withdrawsEventId: change.body.id, reason: '录入错误' },
    });
    expect((await decision(h.id, '2014-03-01', 'RURAL_REWARD', father)).eligible).toBe(true);
    // Field corrections.
    const renamed = await event(h.id, {
      type: 'CORRECTION',
      personId: h.person('son'),
      date: '2014-06-01',
      data: { field: 'name', value: '王小明', reason: '姓名录入错误' },
    });
    expect(renamed.body.household.members.find((m: { personId: string }) => m.personId === h.person('son')).name).toBe(
      '王小明',
    );
    const moved = await event(h.id, {
      type: 'CORRECTION',
      date: '2014-06-01',
      data: { field: 'address', value: '测试村2号', reason: '门牌号错误' },
    });
    expect(moved.body.household.address).toBe('测试村2号');
    await event(h.id, {
      type: 'CORRECTION',
      personId: h.person('mother'),
      date: '2014-06-01',
      data: { field: 'deathDate', value: '2011-03-05', reason: '死亡日期录入错误' },
    });
    const [row] = await t.dataSource.query(`SELECT death_date::text AS d FROM persons WHERE id = $1`, [
      h.person('mother'),
    ]);
    expect(row.d).toBe('2011-03-05');
    await event(
      h.id,
      { type: 'CORRECTION', date: '2014-06-01', data: { withdrawsEventId: renamed.body.id, reason: 'x' } },
      422,
    );
  });
});
