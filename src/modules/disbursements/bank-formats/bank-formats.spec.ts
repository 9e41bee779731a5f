import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { buffer, text } from 'node:stream/consumers';
import { CSV_UTF8 } from './csv-utf8.js';
import { GBK_PAYROLL } from './gbk-payroll.js';
import {
  BANK_FORMATS,
  BankFormatDefinitionError,
  bankFormat,
  formatProblems,
  validateBankFormats,
  type BankFileFormat,
  type PaymentField,
} from './index.js';
import { readResultFile } from './reader.js';
import { writeBankFile, type PaymentRecord } from './writer.js';

const values = (lineNo: number, name: string): Record<PaymentField, string> => ({
  line_no: String(lineNo),
  batch_no: 'B410122-2012-000001',
  account_no: `622202000000000${lineNo}`,
  account_name: name,
  id_number: '410122195203100013',
  amount: '960.00',
  policy_code: 'RURAL_REWARD',
  policy_name: '农村部分计划生育家庭奖励扶助',
  period: '2012',
  bank_code: '102',
});

async function* records(names: string[]): AsyncGenerator<PaymentRecord> {
  for (const [index, name] of names.entries()) yield { lineNo: index + 1, values: values(index + 1, name) };
}

const summary = (count: number, total: string) => ({ batchNo: 'B410122-2012-000001', count, total });

