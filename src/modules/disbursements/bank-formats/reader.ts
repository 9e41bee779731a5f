import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { csvReadProblem, nulCellIndex } from '../../../common/csv.js';
import { ValidationFailedError } from '../../../common/errors.js';
import { translate } from '../../../common/i18n/i18n.js';
import { currentLanguage } from '../../../common/request-context.js';
import { decodeBuffer, detectEncoding } from '../../../common/text-encoding.js';
import type { ResultRecord } from '../bank-results.js';
import { BankFileRejectedError } from '../disbursements.errors.js';
import {
  REQUIRED_RESULT_FIELDS,
  type BankFileFormat,
  type ResultField,
  type SummaryField,
} from './bank-file-format.js';

/** The summary record of a result file, as the bank wrote it (checked against the records later). */
export interface ResultSummary {
  fileLine: number;
  values: Partial<Record<SummaryField, string>>;
}

export interface ResultFile {
  records: ResultRecord[];
  summary?: ResultSummary;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const REPLACEMENT = '\uFFFD';

const unreadable = (line: number): BankFileRejectedError =>
  new BankFileRejectedError([{ line, message: translate('import.unreadableLine', { line }, currentLanguage()) }]);

/**
 * The text of a result file in `format`'s encoding, read strictly: a UTF-8 format takes UTF-8 (with
 * or without a byte-order mark) or GB18030, as every upload does; a GBK or GB18030 format takes
 * GB18030 (a superset of GBK), or UTF-8 when a byte-order mark says so. Bytes the encoding cannot
 * read refuse the file naming the line; no replacement character is ever let through.
 */
export async function decodeResultFile(content: Buffer, format: BankFileFormat): Promise<string> {
  const bom = content.subarray(0, 3).equals(UTF8_BOM);
  if (format.encoding === 'utf-8' || format.encoding === 'utf-8-bom' || bom) {
    const verdict = await detectEncoding(content);
    if ('unreadableLine' in verdict) throw unreadable(verdict.unreadableLine);
    return decodeBuffer(content, verdict.encoding);
  }
  const lines: string[] = [];
  let start = 0;
  while (start <= content.length) {
    const end = content.indexOf(0x0a, start);
    const bytes = content.subarray(start, end < 0 ? content.length : end);
    const text = iconv.decode(bytes, 'gb18030');
    if (text.includes(REPLACEMENT)) throw unreadable(lines.length + 1);
    lines.push(text);
    if (end < 0) break;
    start = end + 1;
  }
  return lines.join('\n');
}

const normalise = (header: string) => header.trim().toLowerCase();

/**
 * Reads a bank's result file in `format`: its summary record where the format puts one, its title
 * row (columns found by their headers, order free, others ignored) or fixed column positions, and
 * one result record per line. A file the CSV reader cannot read, a NUL in a cell or a missing
 * summary record is refused whole (422 BANK_FILE_REJECTED naming the line); missing columns or no
 * record at all is a 400.
 */
export async function readResultFile(content: Buffer | string, format: BankFileFormat): Promise<ResultFile> {
  const lang = currentLanguage();
  const text = Buffer.isBuffer(content) ? await decodeResultFile(content, format) : content;
  const rows: { cells: string[]; line: number }[] = [];
  try {
    const parser = Readable.from([text]).pipe(
      parse({
        delimiter: format.delimiter,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
        bom: true,
        info: true,
      }),
    );
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (nulCellIndex(record) >= 0) {
        throw new BankFileRejectedError([{ line: info.lines, message: translate('bankResults.nulCell', {}, lang) }]);
      }
      rows.push({ cells: record, line: info.lines });
    }
  } catch (error) {
    const problem = csvReadProblem(error, lang);
    if (problem) throw new BankFileRejectedError([{ line: problem.line, message: problem.message }]);
    throw error;
  }

  const { summary: summaryRecord, titleRow, columns } = format.result;
  let summary: ResultSummary | undefined;
  if (summaryRecord) {
    const row = summaryRecord.position === 'first' ? rows.shift() : rows.pop();
    const expected = summaryRecord.cells.map((cell) => ('literal' in cell ? cell.literal : `<${cell.field}>`));
    const matches =
      row !== undefined &&
      summaryRecord.cells.every(
        (cell, index) => !('literal' in cell) || normalise(row.cells[index] ?? '') === normalise(cell.literal),
      );
    if (!row || !matches) {
      throw new BankFileRejectedError([
        {
          line: row?.line ?? 1,
          message: translate(
            'bankResults.summaryMissing',
            {
              expected: expected.join(format.delimiter),
              position: translate(`bankResults.${summaryRecord.position === 'first' ? 'first' : 'last'}`, {}, lang),
            },
            lang,
          ),
        },
      ]);
    }
    summary = { fileLine: row.line, values: {} };
    summaryRecord.cells.forEach((cell, index) => {
      if ('field' in cell) summary!.values[cell.field] = row.cells[index] ?? '';
    });
  }

  const positions = new Map<ResultField, number>();
  let titleWidth = 0;
  if (titleRow) {
    const titles = (rows.shift()?.cells ?? []).map(normalise);
    titleWidth = titles.length;
    for (const column of columns) {
      const index = titles.indexOf(normalise(column.header));
      if (index >= 0) positions.set(column.field, index);
    }
  } else {
    columns.forEach((column, index) => positions.set(column.field, index));
  }
  const missing = columns.filter(
    (column) => (REQUIRED_RESULT_FIELDS as readonly string[]).includes(column.field) && !positions.has(column.field),
  );
  if (missing.length > 0) {
    throw new ValidationFailedError([
      {
        field: 'file',
        message: translate('bankResults.missingColumns', { columns: missing.map((c) => c.header).join(', ') }, lang),
      },
    ]);
  }
  const width = titleRow ? titleWidth : columns.length;
  const ragged = rows.find((row) => (titleRow ? row.cells.length !== width : row.cells.length < width));
  if (ragged) {
    throw new BankFileRejectedError([
      { line: ragged.line, message: translate('bankResults.ragged', { count: ragged.cells.length, width }, lang) },
    ]);
  }
  const cell = (cells: string[], field: ResultField) => cells[positions.get(field)!] ?? '';
  const records: ResultRecord[] = rows.map(({ cells, line }) => ({
    fileLine: line,
    line_no: cell(cells, 'line_no'),
    account_no: cell(cells, 'account_no'),
    amount: cell(cells, 'amount'),
    status: cell(cells, 'status'),
    bank_ref: cell(cells, 'bank_ref'),
    reason: cell(cells, 'reason'),
  }));
  if (records.length === 0) {
    throw new ValidationFailedError([{ field: 'file', message: translate('bankResults.noLines', {}, lang) }]);
  }
  return { records, summary };
}
