import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import type { Response } from 'superagent';
import { API, createTestApp } from '../support/app.js';
import {
  appropriate,
  enrollAndActivate,
  generate,
  lines,
  signInCycle,
  type Cycle,
  type LineItem,
} from '../support/cycle.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';
import { rowCounts } from '../support/row-counts.js';

const COUNTY = '410122';
const VILLAGE = '410122101201';

/** Keeps a response body as its bytes (a GBK file must not be read as UTF-8 on the way). */
const bytes = (response: Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
};

const gbk = (text: string) => iconv.encode(text, 'gbk');

describe('bank formats (e2e)', () => {
  let c: Cycle;
  let batch: { id: string; batchNo: string };
  let items: LineItem[];
  const headIdNumbers: string[] = [];

  const bankFile = (query = '') =>
    c.t
      .http()
      .get(`${API}/disbursement-batches/${batch.id}/bank-file${query}`)
      .set('Authorization', c.finance.auth)
      .buffer(true)
      .parse(bytes);

  const importResults = (body: Buffer) =>
    c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/bank-results`)
      .set('Authorization', c.finance.auth)
      .attach('file', body, { filename: 'result.txt', contentType: 'text/plain' });

  const batchView = async () =>
    (await c.t.http().get(`${API}/disbursement-batches/${batch.id}`).set('Authorization', c.finance.auth).expect(200))
      .body;

  beforeAll(async () => {
    c = await signInCycle(await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0' } }), COUNTY);
    await ensureVillage(c.t, c.admin, VILLAGE, '刘集村');
    const names = ['王建国', '买买提·艾力', '欧阳秀兰'];
    for (const [index, name] of names.entries()) {
      const household = await registerHousehold(c.t, c.clerk, {
        householdNo: `GBK${index + 1}`,
        regionCode: VILLAGE,
        bankAccountSeed: 300 + index,
        members: [
          { name, relation: 'HEAD', birthDate: '1952-03-10', sex: 'M' },
          { name: `${name}妻`, relation: 'SPOUSE', birthDate: '1972-05-01', sex: 'F' },
          { name: `${name}子`, relation: 'CHILD', birthDate: '1980-05-05', sex: 'M', birthOrder: 1 },
        ],
      });
      headIdNumbers.push(household.members[0].idNumber);
      await enrollAndActivate(c, household.id, 'RURAL_REWARD', household.members[0].personId);
    }
    await appropriate(c, 2012, 'RURAL_REWARD', {
      CENTRAL: '5000.00',
      PROVINCIAL: '3000.00',
      MUNICIPAL: '1000.00',
      COUNTY: '1000.00',
    });
    batch = await generate(c, 'RURAL_REWARD', '2012');
    await c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/submit`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    await c.t
      .http()
      .post(`${API}/disbursement-batches/${batch.id}/approve`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    items = await lines(c, batch.id);
  });
  afterAll(() => c.t?.close());

  it('lists the formats with their names, encodings, columns and status words to any signed-in user', async () => {
    const zh = await c.t.http().get(`${API}/bank-formats`).set('Authorization', c.clerk.auth).expect(200);
    const codes = (zh.body.items as { code: string }[]).map((f) => f.code);
    expect(codes).toEqual(['CSV_UTF8', 'GBK_PAYROLL']);
    const csv = zh.body.items[0];
    expect(csv).toMatchObject({ encoding: 'utf-8', delimiter: ',', lineEnding: 'LF', isDefault: true });
    expect(csv.payment.columns.map((col: { header: string }) => col.header).join(',')).toBe(
      'line_no,batch_no,account_no,account_name,id_number,amount,policy_code,period',
    );
    const payroll = zh.body.items[1];
    expect(payroll).toMatchObject({
      name: '代发工资批量文件(GBK)',
      names: { 'zh-CN': '代发工资批量文件(GBK)', en: 'Batch payroll file (GBK)' },
      encoding: 'gbk',
      delimiter: '|',
      lineEnding: 'CRLF',
      isDefault: false,
      result: { statusWords: { success: ['成功'], failure: ['失败'] } },
    });
    expect(payroll.payment.summary.cells).toEqual([
      { literal: '汇总' },
      { field: 'batch_no' },
      { field: 'count' },
      { field: 'total' },
    ]);
    expect(payroll.result.columns).toContainEqual({ field: 'status', header: '处理结果', required: true });
    const en = await c.t
      .http()
      .get(`${API}/bank-formats`)
      .set('Authorization', c.auditor.auth)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(en.body.items[1].name).toBe('Batch payroll file (GBK)');
    await c.t.http().get(`${API}/bank-formats`).expect(401);
  });

  it('refuses an unknown ?format= with 422 BANK_FORMAT_UNKNOWN and leaves the batch APPROVED', async () => {
    const before = await rowCounts(c.t.dataSource);
    const refused = await bankFile('?format=NO_SUCH_BANK');
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(refused.body.toString('utf8'));
    expect(problem).toMatchObject({ code: 'BANK_FORMAT_UNKNOWN', format: 'NO_SUCH_BANK' });
    expect(problem.detail).toContain('NO_SUCH_BANK');
    expect(problem.formats).toEqual(['CSV_UTF8', 'GBK_PAYROLL']);
    expect(await rowCounts(c.t.dataSource)).toEqual(before);
    expect(await batchView()).toMatchObject({ status: 'APPROVED', bankFormat: null, bankFileSha256: null });
  });

  it("lets an ADMIN choose a county's format (audited); others may read it, not change it", async () => {
    const county = () =>
      c.t.http().get(`${API}/bank-formats/counties/${COUNTY}`).set('Authorization', c.finance.auth).expect(200);
    expect((await county()).body).toMatchObject({ countyCode: COUNTY, formatCode: 'CSV_UTF8', chosen: false });
    await c.t
      .http()
      .put(`${API}/bank-formats/counties/${COUNTY}`)
      .set('Authorization', c.finance.auth)
      .send({ formatCode: 'GBK_PAYROLL' })
      .expect(403);
    const unknown = await c.t
      .http()
      .put(`${API}/bank-formats/counties/${COUNTY}`)
      .set('Authorization', c.admin.auth)
      .send({ formatCode: 'SWIFT' })
      .expect(422);
    expect(unknown.body.code).toBe('BANK_FORMAT_UNKNOWN');
    await c.t
      .http()
      .put(`${API}/bank-formats/counties/410199`)
      .set('Authorization', c.admin.auth)
      .send({ formatCode: 'GBK_PAYROLL' })
      .expect(404);
    const chosen = await c.t
      .http()
      .put(`${API}/bank-formats/counties/${COUNTY}`)
      .set('Authorization', c.admin.auth)
      .send({ formatCode: 'gbk_payroll' })
      .expect(200);
    expect(chosen.body).toMatchObject({ countyCode: COUNTY, formatCode: 'GBK_PAYROLL', chosen: true });
    expect((await county()).body).toMatchObject({ formatCode: 'GBK_PAYROLL', chosen: true, updatedBy: c.admin.id });
    const audit = await c.t
      .http()
      .get(`${API}/audit/events?entityType=county_bank_format&entityId=${COUNTY}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'bank_format.county_chosen',
        after: { formatCode: 'GBK_PAYROLL', chosen: true },
      }),
    ]);
  });

  it("exports in the county's GBK format: a summary record, Chinese titles and names, the same bytes again", async () => {
    const file = await bankFile().expect(200);
    expect(file.headers['content-type']).toBe('text/plain; charset=GBK');
    expect(file.headers['x-bank-format']).toBe('GBK_PAYROLL');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${batch.batchNo}.txt"`);
    const body = file.body as Buffer;
    // GBK, not UTF-8: the Chinese bytes are not valid UTF-8.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(body)).toThrow();
    const text = iconv.decode(body, 'gbk');
    expect(gbk(text).equals(body)).toBe(true);
    const rows = text.split('\r\n');
    expect(rows.pop()).toBe('');
    expect(rows[0]).toBe(`汇总|${batch.batchNo}|3|2880.00`);
    expect(rows[1]).toBe('序号|账号|户名|金额|身份证号|用途|所属期');
    expect(rows.slice(2).map((row) => row.split('|')[2])).toEqual(['王建国', '买买提·艾力', '欧阳秀兰']);
    expect(rows[2].split('|')).toEqual([
      '1',
      items[0].accountNo,
      '王建国',
      '960.00',
      headIdNumbers[0],
      '农村部分计划生育家庭奖励扶助',
      '2012',
    ]);
    const sha256 = createHash('sha256').update(body).digest('hex');
    expect(file.headers['x-content-sha256']).toBe(sha256);
    expect(await batchView()).toMatchObject({ status: 'EXPORTED', bankFormat: 'GBK_PAYROLL', bankFileSha256: sha256 });

    // The county's choice no longer matters: the batch answers in its own format, byte for byte.
    await c.t
      .http()
      .put(`${API}/bank-formats/counties/${COUNTY}`)
      .set('Authorization', c.admin.auth)
      .send({ formatCode: 'CSV_UTF8' })
      .expect(200);
    const again = await bankFile().expect(200);
    expect((again.body as Buffer).equals(body)).toBe(true);
    expect(again.headers['x-content-sha256']).toBe(sha256);
    expect((await bankFile('?format=GBK_PAYROLL').expect(200)).body.equals(body)).toBe(true);
    const other = await bankFile('?format=CSV_UTF8').expect(409);
    expect(JSON.parse(other.body.toString('utf8'))).toMatchObject({
      code: 'BANK_FORMAT_CONFLICT',
      exportedFormat: 'GBK_PAYROLL',
    });
  });

  const resultRows = (failedLineNo: number) =>
    items.map((line) =>
      line.lineNo === failedLineNo
        ? `${line.lineNo}|${line.accountNo}|某人|${line.amount}|失败||账户已冻结`
        : `${line.lineNo}|${line.accountNo}|某人|${line.amount}|成功|ICBC${line.lineNo}20130115|`,
    );
  const resultFile = (summary: string, rows: string[]) =>
    gbk([summary, '序号|账号|户名|金额|处理结果|银行流水号|失败原因', ...rows, ''].join('\r\n'));

  it('refuses a GBK result whose summary disagrees with its records, naming the line, and changes nothing', async () => {
    const before = await rowCounts(c.t.dataSource);
    const wrongTotal = await importResults(resultFile(`汇总|${batch.batchNo}|3|2800.00`, resultRows(2))).expect(422);
    expect(wrongTotal.body.code).toBe('BANK_FILE_REJECTED');
    expect(wrongTotal.body.problems).toEqual([{ line: 1, message: expect.stringMatching(/2800\.00.*2880\.00/) }]);
    const wrongCount = await importResults(
      resultFile(`汇总|${batch.batchNo}|3|1920.00`, resultRows(2).slice(0, 2)),
    ).expect(422);
    expect(wrongCount.body.problems).toEqual([{ line: 1, message: '汇总记录笔数为 3，文件有 2 笔' }]);
    const noSummary = await importResults(
      gbk(['序号|账号|户名|金额|处理结果|银行流水号|失败原因', ...resultRows(2)].join('\r\n')),
    ).expect(422);
    expect(noSummary.body.problems).toEqual([{ line: 1, message: expect.stringMatching(/^缺少汇总记录/) }]);
    const englishWords = await importResults(
      resultFile(
        `汇总|${batch.batchNo}|3|2880.00`,
        resultRows(2).map((row) => row.replace('成功', 'SUCCESS')),
      ),
    ).expect(422);
    expect(englishWords.body.problems).toHaveLength(2);
    expect(englishWords.body.problems[0].message).toMatch(/处理结果“SUCCESS”既不是 成功 也不是 失败/);
    expect(await rowCounts(c.t.dataSource)).toEqual(before);
    expect((await lines(c, batch.id)).map((l) => l.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(await batchView()).toMatchObject({ status: 'EXPORTED' });
  });

  it('imports the GBK result with 成功/失败: the batch settles, paid and failed as the bank said, the ledger verifies', async () => {
    const file = resultFile(`汇总|${batch.batchNo}|3|2880.00`, resultRows(2));
    const settled = await importResults(file).expect(200);
    expect(settled.body).toMatchObject({ paid: 2, failed: 1, unchanged: 0, batch: { status: 'SETTLED' } });
    const after = await lines(c, batch.id);
    expect(after.map((l) => [l.lineNo, l.status])).toEqual([
      [1, 'PAID'],
      [2, 'FAILED'],
      [3, 'PAID'],
    ]);
    expect(after[1]).toMatchObject({ reason: '账户已冻结', bankRef: null });
    expect(after[0]).toMatchObject({ bankRef: 'ICBC120130115' });
    const budget = await c.t
      .http()
      .get(`${API}/budgets?fiscalYear=2012&countyCode=${COUNTY}`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    const total = (field: string) =>
      (budget.body.items as Record<string, string>[])
        .filter((item) => item.policyCode === 'RURAL_REWARD')
        .reduce((sum, item) => sum + Math.round(Number(item[field]) * 100), 0) / 100;
    expect({ committed: total('committed'), spent: total('spent'), available: total('available') }).toEqual({
      committed: 0,
      spent: 1920,
      available: 8080,
    });
    const verify = await c.t.http().get(`${API}/ledger/verify`).set('Authorization', c.auditor.auth).expect(200);
    expect(verify.body.ok).toBe(true);
    // The same file again changes nothing.
    const again = await importResults(file).expect(200);
    expect(again.body).toMatchObject({ paid: 0, failed: 0, unchanged: 3 });
  });
});
