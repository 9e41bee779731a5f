import { todayInChina } from '../../src/common/calendar.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import { API, createTestApp, type TestApp } from '../support/app.js';
import { accountNo, ensureVillage, registerHousehold } from '../support/fixtures.js';

describe('the account a batch pays into (HouseholdSnapshots.accountsOn)', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('gives the account in force on the date with its holder, as the full snapshot does', async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    const clerk = await t.signIn('CLERK', '410122101');
    await ensureVillage(t, admin, '410122101201');
    const h = await registerHousehold(t, clerk, {
      householdNo: 'ACC1',
      regionCode: '410122101201',
      bankAccountSeed: 77,
      members: [
        { name: '户主', relation: 'HEAD', birthDate: '1950-01-01', sex: 'M' },
        { name: '配偶', relation: 'SPOUSE', birthDate: '1952-01-01', sex: 'F' },
      ],
    });
    const [head, spouse] = h.members;
    const none = await registerHousehold(t, clerk, {
      householdNo: 'ACC2',
      regionCode: '410122101201',
      members: [{ name: '无卡', relation: 'HEAD', birthDate: '1950-01-01', sex: 'M' }],
    });
    const snapshots = t.app.get(HouseholdSnapshots);
    const today = todayInChina();

    const before = await snapshots.accountsOn([h.id, none.id], today);
    expect(before.has(none.id)).toBe(false);
    expect(before.get(h.id)).toEqual({
      bankCode: '102',
      accountNo: accountNo(77),
      holder: {
        personId: head.personId,
        name: '户主',
        idNumber: head.idNumber,
        birthDate: '1950-01-01',
        deathDate: null,
        member: true,
      },
    });
    const snapshot = await snapshots.forHousehold(h.id, today);
    expect(snapshot.bankAccount).toMatchObject({ accountNo: accountNo(77), holderPersonId: head.personId });

    // The clerk moves the account to the spouse today, then the old holder dies.
    await t
      .http()
      .put(`${API}/households/${h.id}/bank-account`)
      .set('Authorization', clerk.auth)
      .send({ bankCode: '103', accountNo: accountNo(78), holderPersonId: spouse.personId })
      .expect(200);
    await t
      .http()
      .post(`${API}/households/${h.id}/events`)
      .set('Authorization', clerk.auth)
      .send({ type: 'DEATH', personId: head.personId, date: today })
      .expect(201);
    const after = await snapshots.accountsOn([h.id], today);
    expect(after.get(h.id)).toMatchObject({
      bankCode: '103',
      accountNo: accountNo(78),
      holder: { personId: spouse.personId, member: true },
    });
    const yesterday = await snapshots.accountsOn([h.id], '2000-01-01');
    expect(yesterday.get(h.id)).toMatchObject({
      accountNo: accountNo(77),
      holder: { personId: head.personId, deathDate: null },
    });
  });
});
