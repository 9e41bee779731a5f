import iconv from 'iconv-lite';
import { Readable } from 'node:stream';

/**
 * The encodings an uploaded text file may be in (SPEC.md "Language and files"): UTF-8, with or
 * without a byte-order mark, or GB18030 (a superset of GBK, what Excel on Chinese Windows writes).
 */
export const TEXT_ENCODINGS = ['utf-8', 'gb18030'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export type EncodingVerdict = { encoding: TextEncoding } | { unreadableLine: number };

const NEWLINE = 0x0a;
const REPLACEMENT = '\uFFFD';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Whether `bytes` decode in `encoding` without loss: a strict decode (UTF-8 through a fatal
 * TextDecoder, GB18030 through iconv-lite, whose loss shows as U+FFFD) that also refuses a
 * replacement character present in the file itself, so that none is ever stored.
 */
function decodesCleanly(bytes: Buffer, encoding: TextEncoding): boolean {
  try {
    const text =
      encoding === 'utf-8'
        ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
        : iconv.decode(bytes, 'gb18030', { stripBOM: false });
    return !text.includes(REPLACEMENT);
  } catch {
    return false;
  }
}

/**
 * Reads a file once, line by line (0x0A is a newline in both encodings: no GB18030 multi-byte
 * sequence contains it), and decides its encoding: UTF-8 if every line is UTF-8 (a BOM settles
 * it), otherwise GB18030 if every line is; otherwise the first line that neither can read (the
 * line where the last candidate failed). Memory holds one line at a time.
 */
export async function detectEncoding(source: AsyncIterable<Buffer | string> | Buffer): Promise<EncodingVerdict> {
  const chunks: AsyncIterable<Buffer | string> | Iterable<Buffer> = Buffer.isBuffer(source) ? [source] : source;
  let candidates: TextEncoding[] = [...TEXT_ENCODINGS];
  let line = 0;
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  const check = (bytes: Buffer): boolean => {
    line++;
    if (first) {
      first = false;
      if (bytes.subarray(0, 3).equals(UTF8_BOM)) {
        candidates = ['utf-8'];
        bytes = bytes.subarray(3);
      }
    }
    candidates = candidates.filter((encoding) => decodesCleanly(bytes, encoding));
    return candidates.length > 0;
  };
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let data = carry.length > 0 ? Buffer.concat([carry, buffer]) : buffer;
    let newline = data.indexOf(NEWLINE);
    while (newline >= 0) {
      if (!check(data.subarray(0, newline))) return { unreadableLine: line };
      data = data.subarray(newline + 1);
      newline = data.indexOf(NEWLINE);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0 && !check(carry)) return { unreadableLine: line };
  return { encoding: candidates[0] };
}

/** The text of a stream of bytes in a known encoding (a UTF-8 BOM is left for the CSV parser). */
export function decodeText(source: Readable, encoding: TextEncoding): Readable {
  if (encoding === 'utf-8') return source;
  const decoded = source.pipe(iconv.decodeStream('gb18030')) as unknown as Readable;
  source.on('error', (error) => decoded.destroy(error));
  return decoded;
}

/** A whole buffer's text, BOM removed, after detectEncoding said which encoding it is in. */
export function decodeBuffer(bytes: Buffer, encoding: TextEncoding): string {
  return encoding === 'utf-8' ? new TextDecoder('utf-8').decode(bytes) : iconv.decode(bytes, 'gb18030');
}

/** The bytes of a text in an encoding a bank or office asks for (GBK/GB18030 or UTF-8). */
export function encodeText(text: string, encoding: TextEncoding | 'gbk'): Buffer {
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}

/** A readable over a buffer, in one chunk. */
export const readableOf = (bytes: Buffer): Readable => Readable.from([bytes]);