describe('bank formats', () => {
  it('ship the CSV of SPEC.md and a GBK payroll file, validated, found by code in any case', () => {
    expect([...BANK_FORMATS.keys()]).toEqual(['CSV_UTF8', 'GBK_PAYROLL']);
    expect(bankFormat(' gbk_payroll ')).toBe(GBK_PAYROLL);
    expect(() => bankFormat('MT940')).toThrow(expect.objectContaining({ code: 'BANK_FORMAT_UNKNOWN', status: 422 }));
  });

  it('refuse a malformed format before the service starts, saying why', () => {
    const broken: BankFileFormat = {
      ...GBK_PAYROLL,
      code: 'bad code',
      delimiter: '"',
      result: {
        ...GBK_PAYROLL.result,
        columns: GBK_PAYROLL.result.columns.filter((c) => c.field !== 'status'),
        statusWords: { success: ['成功'], failure: ['成功'] },
      },
      payment: { ...GBK_PAYROLL.payment, summary: { position: 'first', cells: [{ field: 'count' }] } },
    };
    expect(formatProblems(broken)).toEqual([
      'code is 2-40 of A-Z, 0-9 and _',
      'delimiter is one character, not a quote or a line break',
      'result: needs the field status',
      'payment summary: needs the field total',
      'a status word means both success and failure',
    ]);
    expect(() => validateBankFormats([CSV_UTF8, CSV_UTF8])).toThrow(BankFormatDefinitionError);
    const unencodable = {
      ...GBK_PAYROLL,
      payment: { ...GBK_PAYROLL.payment, columns: [...GBK_PAYROLL.payment.columns] },
    };
    unencodable.payment.columns[2] = { field: 'account_name', header: '𠮷名' };
    expect(formatProblems(unencodable)).toEqual(['payment: header 𠮷名 is not gbk']);
  });

  it('write the CSV exactly as it was written before formats were data (the recorded SHA-256 stays valid)', async () => {
    const names = ['王建国', 'Smith, "Jo"', '换\n行', "'=SUM(A1)"];
    // How bank-files.service.ts wrote it: csv-stringify, a header of the column names, `\n`.
    const before = stringify(
      names.map((name, index) => {
        const v = values(index + 1, name);
        return [index + 1, v.batch_no, v.account_no, v.account_name, v.id_number, v.amount, v.policy_code, v.period];
      }),
      {
        header: true,
        columns: ['line_no', 'batch_no', 'account_no', 'account_name', 'id_number', 'amount', 'policy_code', 'period'],
        record_delimiter: '\n',
      },
    );
    const now = await buffer(writeBankFile(CSV_UTF8, summary(4, '3840.00'), records(names)));
    expect(now.equals(Buffer.from(before, 'utf8'))).toBe(true);
  });

  it('write the GBK payroll file: summary first, Chinese titles, GBK bytes, CRLF', async () => {
    const bytes = await buffer(writeBankFile(GBK_PAYROLL, summary(2, '1920.00'), records(['王建国', '买买提·艾力'])));
    expect(bytes.equals(iconv.encode(iconv.decode(bytes, 'gbk'), 'gbk'))).toBe(true);
    expect(iconv.decode(bytes, 'gbk').split('\r\n')).toEqual([
      '汇总|B410122-2012-000001|2|1920.00',
      '序号|账号|户名|金额|身份证号|用途|所属期',
      '1|6222020000000001|王建国|960.00|410122195203100013|农村部分计划生育家庭奖励扶助|2012',
      '2|6222020000000002|买买提·艾力|960.00|410122195203100013|农村部分计划生育家庭奖励扶助|2012',
      '',
    ]);
  });

  it('refuse to write a name GBK lacks, naming the line and the character', async () => {
    const stream = writeBankFile(GBK_PAYROLL, summary(2, '1920.00'), records(['王建国', '𠮷祥']));
    await expect(text(stream)).rejects.toMatchObject({
      code: 'BANK_FILE_UNENCODABLE',
      extra: { lineNo: 2, character: '𠮷', format: 'GBK_PAYROLL' },
    });
  });

  it('read a GBK result: summary, columns by their Chinese titles, status words left to the check', async () => {
    const file = iconv.encode(
      [
        '汇总|B1|2|1920.00',
        '失败原因|序号|账号|户名|金额|处理结果|银行流水号',
        '|1|6222|王建国|960.00|成功|R1',
        '账户已冻结|2|6223|李四|960.00|失败|',
        '',
      ].join('\r\n'),
      'gbk',
    );
    const read = await readResultFile(file, GBK_PAYROLL);
    expect(read.summary).toEqual({ fileLine: 1, values: { batch_no: 'B1', count: '2', total: '1920.00' } });
    expect(read.records).toEqual([
      { fileLine: 3, line_no: '1', account_no: '6222', amount: '960.00', status: '成功', bank_ref: 'R1', reason: '' },
      {
        fileLine: 4,
        line_no: '2',
        account_no: '6223',
        amount: '960.00',
        status: '失败',
        bank_ref: '',
        reason: '账户已冻结',
      },
    ]);
  });

  it('refuse a GBK result that is not GBK, or lacks its summary, naming the line', async () => {
    const badBytes = Buffer.concat([iconv.encode('汇总|B1|1|960.00\r\n', 'gbk'), Buffer.from([0x81, 0x0d, 0x0a])]);
    await expect(readResultFile(badBytes, GBK_PAYROLL)).rejects.toMatchObject({
      code: 'BANK_FILE_REJECTED',
      extra: { problems: [{ line: 2, message: expect.any(String) }] },
    });
    const noSummary = iconv.encode('序号|账号|金额|处理结果|银行流水号|失败原因\r\n1|6222|960.00|成功|R1|\r\n', 'gbk');
    await expect(readResultFile(noSummary, GBK_PAYROLL)).rejects.toMatchObject({
      code: 'BANK_FILE_REJECTED',
      extra: {
        problems: [{ line: 1, message: expect.stringMatching(/^缺少汇总记录（汇总.*）：该格式将其放在首行$/) }],
      },
    });
    const missingColumn = iconv.encode(
      '汇总|B1|1|960.00\r\n序号|账号|金额|处理结果|失败原因\r\n1|6222|960.00|成功|\r\n',
      'gbk',
    );
    await expect(readResultFile(missingColumn, GBK_PAYROLL)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'file', message: '缺少列：银行流水号' }],
    });
  });

  it('read the CSV result as before: UTF-8 with a BOM, columns in any order', async () => {
    const file = Buffer.from(
      '\uFEFFstatus,line_no,account_no,amount,bank_ref,reason,extra\nSUCCESS,1,6222,960.00,R1,,x\n',
    );
    const read = await readResultFile(file, CSV_UTF8);
    expect(read.summary).toBeUndefined();
    expect(read.records).toEqual([
      {
        fileLine: 2,
        line_no: '1',
        account_no: '6222',
        amount: '960.00',
        status: 'SUCCESS',
        bank_ref: 'R1',
        reason: '',
      },
    ]);
  });
});
