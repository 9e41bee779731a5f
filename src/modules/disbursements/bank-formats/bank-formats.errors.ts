import { ConflictError, UnprocessableError } from '../../../common/errors.js';

export class BankFormatUnknownError extends UnprocessableError {
  constructor(format: string, known: string[]) {
    super('BANK_FORMAT_UNKNOWN', `There is no bank file format ${format} (GET /bank-formats lists them)`, {
      format,
      formats: known,
    });
  }
}

/** A batch's bank file exists in the format it was first exported in, and only in that one. */
export class BankFormatConflictError extends ConflictError {
  constructor(batchNo: string, exportedFormat: string, format: string) {
    super(
      'BANK_FORMAT_CONFLICT',
      `Batch ${batchNo} was exported as ${exportedFormat}; its bank file is not available as ${format}`,
      { batchNo, exportedFormat, format },
    );
  }
}

/** A name the format's encoding cannot write (GBK lacks some rare characters): nothing is exported. */
export class BankFileUnencodableError extends UnprocessableError {
  constructor(format: string, encoding: string, lineNo: number, character: string) {
    super(
      'BANK_FILE_UNENCODABLE',
      `Line ${lineNo} holds "${character}", which ${format} (${encoding}) cannot write; nothing was exported (a UTF-8 format such as CSV_UTF8 can)`,
      { format, encoding, lineNo, character },
    );
  }
}
