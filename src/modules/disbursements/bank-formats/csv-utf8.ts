import type { BankFileFormat } from './bank-file-format.js';

/**
 * The bank file of SPEC.md, the default for every county: UTF-8 without a byte-order mark, comma
 * separated, `\n`, a title row (each column titled by its field's name), no summary record. Its
 * bytes are exactly those exported before formats were data, so the SHA-256 recorded for older
 * batches still matches.
 */
export const CSV_UTF8: BankFileFormat = {
  code: 'CSV_UTF8',
  name: { 'zh-CN': '通用 CSV 文件(UTF-8)', en: 'Generic CSV (UTF-8)' },
  encoding: 'utf-8',
  delimiter: ',',
  lineEnding: '\n',
  extension: 'csv',
  payment: {
    titleRow: true,
    columns: (
      ['line_no', 'batch_no', 'account_no', 'account_name', 'id_number', 'amount', 'policy_code', 'period'] as const
    ).map((field) => ({ field, header: field })),
  },
  result: {
    titleRow: true,
    columns: (['line_no', 'account_no', 'amount', 'status', 'bank_ref', 'reason'] as const).map((field) => ({
      field,
      header: field,
    })),
    statusWords: { success: ['SUCCESS'], failure: ['FAILED'] },
  },
};
