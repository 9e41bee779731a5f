import ExcelJS from 'exceljs';
import { openColumns, pii } from '../../src/common/pii/keyring.js';
import iconv from 'iconv-lite';
import { luhnComplete, residentId } from '../support/fixtures.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/** Stored rows with their ID numbers decrypted, in ID number order. */
const byIdNumber = <T extends { id_number: string }>(rows: T[]): T[] =>
  openColumns(rows, 'id_number').sort((a, b) => a.id_number.localeCompare(b.id_number));

/** SPEC.md "Language and files": the files Chinese offices exchange, read exactly or refused. */
describe('registry import files: GBK, XLSX, the template (e2e)', () => {
  let t: TestApp;
  let clerk: SignedInUser;
  const VILLAGE = '410122101201';
  const HEADER_ZH = '户号,村（社区）代码,家庭住址,身份证号,姓名,与户主关系,户口性质,一卡通账号,银行代码';

  async function counts() {
    const [row] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM households)::int AS households, (SELECT count(*) FROM persons)::int AS persons,
             (SELECT count(*) FROM household_events)::int AS events, (SELECT count(*) FROM audit_events)::int AS audit`);
    return row;
  }

  const post = (body: Buffer, contentType = 'text/csv') =>
    t
      .http()
      .post(`${API}/households/import`)
      .set('Authorization', clerk.auth)
      .set('Content-Type', contentType)
      .send(body);

  const download = (format: string) =>
    t
      .http()
      .get(`${API}/households/import-template?format=${format}`)
      .set('Authorization', clerk.auth)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);

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

  it('imports a GBK file (Excel on Chinese Windows) with Chinese headers, names and addresses exactly', async () => {
    const rows = [
      HEADER_ZH,
      `GBK-1,${VILLAGE},"河南省郑州市中牟县韩寺镇东街村3组, 17号",${residentId('19700101', 201)},张三丰,户主,农业,${luhnComplete('622202000000000001')},102`,
      `GBK-1,,,${residentId('19720202', 202)},李秀英,配偶,农业,,`,
      `GBK-2,${VILLAGE},韩寺镇北岗村（新区）2排8号,${residentId('19650303', 203)},欧阳淑珍,HEAD,URBAN,,`,
    ];
    const gbk = iconv.encode(rows.join('\r\n') + '\r\n', 'gbk');
    expect(gbk.equals(Buffer.from(rows.join('\r\n') + '\r\n', 'utf8'))).toBe(false);
    const response = await post(gbk).expect(200);
    expect(response.body).toEqual({ dryRun: false, households: 2, persons: 3 });
    const stored = await t.dataSource.query(
      `SELECT h.household_no, h.address, p.name, p.id_number_enc AS id_number FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
        WHERE h.household_no LIKE 'GBK-%'`,
    );
    expect(byIdNumber(stored).map(({ id_number: _id, ...row }) => row)).toEqual([
      { household_no: 'GBK-2', address: '韩寺镇北岗村（新区）2排8号', name: '欧阳淑珍' },
      { household_no: 'GBK-1', address: '河南省郑州市中牟县韩寺镇东街村3组, 17号', name: '张三丰' },
      { household_no: 'GBK-1', address: '河南省郑州市中牟县韩寺镇东街村3组, 17号', name: '李秀英' },
    ]);
    const [{ garbled }] = await t.dataSource.query(
      `SELECT count(*)::int AS garbled FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
        WHERE p.name LIKE '%' || chr(65533) || '%' OR h.address LIKE '%' || chr(65533) || '%'`,
    );
    expect(garbled).toBe(0);
  });

  it('imports UTF-8 with a byte-order mark', async () => {
    const csv = `\uFEFF${HEADER_ZH}\n BOM-1,${VILLAGE},韩寺镇西街1号,${residentId('19800404', 301)},王五,户主,非农业,,\n`;
    await post(Buffer.from(csv, 'utf8')).expect(200);
    const [person] = await t.dataSource.query(`SELECT name FROM persons WHERE id_number_bidx = $1`, [
      pii().blindIndex('id', residentId('19800404', 301)),
    ]);
    expect(person).toEqual({ name: '王五' });
  });

  it('refuses a file valid in neither UTF-8 nor GBK, naming the line, and writes nothing', async () => {
    const good = iconv.encode(
      `${HEADER_ZH}\nBAD-1,${VILLAGE},韩寺镇,${residentId('19900505', 401)},赵六,户主,农业,,\n`,
      'gbk',
    );
    const broken = Buffer.concat([good, Buffer.from('BAD-2,'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(',x\n')]);
    const before = await counts();
    for (const send of [
      () => post(broken),
      () =>
        t
          .http()
          .post(`${API}/households/import`)
          .set('Authorization', clerk.auth)
          .attach('file', broken, { filename: 'register.csv', contentType: 'text/csv' }),
    ]) {
      const response = await send().expect(422);
      expect(response.body).toMatchObject({
        code: 'IMPORT_REJECTED',
        errors: [{ line: 3, field: 'row', message: expect.stringContaining('第 3 行') }],
      });
    }
    expect(await counts()).toEqual(before);
  });

  it('offers the template as CSV (UTF-8 with BOM) and XLSX, with Chinese headers', async () => {
    const csv = await download('csv');
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('户号,村（社区）代码,家庭住址,身份证号,姓名');
    await t.http().get(`${API}/households/import-template?format=pdf`).set('Authorization', clerk.auth).expect(400);
  });

  it('imports an XLSX filled in from the template, ID numbers kept as text', async () => {
    const template = await download('xlsx');
    expect(template.headers['content-type']).toMatch(/spreadsheetml/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(template.body as never);
    const sheet = workbook.worksheets[0];
    const headers = (sheet.getRow(1).values as string[]).slice(1);
    const at = (header: string) => headers.indexOf(header) + 1;
    expect(at('户号')).toBeGreaterThan(0);
    const fill = (rowNo: number, values: Record<string, string | Date>) => {
      const row = sheet.getRow(rowNo);
      for (const [header, value] of Object.entries(values)) row.getCell(at(header)).value = value;
      row.commit();
    };
    fill(2, {
      户号: 'XLSX-1',
      '村（社区）代码': VILLAGE,
      家庭住址: '韩寺镇南街村5组',
      身份证号: residentId('19750606', 501),
      姓名: '孙悟空',
      与户主关系: '户主',
      户口性质: '农业户口',
      独生子女证编号: 'ZN-2008-001',
      领证日期: new Date(Date.UTC(2008, 5, 1)),
    });
    fill(3, {
      户号: 'XLSX-1',
      身份证号: residentId('20000707', 502),
      姓名: '孙小圣',
      与户主关系: '子女',
      户口性质: '农业户口',
      孩次: '1',
    });
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const response = await t
      .http()
      .post(`${API}/households/import`)
      .set('Authorization', clerk.auth)
      .attach('file', file, { filename: '户籍.xlsx' });
    expect([response.status, response.body]).toEqual([200, { dryRun: false, households: 1, persons: 2 }]);
    const stored = await t.dataSource.query(
      `SELECT p.name, p.id_number_enc AS id_number, h.address FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
        WHERE h.household_no = 'XLSX-1'`,
    );
    expect(byIdNumber(stored)).toEqual([
      { name: '孙悟空', id_number: residentId('19750606', 501), address: '韩寺镇南街村5组' },
      { name: '孙小圣', id_number: residentId('20000707', 502), address: '韩寺镇南街村5组' },
    ]);
  });

  it('refuses a corrupt XLSX with 422, never 500', async () => {
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]);
    const before = await counts();
    const response = await t
      .http()
      .post(`${API}/households/import`)
      .set('Authorization', clerk.auth)
      .attach('file', corrupt, { filename: 'broken.xlsx' })
      .expect(422);
    expect(response.body).toMatchObject({ code: 'IMPORT_REJECTED', errors: [{ line: 1, field: 'file' }] });
    expect(await counts()).toEqual(before);
  });
});
