import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { text as streamText } from 'node:stream/consumers';
import type { ReportColumn } from './report-format.js';
import { writeCsv, writeXlsx, type ReportStream } from './report-writers.js';

const columns: ReportColumn[] = [
  { key: 'householdNo', header: 'householdNo', kind: 'text' },
  { key: 'amount', header: 'amount', kind: 'money', total: true },
];

function report(): ReportStream {
  return {
    name: 'refunds',
    title: 'refunds',
    parameters: {},
    columns,
    rows: (async function* () {
      yield [
        { householdNo: '=CMD()', amount: '-5.00' },
        { householdNo: '-H1', amount: '12.30' },
        { householdNo: 'H2', amount: '0.00' },
      ];
    })(),
  };
}

describe('report writers neutralise formulas in text columns only', () => {
  it('CSV: text cells get a quote, money stays exact', async () => {
    const out = new PassThrough();
    const written = streamText(out);
    await writeCsv(report(), out);
    expect((await written).split('\n')).toEqual(['householdNo,amount', "'=CMD(),-5.00", "'-H1,12.30", 'H2,0.00', '']);
  });

  it('XLSX: text cells get a quote, money stays a number', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeXlsx(report(), out);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect([2, 3, 4].map((row) => sheet.getRow(row).values)).toEqual([
      [undefined, "'=CMD()", -5],
      [undefined, "'-H1", 12.3],
      [undefined, 'H2', 0],
    ]);
  });
});
