import iconv from 'iconv-lite';

/**
 * A bank file format as data (SPEC.md "Language and files"): how a batch's payments are written
 * for one bank and how that bank's answer is read back. One file per format in this folder; the
 * list in `index.ts` is validated when the service starts, so a malformed format never serves.
 */
export interface BankFileFormat {
  /** Stable machine name, `?format=` on the export: upper-case letters, digits and `_`. */
  code: string;
  name: { 'zh-CN': string; en: string };
  /**
   * The bytes: `utf-8` (no byte-order mark), `utf-8-bom`, `gbk` (a character GBK lacks refuses the
   * export naming the line) or `gb18030` (every Unicode character). Results are read in the same
   * encoding (a UTF-8 format also accepts GB18030, as every upload does).
   */
  encoding: BankEncoding;
  /** One character between cells; a cell holding it, a quote or a line break is quoted (RFC 4180). */
  delimiter: string;
  lineEnding: '\n' | '\r\n';
  /** The download's file name is `<batchNo>.<extension>`. */
  extension: 'csv' | 'txt';
  payment: {
    /** Whether a row of column titles (`header` of each column) precedes the records. */
    titleRow: boolean;
    columns: BankColumn<PaymentField>[];
    summary?: SummaryRecord;
  };
  result: {
    /**
     * With a title row, columns are found by their `header` text (order free, other columns
     * ignored); without one, by position.
     */
    titleRow: boolean;
    columns: BankColumn<ResultField>[];
    summary?: SummaryRecord;
    /** The bank's words for a paid and for a refused line (compared trimmed, case-insensitive). */
    statusWords: { success: string[]; failure: string[] };
  };
}

export const BANK_ENCODINGS = ['utf-8', 'utf-8-bom', 'gbk', 'gb18030'] as const;
export type BankEncoding = (typeof BANK_ENCODINGS)[number];

/** What a payment record can carry, from the batch and its approved line. */
export const PAYMENT_FIELDS = [
  'line_no',
  'batch_no',
  'account_no',
  'account_name',
  'id_number',
  'amount',
  'policy_code',
  'policy_name',
  'period',
  'bank_code',
] as const;
export type PaymentField = (typeof PAYMENT_FIELDS)[number];

/** What a result record can carry (`account_name` is read and ignored: the account number decides). */
export const RESULT_FIELDS = [
  'line_no',
  'account_no',
  'account_name',
  'amount',
  'status',
  'bank_ref',
  'reason',
] as const;
export type ResultField = (typeof RESULT_FIELDS)[number];

/** The fields every result file must have (SPEC.md: line, account, amount, status, reference, reason). */
export const REQUIRED_RESULT_FIELDS = ['line_no', 'account_no', 'amount', 'status', 'bank_ref', 'reason'] as const;
const REQUIRED_PAYMENT_FIELDS: PaymentField[] = ['line_no', 'account_no', 'account_name', 'amount'];

export interface BankColumn<F extends string> {
  field: F;
  /** The column's title in the title row (Chinese for a Chinese bank). */
  header: string;
}

/** The batch's summary: the record count and the total amount, as one record before or after the lines. */
export const SUMMARY_FIELDS = ['batch_no', 'count', 'total'] as const;
export type SummaryField = (typeof SUMMARY_FIELDS)[number];
export type SummaryCell = { field: SummaryField } | { literal: string };

export interface SummaryRecord {
  /** `first`: the file's first record (before any title row); `last`: its last. */
  position: 'first' | 'last';
  cells: SummaryCell[];
}

/** A format in this folder that cannot serve (found when the service starts). */
export class BankFormatDefinitionError extends Error {
  constructor(code: string, problems: string[]) {
    super(`bank format ${code} is not valid: ${problems.join('; ')}`);
    this.name = 'BankFormatDefinitionError';
  }
}

/** The iconv-lite name of an encoding. */
export const iconvName = (encoding: BankEncoding): string => (encoding === 'utf-8-bom' ? 'utf-8' : encoding);

/** Whether `text` survives a trip through `encoding` (GBK lacks some rare characters). */
export function encodable(text: string, encoding: BankEncoding): boolean {
  if (encoding !== 'gbk') return true;
  return iconv.decode(iconv.encode(text, 'gbk'), 'gbk') === text;
}

