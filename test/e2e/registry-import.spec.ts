import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import { luhnComplete, residentId } from '../support/fixtures.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

const HEADER =
  'household_no,region_code,address,id_number,name,relation,hukou_type,birth_order,adopted,certificate_no,certificate_issued_on,violation_years,bank_code,account_no';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `households` households of four (head, spouse, two children), one row per person: line 1 is
 * the header, household i holds lines 2+4i .. 5+4i.
 */
function registerCsv(households: number, village: string, prefix: string, sequence = 0): string[] {
  const lines = [HEADER];
  for (let i = 0; i < households; i++) {
    const day = `${pad(1 + (i % 12))}${pad(1 + (Math.floor(i / 12) % 28))}`;
    const year = 1960 + (Math.floor(i / 336) % 30);
    const no = `${prefix}-${i}`;
    const certificate = i % 2 === 0 ? `CERT-${prefix}-${i}` : '';
    const issued = certificate ? '2008-06-01' : '';
    lines.push(
      `${no},${village},"${prefix}村${i}号, 2组",${residentId(`${year}${day}`, sequence + 101)},户主${i},HEAD,RURAL,,,${certificate},${issued},${i % 5 === 0 ? '2001;2003' : ''},102,${luhnComplete(`6222020${String(sequence * 1000 + i).padStart(11, '0')}`)}`,
      `${no},,,${residentId(`${year + 2}${day}`, sequence + 102)},配偶${i},SPOUSE,RURAL,,,,,,,`,
      `${no},,,${residentId(`${year + 25}${day}`, sequence + 111)},长子${i},CHILD,RURAL,1,N,,,,,`,
      `${no},,,${residentId(`${year + 28}${day}`, sequence + 112)},次女${i},CHILD,URBAN,2,Y,,,,,`,
    );
  }
  return lines;
}

