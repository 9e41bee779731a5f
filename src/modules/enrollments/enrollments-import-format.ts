import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { isDate, todayInChina } from '../../common/calendar.js';
import { csvReadProblem, nulCellIndex } from '../../common/csv.js';
import { translate, type I18nKey, type I18nParams, type Language } from '../../common/i18n/i18n.js';
import { decodeBuffer, detectEncoding } from '../../common/text-encoding.js';
import { dateColumnsOf, rowCells } from '../../common/xlsx.js';

/**
 * The file of existing rolls (docs/enrollments-import.md): one enrollment a row, with the dates
 * and approver of the old system. Pure: reading a file into checked rows, and the template.
 */
export const ROLL_COLUMNS_ZH = {
  policy_code: '政策代码',
  id_number: '身份证号',
  household_no: '户号',
  applied_on: '申请日期',
  approved_on: '审批日期',
  approved_by_name: '审批人',
  note: '备注',
} as const;
export type RollColumn = keyof typeof ROLL_COLUMNS_ZH;
const REQUIRED: readonly RollColumn[] = ['policy_code', 'id_number', 'applied_on', 'approved_on', 'approved_by_name'];
const ALL = Object.keys(ROLL_COLUMNS_ZH) as RollColumn[];
const BY_CHINESE = new Map<string, RollColumn>(
  Object.entries(ROLL_COLUMNS_ZH).map(([column, header]) => [header, column as RollColumn]),
);

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The largest rolls file read (a city's rolls are well below: 100,000 rows are about 10 MB). */
export const MAX_ROLLS_FILE = 64 * 1024 * 1024;

export interface RollProblem {
  line: number;
  field: string;
  message: string;
}

/** A row whose cells are well formed (dates real and in order, the ID number 18 characters). */
export interface RollRow {
  line: number;
  policy: string;
  idNumber: string;
  householdNo: string | null;
  appliedOn: string;
  approvedOn: string;
  approvedByName: string;
  note: string | null;
}

/** Writes problems in one language; `column` names the column as the file's header does. */
export class RollProblems {
  readonly items: RollProblem[] = [];
  constructor(readonly lang: Language) {}

  add(line: number, field: string, key: I18nKey, params: I18nParams = {}): void {
    this.items.push({ line, field, message: translate(key, params, this.lang) });
  }

  header(column: RollColumn): string {
    return this.lang === 'en' ? column : ROLL_COLUMNS_ZH[column];
  }
}

interface SourceRow {
  line: number;
  cells: string[];
}

/** The rows of a file in memory: XLSX (a ZIP), else CSV in UTF-8 (BOM or not) or GB18030/GBK. */
export async function readRollRows(bytes: Buffer, problems: RollProblems): Promise<RollRow[]> {
  const source =
    bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304
      ? await xlsxRows(bytes, problems)
      : await csvRows(bytes, problems);
  return source ? checkRows(source, problems) : [];
}

async function csvRows(bytes: Buffer, problems: RollProblems): Promise<SourceRow[] | undefined> {
  const verdict = await detectEncoding(bytes);
  if ('unreadableLine' in verdict) {
    problems.add(verdict.unreadableLine, 'row', 'import.unreadableLine', { line: verdict.unreadableLine });
    return undefined;
  }
  try {
    const records = parse(decodeBuffer(bytes, verdict.encoding), {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
  } catch (error) {
    const problem = csvReadProblem(error, problems.lang);
    if (!problem) throw error;
    problems.add(problem.line, 'row', 'rollsImport.unreadableCsv', { reason: problem.reason });
    return undefined;
  }
}

/** The first worksheet; a day number typed into a date column (Excel's serial) becomes its date. */
async function xlsxRows(bytes: Buffer, problems: RollProblems): Promise<SourceRow[] | undefined> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    problems.add(1, 'file', 'rollsImport.unreadableXlsx', { reason: (error as Error).message });
    return undefined;
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: SourceRow[] = [];
  let dateColumns = new Set<number>();
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells = rowCells(row.values as ExcelJS.CellValue[], dateColumns);
    if (number === 1) dateColumns = dateColumnsOf(cells, (header) => canonicalColumn(header).endsWith('_on'));
    if (cells.some((cell) => cell !== '')) rows.push({ line: number, cells });
  });
  return rows;
}

