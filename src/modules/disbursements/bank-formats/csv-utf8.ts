import type { BankFileFormat } from './bank-file-format.js';

/**
 * The bank file of SPEC.md, the default for every county: UTF-8 without a byte-order mark, comma
 * separated, `\n`, a title row of the column names, no summary record. Its bytes are exactly those
 * exported before formats were data, so the SHA-256 recorded for older batches still matches.
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
    columns: [
      { field: 'line_no', header: 'line_no' },
      { field: 'batch_no', header: 'batch_no' },
      { field: 'account_no', header: 'account_no' },
      { field: 'account_name', header: 'account_name' },
      { field: 'id_number', header: 'id_number' },
      { field: 'amount', header: 'amount' },
      { field: 'policy_code', header: 'policy_code' },
      { field: 'period', header: 'period' },
    ],
  },
  result: {
    titleRow: true,
    columns: [
      { field: 'line_no', header: 'line_no' },
      { field: 'account_no', header: 'account_no' },
      { field: 'amount', header: 'amount' },
      { field: 'status', header: 'status' },
      { field: 'bank_ref', header: 'bank_ref' },
      { field: 'reason', header: 'reason' },
    ],
    statusWords: { success: ['SUCCESS'], failure: ['FAILED'] },
  },
};
