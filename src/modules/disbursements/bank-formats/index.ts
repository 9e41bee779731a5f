import { validateBankFormats, type BankFileFormat } from './bank-file-format.js';
import { BankFormatUnknownError } from './bank-formats.errors.js';
import { CSV_UTF8 } from './csv-utf8.js';
import { GBK_PAYROLL } from './gbk-payroll.js';

export * from './bank-file-format.js';
export * from './bank-formats.errors.js';

/**
 * Every bank format the service offers, checked as the module loads (the service does not start
 * with a malformed one). To add a format: a file beside these, and its constant in this list.
 */
export const BANK_FORMATS: ReadonlyMap<string, BankFileFormat> = validateBankFormats([CSV_UTF8, GBK_PAYROLL]);

/** The format of a county that has none chosen. */
export const DEFAULT_BANK_FORMAT = CSV_UTF8.code;

/** The format named `code` (case-insensitive); 422 BANK_FORMAT_UNKNOWN when there is none. */
export function bankFormat(code: string): BankFileFormat {
  const format = BANK_FORMATS.get(code.trim().toUpperCase());
  if (!format) throw new BankFormatUnknownError(code, [...BANK_FORMATS.keys()]);
  return format;
}
