import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { money } from '../../common/money.js';
import { neutraliseFormula } from '../../common/spreadsheet.js';
import { TotalsAccumulator, type ReportColumn, type ReportRow, type ReportTotals } from './report-format.js';

export type ReportFormat = 'json' | 'csv' | 'xlsx';

export interface ReportStream {
  name: string;
  title: string;
  /** What the report was asked for (fiscal year, filters), echoed in JSON and on the sheet. */
  parameters: Record<string, string | number | null>;
  columns: ReportColumn[];
  rows: AsyncIterable<ReportRow[]>;
  /** Totals beyond the column sums (execution rate of the sums, say). */
  finishTotals?: (totals: ReportTotals) => ReportTotals;
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Writes with backpressure. */
async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * `{report, title, parameters, generatedAt, columns, items, totals}`, written row by row: the
 * items are never held in memory; totals are summed as they pass and written last.
 */
export async function writeJson(report: ReportStream, out: Writable): Promise<void> {
  const totals = new TotalsAccumulator(report.columns);
  await write(
    out,
    `{"report":${JSON.stringify(report.name)},"title":${JSON.stringify(report.title)},"parameters":${JSON.stringify(
      report.parameters,
    )},"generatedAt":${JSON.stringify(new Date().toISOString())},"columns":${JSON.stringify(
      report.columns.map(({ key, header, kind }) => ({ key, header, kind })),
    )},"items":[`,
  );
  let first = true;
  for await (const rows of report.rows) {
    let chunk = '';
    for (const row of rows) {
      totals.add(row);
      chunk += `${first ? '' : ','}${JSON.stringify(row)}`;
      first = false;
    }
    await write(out, chunk);
  }
  const result = report.finishTotals ? report.finishTotals(totals.result()) : totals.result();
  await write(out, `],"totals":${JSON.stringify(result)}}`);
  out.end();
}

/** A text column's cell never reaches a spreadsheet as a formula; numbers stay exact. */
function safeText(column: ReportColumn, value: string | number | null | undefined) {
  return column.kind === 'text' && typeof value === 'string' ? neutraliseFormula(value) : value;
}

/**
 * RFC 4180 CSV with a UTF-8 byte-order mark (so that Excel reads it as UTF-8) and a header row of
 * the column headers; one row per item, no totals row.
 */
export async function writeCsv(report: ReportStream, out: Writable): Promise<void> {
  const csv = stringify({
    header: true,
    bom: true,
    columns: report.columns.map((c) => ({ key: c.key, header: c.header })),
    record_delimiter: '\n',
  });
  csv.pipe(out);
  for await (const rows of report.rows) {
    for (const row of rows) {
      if (!csv.write(report.columns.map((c) => safeText(c, row[c.key]) ?? ''))) await once(csv, 'drain');
    }
  }
  csv.end();
  await once(out, 'finish');
}

const NUMBER_FORMATS: Record<string, string | undefined> = { money: '#,##0.00', rate: '0.00%', int: '0' };

/**
 * XLSX through exceljs's streaming WorkbookWriter: each row is committed (written to the zip) as
 * it comes. Money and rates are numeric cells (so a spreadsheet can sum them) shown with two places
 * or as a percentage; the decimal text of each amount is what the file stores. A last row holds the
 * totals, as in the JSON.
 */
export async function writeXlsx(report: ReportStream, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(report.name);
  sheet.columns = report.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(12, c.header.length * 2 + 2),
    style: NUMBER_FORMATS[c.kind] ? { numFmt: NUMBER_FORMATS[c.kind] } : {},
  }));
  const totals = new TotalsAccumulator(report.columns);
  const cell = (column: ReportColumn, value: string | number | null | undefined) => {
    if (value === null || value === undefined) return null;
    if (column.kind === 'money' || column.kind === 'rate') return money(String(value)).toNumber();
    return safeText(column, value);
  };
  for await (const rows of report.rows) {
    for (const row of rows) {
      totals.add(row);
      sheet.addRow(report.columns.map((c) => cell(c, row[c.key]))).commit();
    }
  }
  const result = report.finishTotals ? report.finishTotals(totals.result()) : totals.result();
  const totalRow = sheet.addRow(
    report.columns.map((c, index) => (index === 0 ? 'TOTAL' : c.key in result ? cell(c, result[c.key]) : null)),
  );
  totalRow.font = { bold: true };
  totalRow.commit();
  sheet.commit();
  await workbook.commit();
}

export function writeReport(format: ReportFormat, report: ReportStream, out: Writable): Promise<void> {
  switch (format) {
    case 'csv':
      return writeCsv(report, out);
    case 'xlsx':
      return writeXlsx(report, out);
    default:
      return writeJson(report, out);
  }
}
