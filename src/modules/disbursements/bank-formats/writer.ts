import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import { Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { encodable, type BankFileFormat, type PaymentField, type SummaryRecord } from './bank-file-format.js';
import { BankFileUnencodableError } from './bank-formats.errors.js';

/** One payment of the file: its line number and the text of every field a format may ask for. */
export interface PaymentRecord {
  lineNo: number;
  values: Record<PaymentField, string>;
}

/** What a summary record states: the batch, how many payment records follow, and their total. */
export interface BankFileSummary {
  batchNo: string;
  count: number;
  total: string;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The cells of a summary record. */
export function summaryCells(summary: SummaryRecord, values: BankFileSummary): string[] {
  return summary.cells.map((cell) => {
    if ('literal' in cell) return cell.literal;
    if (cell.field === 'batch_no') return values.batchNo;
    return cell.field === 'count' ? String(values.count) : values.total;
  });
}

/** The first character of `text` that `format`'s encoding cannot write. */
function unencodableCharacter(text: string, format: BankFileFormat): string {
  return [...text].find((character) => !encodable(character, format.encoding)) ?? text;
}

/** Text (UTF-8 chunks from the CSV writer) re-encoded as the format's bytes. */
function encoder(format: BankFileFormat): Transform {
  const decoder = new StringDecoder('utf8');
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const text = decoder.write(chunk);
      let bytes = format.encoding === 'utf-8-bom' ? Buffer.from(text, 'utf8') : iconv.encode(text, format.encoding);
      if (first && format.encoding === 'utf-8-bom') bytes = Buffer.concat([UTF8_BOM, bytes]);
      first = false;
      callback(null, bytes);
    },
    flush(callback) {
      const rest = decoder.end();
      callback(
        null,
        rest ? iconv.encode(rest, format.encoding === 'utf-8-bom' ? 'utf-8' : format.encoding) : undefined,
      );
    },
  });
}

/**
 * The bank file of a batch in `format`, as a stream of its bytes: the summary record (count and
 * total of the payment records) where the format puts it, the title row, one record per payment in
 * the order given. A pure function of its input: the same lines give the same bytes. A text the
 * encoding cannot write fails the stream with BANK_FILE_UNENCODABLE naming the line.
 */
export function writeBankFile(
  format: BankFileFormat,
  summary: BankFileSummary,
  records: AsyncIterable<PaymentRecord>,
): Readable {
  const { columns, titleRow, summary: summaryRecord } = format.payment;
  const checked = format.encoding === 'gbk';
  async function* rows(): AsyncGenerator<string[]> {
    if (summaryRecord?.position === 'first') yield summaryCells(summaryRecord, summary);
    if (titleRow) yield columns.map((column) => column.header);
    for await (const record of records) {
      const row = columns.map((column) => record.values[column.field]);
      if (checked) {
        const text = row.join('');
        if (!encodable(text, format.encoding)) {
          throw new BankFileUnencodableError(
            format.code,
            format.encoding,
            record.lineNo,
            unencodableCharacter(text, format),
          );
        }
      }
      yield row;
    }
    if (summaryRecord?.position === 'last') yield summaryCells(summaryRecord, summary);
  }
  const source = Readable.from(rows());
  const text = stringify({ delimiter: format.delimiter, record_delimiter: format.lineEnding });
  source.on('error', (error) => text.destroy(error));
  source.pipe(text);
  if (format.encoding === 'utf-8') return text;
  const bytes = encoder(format);
  text.on('error', (error) => bytes.destroy(error));
  return text.pipe(bytes);
}

/** The Content-Type of a format's files. */
export function contentType(format: BankFileFormat): string {
  const charset = format.encoding === 'gbk' ? 'GBK' : format.encoding === 'gb18030' ? 'GB18030' : 'utf-8';
  return `${format.extension === 'csv' ? 'text/csv' : 'text/plain'}; charset=${charset}`;
}