function columnProblems<F extends string>(
  what: string,
  columns: BankColumn<F>[],
  known: readonly string[],
  required: readonly string[],
  encoding: BankEncoding,
): string[] {
  const problems: string[] = [];
  const fields = columns.map((c) => c.field);
  const headers = columns.map((c) => c.header.trim().toLowerCase());
  for (const field of fields) if (!known.includes(field)) problems.push(`${what}: unknown field ${field}`);
  for (const field of required) if (!fields.includes(field as F)) problems.push(`${what}: needs the field ${field}`);
  if (new Set(fields).size !== fields.length) problems.push(`${what}: a field appears twice`);
  if (headers.some((h) => h === '')) problems.push(`${what}: a column has no header`);
  if (new Set(headers).size !== headers.length) problems.push(`${what}: two columns have the same header`);
  for (const column of columns) {
    if (!encodable(column.header, encoding)) problems.push(`${what}: header ${column.header} is not ${encoding}`);
  }
  return problems;
}

function summaryProblems(what: string, summary: SummaryRecord | undefined, encoding: BankEncoding): string[] {
  if (!summary) return [];
  const problems: string[] = [];
  const fields = summary.cells.flatMap((cell) => ('field' in cell ? [cell.field] : []));
  for (const needed of ['count', 'total'] as const) {
    if (!fields.includes(needed)) problems.push(`${what} summary: needs the field ${needed}`);
  }
  for (const cell of summary.cells) {
    if ('field' in cell && !SUMMARY_FIELDS.includes(cell.field))
      problems.push(`${what} summary: unknown ${cell.field}`);
    if ('literal' in cell && (cell.literal === '' || !encodable(cell.literal, encoding))) {
      problems.push(`${what} summary: literal "${cell.literal}" is empty or not ${encoding}`);
    }
  }
  if (!['first', 'last'].includes(summary.position)) problems.push(`${what} summary: position is first or last`);
  return problems;
}

/** Every reason `format` cannot serve (empty when it can). */
export function formatProblems(format: BankFileFormat): string[] {
  const problems: string[] = [];
  if (!/^[A-Z][A-Z0-9_]{1,39}$/.test(format.code)) problems.push('code is 2-40 of A-Z, 0-9 and _');
  if (!format.name?.['zh-CN']?.trim() || !format.name?.en?.trim()) problems.push('needs a Chinese and an English name');
  if (!BANK_ENCODINGS.includes(format.encoding)) problems.push(`encoding is one of ${BANK_ENCODINGS.join(', ')}`);
  if ([...format.delimiter].length !== 1 || /["\r\n]/.test(format.delimiter)) {
    problems.push('delimiter is one character, not a quote or a line break');
  }
  if (!['\n', '\r\n'].includes(format.lineEnding)) problems.push('lineEnding is \\n or \\r\\n');
  if (!['csv', 'txt'].includes(format.extension)) problems.push('extension is csv or txt');
  problems.push(
    ...columnProblems('payment', format.payment.columns, PAYMENT_FIELDS, REQUIRED_PAYMENT_FIELDS, format.encoding),
    ...columnProblems('result', format.result.columns, RESULT_FIELDS, REQUIRED_RESULT_FIELDS, format.encoding),
    ...summaryProblems('payment', format.payment.summary, format.encoding),
    ...summaryProblems('result', format.result.summary, format.encoding),
  );
  const success = format.result.statusWords.success.map((w) => w.trim().toUpperCase());
  const failure = format.result.statusWords.failure.map((w) => w.trim().toUpperCase());
  if (success.length === 0 || failure.length === 0 || [...success, ...failure].some((w) => w === '')) {
    problems.push('result statusWords name at least one word for success and one for failure');
  }
  if (success.some((w) => failure.includes(w))) problems.push('a status word means both success and failure');
  return problems;
}

/** The formats, checked: each valid and every code once; throws BankFormatDefinitionError otherwise. */
export function validateBankFormats(formats: BankFileFormat[]): ReadonlyMap<string, BankFileFormat> {
  const byCode = new Map<string, BankFileFormat>();
  for (const format of formats) {
    const problems = formatProblems(format);
    if (byCode.has(format.code)) problems.push('the code is used by another format');
    if (problems.length > 0) throw new BankFormatDefinitionError(format.code, problems);
    byCode.set(format.code, format);
  }
  return byCode;
}