describe('registry bulk import (e2e)', () => {
  let t: TestApp;
  let clerk: SignedInUser;
  const VILLAGE = '410122101201';

  async function counts() {
    const [row] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM households)::int AS households, (SELECT count(*) FROM persons)::int AS persons,
             (SELECT count(*) FROM household_events)::int AS events, (SELECT count(*) FROM audit_events)::int AS audit,
             (SELECT count(*) FROM household_bank_accounts)::int AS accounts`);
    return row;
  }

  const post = (csv: string, query = '') =>
    t
      .http()
      .post(`${API}/households/import${query}`)
      .set('Authorization', clerk.auth)
      .set('Content-Type', 'text/csv')
      .send(csv);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    await t
      .http()
      .post(`${API}/regions`)
      .set('Authorization', admin.auth)
      .send({ code: VILLAGE, name: '韩寺村' })
      .expect(201);
    clerk = await t.signIn('CLERK', '410122101');
  });
  afterAll(() => t?.close());

  it('refuses a thousand rows with one bad row, naming its line, and writes nothing', async () => {
    const lines = registerCsv(250, VILLAGE, 'A');
    expect(lines).toHaveLength(1001);
    const bad = lines[499].split(',');
    const id = bad[3];
    bad[3] = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    lines[499] = bad.join(',');
    const before = await counts();
    const response = await post(lines.join('\n')).expect(422);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 422,
      code: 'IMPORT_REJECTED',
      errorCount: 1,
      errors: [{ line: 500, field: 'id_number', message: expect.stringMatching(/^校验码为 \w，应为 \w$/) }],
    });
    expect(await counts()).toEqual(before);
  });

  it('reports every bad row by line: shape, duplicates, regions, split households, holders', async () => {
    const lines = registerCsv(5, VILLAGE, 'E', 200);
    lines[2] = lines[2].replace(',SPOUSE,', ',WIFE,'); // line 3
    lines[7] = lines[7].replace(lines[7].split(',')[3], lines[6].split(',')[3]); // line 8 repeats line 7's ID
    lines[9] = lines[9].replace(VILLAGE, '410122101299'); // line 10: no such village
    lines.push(lines[1].replace(/^E-0,/, 'E-0,').replace(/,\d{17}[\dX],/, `,${residentId('19990909', 333)},`)); // line 22: E-0 again
    lines[19] = lines[19].replace(
      ',CHILD,RURAL,1,N,,,,,',
      `,CHILD,RURAL,1,N,,,,102,${luhnComplete('622202999999999999')}`,
    ); // line 20: a second account
    const response = await post(lines.join('\r\n')).expect(422);
    const byLine = response.body.errors.map((e: { line: number; field: string }) => [e.line, e.field]);
    expect(byLine).toEqual(
      expect.arrayContaining([
        [3, 'relation'],
        [8, 'id_number'],
        [10, 'region_code'],
        [20, 'account_no'],
        [22, 'household_no'],
      ]),
    );
    expect(response.body.errors.map((e: { line: number }) => e.line)).toEqual(
      [...response.body.errors.map((e: { line: number }) => e.line)].sort((a: number, b: number) => a - b),
    );
    const unknownColumn = await post(`${HEADER},favourite_colour\n`).expect(422);
    expect(unknownColumn.body.errors).toEqual([{ line: 1, field: 'favourite_colour', message: expect.any(String) }]);
  });

  it('validates a multipart upload in a dry run without writing', async () => {
    const before = await counts();
    const response = await t
      .http()
      .post(`${API}/households/import?dryRun=true`)
      .set('Authorization', clerk.auth)
      .attach('file', Buffer.from(registerCsv(10, VILLAGE, 'D', 300).join('\n')), {
        filename: 'register.csv',
        contentType: 'text/csv',
      })
      .expect(200);
    expect(response.body).toEqual({ dryRun: true, households: 10, persons: 40 });
    expect(await counts()).toEqual(before);
  });

  it('imports the same thousand rows without the bad one: everything, in one go, audited', async () => {
    const before = await counts();
    const csv = registerCsv(250, VILLAGE, 'A').join('\n');
    const response = await post(csv).expect(200);
    expect(response.body).toEqual({ dryRun: false, households: 250, persons: 1000 });
    const after = await counts();
    expect(after.households - before.households).toBe(250);
    expect(after.persons - before.persons).toBe(1000);
    expect(after.events - before.events).toBe(250);
    expect(after.accounts - before.accounts).toBe(250);
    const [{ audited }] = await t.dataSource.query(
      `SELECT count(*)::int AS audited FROM audit_events WHERE action = 'household.registered' AND actor_id = $1`,
      [clerk.id],
    );
    expect(audited).toBe(250);

    const [{ id }] = await t.dataSource.query(`SELECT id FROM households WHERE household_no = 'A-0'`);
    const snapshot = await t.app.get(HouseholdSnapshots).forHousehold(id, '2010-01-01');
    expect(snapshot).toMatchObject({
      householdNo: 'A-0',
      regionCode: VILLAGE,
      address: 'A村0号, 2组',
      certificate: { certificateNo: 'CERT-A-0', issuedOn: '2008-06-01', revokedOn: null },
      violationYears: [2001, 2003],
      bankAccount: {
        bankCode: '102',
        accountNo: luhnComplete('622202000000000000'),
        holderPersonId: snapshot.members[0].personId,
      },
    });
    expect(snapshot.members.map((m) => [m.relation, m.hukouType, m.birthOrder, m.adopted])).toEqual([
      ['HEAD', 'RURAL', null, false],
      ['SPOUSE', 'RURAL', null, false],
      ['CHILD', 'RURAL', 1, false],
      ['CHILD', 'URBAN', 2, true],
    ]);

    const again = await post(csv).expect(422);
    expect(again.body.errors).toContainEqual({
      line: 2,
      field: 'household_no',
      message: '户号 A-0 已登记',
    });
    expect(again.body.errors.some((e: { message: string }) => /^身份证号 \w+ 已登记在户号 A-0$/.test(e.message))).toBe(
      true,
    );
    expect(await counts()).toEqual(after);
  });

  it('refuses rows outside the clerk’s township', async () => {
    const admin = await t.signIn('ADMIN', '410100');
    await t
      .http()
      .post(`${API}/regions`)
      .set('Authorization', admin.auth)
      .send({ code: '410122102201', name: '乙村' })
      .expect(201);
    const response = await post(registerCsv(1, '410122102201', 'O', 500).join('\n')).expect(422);
    expect(response.body.errors).toEqual([
      { line: 2, field: 'region_code', message: '区划 410122102201 不在您的辖区 410122101 内' },
    ]);
  });
});