function canonicalColumn(header: string): string {
  const trimmed = header.replace(/^\uFEFF/, '').trim();
  return BY_CHINESE.get(trimmed) ?? trimmed.toLowerCase();
}

/** The header, and each row's cells checked on their own (what needs the database comes later). */
function checkRows(source: SourceRow[], problems: RollProblems): RollRow[] {
  const [head, ...body] = source;
  if (!head) {
    problems.add(1, 'header', 'rollsImport.emptyFile');
    return [];
  }
  const header = head.cells.map(canonicalColumn);
  const unknown = header.filter((name) => !(ALL as string[]).includes(name));
  const missing = REQUIRED.filter((name) => !header.includes(name));
  for (const name of unknown) problems.add(head.line, name, 'rollsImport.unknownColumn', { column: name });
  for (const name of missing) {
    problems.add(head.line, name, 'rollsImport.missingColumn', { column: problems.header(name) });
  }
  if (unknown.length + missing.length > 0) return [];
  if (body.length === 0) problems.add(head.line, 'row', 'rollsImport.noRows');
  const today = todayInChina();
  const rows: RollRow[] = [];
  for (const { line, cells } of body) {
    if (cells.length !== header.length) {
      problems.add(line, 'row', 'rollsImport.wrongWidth', { count: cells.length, width: header.length });
      continue;
    }
    if (nulCellIndex(cells) >= 0) {
      problems.add(line, 'row', 'rollsImport.nulCell');
      continue;
    }
    const cell = (column: RollColumn) => cells[header.indexOf(column)]?.trim() ?? '';
    const before = problems.items.length;
    for (const column of REQUIRED) {
      if (cell(column) === '') problems.add(line, column, 'rollsImport.required', { column: problems.header(column) });
    }
    const idNumber = cell('id_number').toUpperCase();
    if (idNumber !== '' && !/^\d{17}[\dX]$/.test(idNumber)) {
      problems.add(line, 'id_number', 'rollsImport.badIdNumber', { value: idNumber });
    }
    const dates = { applied_on: normaliseDate(cell('applied_on')), approved_on: normaliseDate(cell('approved_on')) };
    for (const column of ['applied_on', 'approved_on'] as const) {
      const value = dates[column];
      if (cell(column) === '') continue;
      if (!isDate(value)) {
        problems.add(line, column, 'rollsImport.badDate', { column: problems.header(column), value: cell(column) });
      } else if (value > today) {
        problems.add(line, column, 'rollsImport.futureDate', { column: problems.header(column), value });
      }
    }
    if (isDate(dates.applied_on) && isDate(dates.approved_on) && dates.approved_on < dates.applied_on) {
      problems.add(line, 'approved_on', 'rollsImport.approvedBeforeApplied', {
        approvedOn: dates.approved_on,
        appliedOn: dates.applied_on,
      });
    }
    if (problems.items.length > before) continue;
    rows.push({
      line,
      policy: cell('policy_code'),
      idNumber,
      householdNo: cell('household_no') || null,
      appliedOn: dates.applied_on,
      approvedOn: dates.approved_on,
      approvedByName: cell('approved_by_name'),
      note: cell('note') || null,
    });
  }
  return rows;
}

/** `2012/3/5` and `2012.03.05` (how the old systems write dates) as `2012-03-05`; anything else as given. */
function normaliseDate(value: string): string {
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(value);
  return match ? `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}` : value;
}

/** The template: the Chinese headers, every column formatted as text (Excel keeps the 18-digit ID). */
export async function rollsTemplate(
  format: 'xlsx' | 'csv',
): Promise<{ contentType: string; filename: string; body: Buffer }> {
  const headers = Object.values(ROLL_COLUMNS_ZH);
  if (format === 'csv') {
    return {
      contentType: 'text/csv; charset=utf-8',
      filename: 'enrollments-import-template.csv',
      body: Buffer.from(`\uFEFF${headers.join(',')}\r\n`, 'utf8'),
    };
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('存量对象导入');
  sheet.columns = headers.map((header) => ({
    header,
    width: Math.max(12, header.length * 2 + 6),
    style: { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  return {
    contentType: XLSX_CONTENT_TYPE,
    filename: 'enrollments-import-template.xlsx',
    body: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}
