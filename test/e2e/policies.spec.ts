import { PoliciesService } from '../../src/modules/policies/policies.service.js';
import { POLICY_CODES } from '../../src/modules/policies/policy-codes.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

describe('policies (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let clerk: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
    clerk = await t.signIn('CLERK', '410122101');
  });
  afterAll(() => t?.close());

  const postVersion = (code: string, body: unknown, user = admin) =>
    t
      .http()
      .post(`${API}/policies/${code}/versions`)
      .set('Authorization', user.auth)
      .send(body as object);

  const ruralRule = { all: [{ fact: 'person.ageAtYearEnd', op: 'ge', value: 60 }] };
  const centralShares = { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' };

  it('lists the 15 policies with the version in force, for any user', async () => {
    const response = await t.http().get(`${API}/policies?asOf=2011-06-01`).set('Authorization', clerk.auth).expect(200);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.items.map((p: { code: string }) => p.code).sort()).toEqual([...POLICY_CODES].sort());
    const rural = response.body.items.find((p: { code: string }) => p.code === 'RURAL_REWARD');
    expect(rural).toMatchObject({
      category: 'REWARD',
      benefitKind: 'CASH',
      unit: 'PERSON',
      frequency: 'ANNUAL',
      currentVersion: { versionNo: 1, amount: { kind: 'FIXED', amount: '720.00' }, fundingShares: centralShares },
    });
    const exam = response.body.items.find((p: { code: string }) => p.code === 'EXAM_BONUS');
    expect(exam).toMatchObject({
      benefitKind: 'NON_CASH',
      entitlementPrefix: 'EXB',
      currentVersion: { amount: { kind: 'NONE' } },
    });
    const page = await t.http().get(`${API}/policies?limit=10`).set('Authorization', clerk.auth).expect(200);
    expect(page.body.items).toHaveLength(10);
    const rest = await t
      .http()
      .get(`${API}/policies?limit=10&cursor=${page.body.nextCursor}`)
      .set('Authorization', clerk.auth)
      .expect(200);
    expect(rest.body).toMatchObject({ nextCursor: null });
    expect(rest.body.items).toHaveLength(5);
  });

  it('shows one policy with all its versions, and the fact catalogue', async () => {
    const response = await t
      .http()
      .get(`${API}/policies/SPECIAL_BEREAVED`)
      .set('Authorization', clerk.auth)
      .expect(200);
    expect(
      response.body.versions.map((v: { effectiveFrom: string; effectiveTo: string | null }) => [
        v.effectiveFrom,
        v.effectiveTo,
      ]),
    ).toEqual([
      ['2008-01-01', '2011-12-31'],
      ['2012-01-01', '2013-12-31'],
      ['2014-01-01', null],
    ]);
    await t.http().get(`${API}/policies/NO_SUCH_POLICY`).set('Authorization', clerk.auth).expect(404);
    const facts = await t.http().get(`${API}/policies/facts`).set('Authorization', clerk.auth).expect(200);
    expect(facts.body).toContainEqual(
      expect.objectContaining({ name: 'household.motherAge', type: 'integer', nullable: true }),
    );
  });

  describe('validation of a new version', () => {
    it('names an unknown fact by its JSON path', async () => {
      const response = await postVersion('RURAL_REWARD', {
        effectiveFrom: '2030-01-01',
        rule: {
          all: [
            { fact: 'person.ageAtYearEnd', op: 'ge', value: 60 },
            { fact: 'person.shoeSize', op: 'eq', value: 42 },
          ],
        },
        amount: { kind: 'FIXED', amount: '1200.00' },
        fundingShares: centralShares,
      }).expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'rule.all[1].fact', message: '未知的事实 "person.shoeSize"' }],
      });
    });

    it('refuses a type mismatch, a malformed node, a person fact in a household rule', async () => {
      const mismatch = await postVersion('RURAL_REWARD', {
        effectiveFrom: '2030-01-01',
        rule: {
          all: [
            { fact: 'person.ageAtYearEnd', op: 'ge', value: '60' },
            { any: [] },
            { fact: 'person.sex', op: 'lt', value: 'F' },
          ],
        },
        amount: { kind: 'FIXED', amount: '1200.00' },
        fundingShares: centralShares,
      })
        .set('Accept-Language', 'en')
        .expect(400);
      expect(mismatch.body.errors).toEqual([
        { field: 'rule.all[0].value', message: 'person.ageAtYearEnd is an integer; "60" is not' },
        { field: 'rule.all[1].any', message: 'any needs a non-empty list of rules' },
        { field: 'rule.all[2].op', message: 'lt compares integers or dates; person.sex is enum' },
      ]);
      const scope = await postVersion('OCP_REWARD', {
        effectiveFrom: '2030-01-01',
        rule: { fact: 'person.age', op: 'lt', value: 18 },
        amount: { kind: 'FIXED', amount: '10.00' },
        fundingShares: { MUNICIPAL: '0.5', COUNTY: '0.5' },
      })
        .set('Accept-Language', 'en')
        .expect(400);
      expect(scope.body.errors).toEqual([
        {
          field: 'rule.fact',
          message: 'fact person.age describes a person; a household benefit can only test household.* facts',
        },
      ]);
    });

    it('refuses shares that do not add up to 1 and a bad amount rule', async () => {
      const response = await postVersion('SPECIAL_DISABLED', {
        effectiveFrom: '2030-01-01',
        rule: ruralRule,
        amount: {
          kind: 'TABLE',
          fact: 'person.hukouType',
          cases: [
            { equals: 'SUBURBAN', amount: '1.00' },
            { equals: 'RURAL', amount: 'lots' },
          ],
        },
        fundingShares: { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1' },
      })
        .set('Accept-Language', 'en')
        .expect(400);
      expect(response.body.errors).toEqual([
        { field: 'amount.cases[0].equals', message: 'person.hukouType is one of RURAL, URBAN; "SUBURBAN" is not' },
        { field: 'amount.cases[1].amount', message: expect.stringContaining('non-negative yuan string') },
        { field: 'fundingShares', message: 'the shares add up to 0.9, not 1' },
      ]);
    });

    it('is for ADMIN only', async () => {
      await postVersion(
        'RURAL_REWARD',
        {
          effectiveFrom: '2030-01-01',
          rule: ruralRule,
          amount: { kind: 'FIXED', amount: '1.00' },
          fundingShares: centralShares,
        },
        clerk,
      ).expect(403);
    });
  });

  it('a new version takes over from its date: the open one ends the day before, audited', async () => {
    const response = await postVersion('PENSION_SUBSIDY', {
      effectiveFrom: '2016-01-01',
      rule: {
        all: [
          { fact: 'person.alive', op: 'eq', value: true },
          { fact: 'person.ageAtYearEnd', op: 'between', value: [45, 59] },
        ],
      },
      amount: { kind: 'FIXED', amount: '120.00' },
      fundingShares: { MUNICIPAL: '0.6', COUNTY: '0.4' },
    }).expect(201);
    expect(response.body).toMatchObject({ versionNo: 2, effectiveFrom: '2016-01-01', effectiveTo: null, usedAt: null });
    const policy = await t.http().get(`${API}/policies/PENSION_SUBSIDY`).set('Authorization', admin.auth).expect(200);
    expect(policy.body.versions.map((v: { effectiveTo: string | null }) => v.effectiveTo)).toEqual([
      '2015-12-31',
      null,
    ]);
    const audit = await t.dataSource.query(
      `SELECT action, actor_id FROM audit_events WHERE entity_type = 'policy_version' ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'policy.version_ended', actor_id: admin.id },
      { action: 'policy.version_created', actor_id: admin.id },
    ]);
    // Not before the latest version's start.
    await postVersion('PENSION_SUBSIDY', {
      effectiveFrom: '2016-01-01',
      rule: ruralRule,
      amount: { kind: 'FIXED', amount: '1.00' },
      fundingShares: { COUNTY: '1' },
    }).expect(400);
  });

  describe('a version a payment has used', () => {
    let versionId: string;

    beforeAll(async () => {
      const policy = await t.http().get(`${API}/policies/RURAL_REWARD`).set('Authorization', admin.auth).expect(200);
      versionId = policy.body.versions.find((v: { effectiveFrom: string }) => v.effectiveFrom === '2012-01-01').id; // 960.00
      await t.dataSource.transaction((manager) =>
        t.app.get(PoliciesService).markVersionsUsed(manager, [versionId], '2012-12-31'),
      );
    });

    it('cannot be amended (409 VERSION_IN_USE), and the database refuses it too', async () => {
      const response = await t
        .http()
        .put(`${API}/policies/RURAL_REWARD/versions/${versionId}`)
        .set('Authorization', admin.auth)
        .send({ rule: ruralRule, amount: { kind: 'FIXED', amount: '1000.00' }, fundingShares: centralShares })
        .expect(409);
      expect(response.body).toMatchObject({ code: 'VERSION_IN_USE', versionId });
      await expect(
        t.dataSource.query(`UPDATE policy_versions SET amount = '{"kind":"FIXED","amount":"1.00"}' WHERE id = $1`, [
          versionId,
        ]),
      ).rejects.toThrow(/has been used by a payment/);
      await expect(t.dataSource.query(`DELETE FROM policy_versions WHERE id = $1`, [versionId])).rejects.toThrow(
        /cannot be deleted/,
      );
    });

    it('a successor that would cut into the paid year answers 409; one after it is accepted', async () => {
      const body = { rule: ruralRule, amount: { kind: 'FIXED', amount: '1080.00' }, fundingShares: centralShares };
      const refused = await postVersion('RURAL_REWARD', { ...body, effectiveFrom: '2012-07-01' }).expect(409);
      expect(refused.body).toMatchObject({ code: 'VERSION_IN_USE', paidThrough: '2012-12-31' });
      const accepted = await postVersion('RURAL_REWARD', { ...body, effectiveFrom: '2013-01-01' }).expect(201);
      // Version 3 is the 2004-2008 standard of the corrected catalogue: the new one is number 4.
      expect(accepted.body).toMatchObject({ versionNo: 4, effectiveFrom: '2013-01-01', offsetShare: '0.50' });
      const policy = await t.http().get(`${API}/policies/RURAL_REWARD`).set('Authorization', admin.auth).expect(200);
      expect(policy.body.versions[2]).toMatchObject({
        effectiveTo: '2012-12-31',
        usedAt: expect.any(String),
        paidThrough: '2012-12-31',
      });
    });

    it('without paidThrough a closed version counts as paid to its end; the database keeps successors out of it', async () => {
      const policy = await t
        .http()
        .get(`${API}/policies/SPECIAL_BEREAVED`)
        .set('Authorization', admin.auth)
        .expect(200);
      const closed = policy.body.versions[1]; // 135.00, 2012-2013
      const marked = await t.dataSource.transaction((manager) =>
        t.app.get(PoliciesService).markVersionsUsed(manager, [closed.id, closed.id]),
      );
      expect(marked).toBe(1);
      const [row] = await t.dataSource.query(
        `SELECT paid_through::text AS paid_through, used_at IS NOT NULL AS used FROM policy_versions WHERE id = $1`,
        [closed.id],
      );
      expect(row).toEqual({ paid_through: '2013-12-31', used: true });
      await expect(
        t.dataSource.query(`UPDATE policy_versions SET effective_to = '2013-06-30' WHERE id = $1`, [closed.id]),
      ).rejects.toThrow(/paid through/);
      await expect(
        t.dataSource.query(`UPDATE policy_versions SET used_at = NULL, paid_through = NULL WHERE id = $1`, [closed.id]),
      ).rejects.toThrow(/cannot be changed/);
    });

    it('an unused version can still be corrected', async () => {
      const policy = await t.http().get(`${API}/policies/RURAL_REWARD`).set('Authorization', admin.auth).expect(200);
      const unused = policy.body.versions[3]; // 2004 (unused), 2009, 2012 (used), 2013 (unused)
      const response = await t
        .http()
        .put(`${API}/policies/RURAL_REWARD/versions/${unused.id}`)
        .set('Authorization', admin.auth)
        .send({ rule: ruralRule, amount: { kind: 'FIXED', amount: '1100.00' }, fundingShares: centralShares })
        .expect(200);
      expect(response.body.amount).toEqual({ kind: 'FIXED', amount: '1100.00' });
      expect(response.body.offsetShare).toBe('0.50');
    });

    it('takes an offset share from 0 to 1 (what offsets may keep back of each line), refusing any other', async () => {
      const policy = await t.http().get(`${API}/policies/RURAL_REWARD`).set('Authorization', admin.auth).expect(200);
      const unused = policy.body.versions[3];
      const amend = (offsetShare: unknown) =>
        t
          .http()
          .put(`${API}/policies/RURAL_REWARD/versions/${unused.id}`)
          .set('Authorization', admin.auth)
          .send({
            rule: ruralRule,
            amount: { kind: 'FIXED', amount: '1100.00' },
            fundingShares: centralShares,
            offsetShare,
          });
      const refused = await amend('1.5').set('Accept-Language', 'en').expect(400);
      expect(refused.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: 'offsetShare' })],
      });
      expect((await amend('1').expect(200)).body.offsetShare).toBe('1.00');
      expect((await amend('0.3').expect(200)).body.offsetShare).toBe('0.30');
      const after = await t.http().get(`${API}/policies/RURAL_REWARD`).set('Authorization', admin.auth).expect(200);
      expect(after.body.versions[3].offsetShare).toBe('0.30');
    });
  });
});
