import { EligibilityService } from '../../src/modules/eligibility/eligibility.service.js';
import { POLICY_CODES } from '../../src/modules/policies/policy-codes.js';
import { idCheckCharacter } from '../../src/modules/registry/id-number.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

function residentId(birth: string, sequence: number): string {
  const first17 = `410122${birth.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

let sequence = 0;
/** An odd sequence makes a man, an even one a woman (GB 11643). */
const idFor = (birth: string, sex: 'M' | 'F') => residentId(birth, 2 * ++sequence + (sex === 'M' ? 1 : 0));

describe('eligibility (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;
  let otherClerk: SignedInUser;
  let officer: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
    otherClerk = await t.signIn('CLERK', '410122102');
    officer = await t.signIn('OFFICER', '410122');
    await t
      .http()
      .post(`${API}/regions`)
      .set('Authorization', admin.auth)
      .send({ code: '410122101201', name: '测试村' })
      .expect(201);
  });
  afterAll(() => t?.close());

  /** A rural couple with one son and the only-child certificate; the father turns 60 on 31 December 2012. */
  async function register(son = '1998-06-15', father = '1952-12-31') {
    const members = [
      { idNumber: idFor(father, 'M'), name: '父', relation: 'HEAD', hukouType: 'RURAL' },
      { idNumber: idFor('1955-03-01', 'F'), name: '母', relation: 'SPOUSE', hukouType: 'RURAL' },
      { idNumber: idFor(son, 'M'), name: '子', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
    ];
    const response = await t
      .http()
      .post(`${API}/households`)
      .set('Authorization', clerk.auth)
      .send({
        householdNo: `E-${sequence}`,
        regionCode: '410122101201',
        address: '测试村',
        members,
        certificate: { certificateNo: `C-${sequence}`, issuedOn: '1999-01-01' },
      });
    if (response.status !== 201) throw new Error(`register: ${response.status} ${response.text}`);
    const id = (relation: string) =>
      response.body.members.find((m: { relation: string }) => m.relation === relation).personId as string;
    return { id: response.body.id as string, father: id('HEAD'), mother: id('SPOUSE'), son: id('CHILD') };
  }

  const eligibility = (householdId: string, asOf: string, user = clerk) =>
    t.http().get(`${API}/households/${householdId}/eligibility?asOf=${asOf}`).set('Authorization', user.auth);

  it('decides every policy and beneficiary, explained, in the shape of API.md', async () => {
    const family = await register();
    const response = await eligibility(family.id, '2012-12-31').expect(200);
    expect(Object.keys(response.body).sort()).toEqual(['asOf', 'decisions', 'householdId']);
    expect(response.body).toMatchObject({ householdId: family.id, asOf: '2012-12-31' });
    const decisions = response.body.decisions as {
      policyCode: string;
      personId: string | null;
      eligible: boolean;
      amount: string | null;
      versionId: string;
      reasons: unknown[];
    }[];
    expect(new Set(decisions.map((d) => d.policyCode))).toEqual(new Set(POLICY_CODES));
    expect(decisions.find((d) => d.policyCode === 'RURAL_REWARD' && d.personId === family.father)).toMatchObject({
      eligible: true,
      amount: '960.00',
      versionId: expect.any(String),
    });
    const mother = decisions.find((d) => d.policyCode === 'RURAL_REWARD' && d.personId === family.mother)!;
    expect(mother).toMatchObject({ eligible: false, amount: null });
    expect(mother.reasons).toContainEqual({
      condition: 'person.ageAtYearEnd >= 60',
      label: '本人年龄（按出生年份）：实际57周岁，要求≥60周岁',
      actual: 57,
      expected: '>= 60',
      passed: false,
    });
    expect(decisions.find((d) => d.policyCode === 'OCP_REWARD')).toMatchObject({
      personId: null,
      eligible: true,
      amount: '10.00',
    });
    expect(decisions.find((d) => d.policyCode === 'HOUSING_PRIORITY')).toMatchObject({ eligible: true, amount: null });
  });

  it('labels the conditions in English on Accept-Language: en, the same decisions otherwise', async () => {
    const family = await register();
    const zh = await eligibility(family.id, '2012-12-31').expect(200);
    const en = await eligibility(family.id, '2012-12-31').set('Accept-Language', 'en').expect(200);
    type Body = { decisions: { policyCode: string; personId: string | null; reasons: { label: string }[] }[] };
    const strip = (body: Body) =>
      body.decisions.map((d) => ({ ...d, reasons: d.reasons.map((r) => ({ ...r, label: undefined })) }));
    expect(strip(en.body as Body)).toEqual(strip(zh.body as Body));
    const mother = (en.body as Body).decisions.find(
      (d) => d.policyCode === 'RURAL_REWARD' && d.personId === family.mother,
    )!;
    expect(mother.reasons).toContainEqual(
      expect.objectContaining({
        condition: 'person.ageAtYearEnd >= 60',
        label: 'Age (by birth year): actual 57 years, required ≥60 years',
      }),
    );
    expect(mother.reasons[0]).toMatchObject({ label: "Holds the city's hukou: yes, required yes" });
    // Every label of every decision is English: no Chinese character anywhere.
    const labels = (en.body as Body).decisions.flatMap((d) => d.reasons.map((r) => r.label));
    expect(labels.length).toBeGreaterThan(50);
    expect(labels.filter((label) => /[\u4e00-\u9fff]/.test(label))).toEqual([]);
    // Chinese stays the default, and the period amounts follow the same header.
    expect((zh.body as Body).decisions.flatMap((d) => d.reasons.map((r) => r.label))).toContainEqual(
      '本人年龄（按出生年份）：实际57周岁，要求≥60周岁',
    );
    const amounts = await t
      .http()
      .get(
        `${API}/households/${family.id}/benefit-amounts?policyCode=RURAL_REWARD&personId=${family.father}&period=2012`,
      )
      .set('Authorization', clerk.auth)
      .set('Accept-Language', 'en')
      .expect(200);
    const amountLabels = (amounts.body.months as { reasons: { label: string }[] }[]).flatMap((m) =>
      m.reasons.map((r) => r.label),
    );
    expect(amountLabels.length).toBeGreaterThan(3);
    expect(amountLabels.filter((label) => /[\u4e00-\u9fff]/.test(label))).toEqual([]);
  });

  it('answers each date with the version in force: 720.00 for 2011, 960.00 for 2012', async () => {
    const family = await register('1980-01-01', '1950-04-04');
    const father = (body: any) =>
      body.decisions.find((d: any) => d.policyCode === 'RURAL_REWARD' && d.personId === family.father);
    const y2011 = father((await eligibility(family.id, '2011-12-31').expect(200)).body);
    const y2012 = father((await eligibility(family.id, '2012-12-31').expect(200)).body);
    expect([y2011.amount, y2012.amount]).toEqual(['720.00', '960.00']);
    expect(y2011.versionId).not.toBe(y2012.versionId);
    const older = await register('1998-06-15');
    await t
      .http()
      .post(`${API}/households/${older.id}/events`)
      .set('Authorization', clerk.auth)
      .send({ type: 'DISABILITY_ASSESSED', personId: older.son, date: '2010-05-01', data: { grade: 2 } })
      .expect(201);
    const disabled = await eligibility(older.id, '2011-06-01').expect(200);
    // The mother is 56: SPECIAL_DISABLED is decided on her age, and pays each parent 80.00 in 2011.
    expect(
      disabled.body.decisions.find((d: any) => d.policyCode === 'SPECIAL_DISABLED' && d.personId === older.father),
    ).toMatchObject({
      eligible: true,
      amount: '80.00',
    });
  });

  it('gives a period amount month by month', async () => {
    const family = await register('1994-06-15');
    const response = await t
      .http()
      .get(`${API}/households/${family.id}/benefit-amounts?policyCode=OCP_REWARD&period=2012`)
      .set('Authorization', officer.auth)
      .expect(200);
    expect(response.body.total).toBe('60.00');
    expect(response.body.months).toHaveLength(12);
  });

  it('keeps households out of scope (404), refuses a bad date (400) and no token (401)', async () => {
    const family = await register();
    await eligibility(family.id, '2012-12-31', otherClerk).expect(404);
    await eligibility(family.id, '2012-12-31', officer).expect(200);
    const bad = await eligibility(family.id, '2012-02-30').expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    await t.http().get(`${API}/households/${family.id}/eligibility?asOf=2012-01-01`).expect(401);
    await eligibility('00000000-0000-4000-8000-000000000000', '2012-01-01').expect(404);
  });

  it('a version added by an admin takes over from its date, the earlier one still decides before it', async () => {
    await t
      .http()
      .post(`${API}/policies/QUOTA_WAIVER_REWARD/versions`)
      .set('Authorization', admin.auth)
      .send({
        effectiveFrom: '2013-01-01',
        rule: { all: [{ fact: 'household.quotaWaived', op: 'eq', value: true }] },
        amount: { kind: 'FIXED', amount: '1200.00' },
        fundingShares: { MUNICIPAL: '0.5', COUNTY: '0.5' },
      })
      .expect(201);
    const family = await register();
    await t
      .http()
      .post(`${API}/households/${family.id}/events`)
      .set('Authorization', clerk.auth)
      .send({ type: 'QUOTA_WAIVED', date: '2012-05-01' })
      .expect(201);
    const amountOn = async (asOf: string) =>
      (await eligibility(family.id, asOf).expect(200)).body.decisions.find(
        (d: { policyCode: string }) => d.policyCode === 'QUOTA_WAIVER_REWARD',
      ).amount;
    expect(await amountOn('2012-04-30')).toBeNull();
    expect(await amountOn('2012-12-31')).toBe('1000.00');
    expect(await amountOn('2013-01-01')).toBe('1200.00');
  });

  it('streams the county through the real registry with the very decisions of the single path', async () => {
    const service = t.app.get(EligibilityService);
    for (const asOf of ['2011-12-31', '2012-07-01', '2014-01-01']) {
      let households = 0;
      for await (const chunk of service.streamDecisions({ regionPrefix: '410122', asOf, chunkSize: 2 })) {
        for (const streamed of chunk) {
          households++;
          expect(await service.decide(streamed.householdId, asOf)).toEqual(streamed);
        }
      }
      expect(households).toBeGreaterThan(3);
    }
  });

  describe('non-cash entitlements', () => {
    it('issues a numbered entitlement once, refuses the ineligible, and never a cash policy', async () => {
      const family = await register('1998-06-15');
      const issue = (body: object, user = clerk) =>
        t.http().post(`${API}/households/${family.id}/entitlements`).set('Authorization', user.auth).send(body);

      const first = await issue({ policyCode: 'EXAM_BONUS', personId: family.son, asOf: '2012-09-01' }).expect(201);
      expect(first.body).toMatchObject({
        entitlementNo: 'EXB-410122-2012-000001',
        policyCode: 'EXAM_BONUS',
        personId: family.son,
        period: 'ONCE',
        decision: { eligible: true, amount: null },
      });
      const again = await issue({ policyCode: 'EXAM_BONUS', personId: family.son, asOf: '2012-10-01' }).expect(200);
      expect(again.body.entitlementNo).toBe('EXB-410122-2012-000001');

      const refused = await issue({
        policyCode: 'ELDER_CARE_PRIORITY',
        personId: family.mother,
        asOf: '2012-09-01',
      }).expect(422);
      expect(refused.body).toMatchObject({
        code: 'NOT_ELIGIBLE',
        reasons: [{ condition: 'person.age >= 60', actual: 57, passed: false }],
      });
      await issue({ policyCode: 'RURAL_REWARD', personId: family.father, asOf: '2012-09-01' }).expect(400);
      await issue({ policyCode: 'FP_INSURANCE', asOf: '2012-09-01' }, otherClerk).expect(404);

      const insured = await issue({ policyCode: 'FP_INSURANCE', asOf: '2012-09-01' }).expect(201);
      expect(insured.body).toMatchObject({ entitlementNo: 'FPI-410122-2012-000001', period: '2012', personId: null });

      const list = await t
        .http()
        .get(`${API}/households/${family.id}/entitlements`)
        .set('Authorization', officer.auth)
        .expect(200);
      expect(list.body.map((e: { entitlementNo: string }) => e.entitlementNo)).toEqual([
        'EXB-410122-2012-000001',
        'FPI-410122-2012-000001',
      ]);
      const audit = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'entitlement.issued'`,
      );
      expect(audit[0].n).toBe(2);
    });

    it('the version an entitlement rests on can no longer be amended (409)', async () => {
      const policy = await t.http().get(`${API}/policies/EXAM_BONUS`).set('Authorization', admin.auth).expect(200);
      const version = policy.body.versions[0];
      expect(version.usedAt).toEqual(expect.any(String));
      const response = await t
        .http()
        .put(`${API}/policies/EXAM_BONUS/versions/${version.id}`)
        .set('Authorization', admin.auth)
        .send({
          rule: version.rule,
          amount: { kind: 'NONE', benefit: '10 points' },
          fundingShares: version.fundingShares,
        })
        .expect(409);
      expect(response.body.code).toBe('VERSION_IN_USE');
    });
  });
});
