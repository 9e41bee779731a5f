import { API, createTestApp, type TestApp } from '../support/app.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';

describe('one open enrollment per beneficiary and policy, under a race', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('lets exactly one of many simultaneous enrollments of the same beneficiary succeed', async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    const clerks = [await t.signIn('CLERK', '410122101'), await t.signIn('CLERK', '410122101')];
    await ensureVillage(t, admin, '410122101201');
    const h = await registerHousehold(t, clerks[0], {
      householdNo: 'RACE1',
      regionCode: '410122101201',
      members: [
        { name: '父', relation: 'HEAD', birthDate: '1950-01-01', sex: 'M' },
        { name: '子', relation: 'CHILD', birthDate: '1975-01-01', sex: 'M', birthOrder: 1 },
      ],
    });
    const father = h.members[0].personId;
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .http()
          .post(`${API}/enrollments`)
          .set('Authorization', clerks[i % 2].auth)
          .send({ householdId: h.id, policyCode: 'RURAL_REWARD', beneficiaryPersonId: father }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM enrollments WHERE beneficiary_person_id = $1`,
      [father],
    );
    expect(n).toBe(1);
    // The database itself refuses a second open row, whatever the code does.
    await expect(
      t.dataSource.query(
        `INSERT INTO enrollments (household_id, policy_code, beneficiary_person_id, region_code, status, opened_by)
         SELECT household_id, policy_code, beneficiary_person_id, region_code, 'DRAFT', opened_by FROM enrollments
          WHERE beneficiary_person_id = $1`,
        [father],
      ),
    ).rejects.toThrow(/enrollments_one_open_per_beneficiary/);
  });
});
