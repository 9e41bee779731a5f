/**
 * Masking of ID and account numbers inside free text and JSON: what audit events, event payloads,
 * job results and log lines keep instead of full numbers. An 18-character resident ID keeps its
 * address code and last two characters (`410102**********18`, as `maskNumber`); a run of 16-19 digits
 * (a one-card account) keeps its last four.
 */
const ID_NUMBER = /(?<![0-9A-Za-z])(\d{6})\d{10}([\dXx]{2})(?![0-9A-Za-z])/g;
const ACCOUNT_NUMBER = /(?<![0-9A-Za-z])\d{12,15}(\d{4})(?![0-9A-Za-z])/g;

export function maskPiiText(text: string): string {
  if (text.length < 16) return text;
  return text
    .replace(ID_NUMBER, (_match, head: string, tail: string) => `${head}${'*'.repeat(10)}${tail}`)
    .replace(ACCOUNT_NUMBER, (match: string, tail: string) => `${'*'.repeat(match.length - 4)}${tail}`);
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of a JSON-like value with every string masked (object keys stay as they are). Only plain
 * objects and arrays are walked; other objects (requests, buffers, dates) are left as they are.
 */
export function redactPii<T>(value: T): T {
  if (typeof value === 'string') return maskPiiText(value) as T;
  if (value instanceof Error) {
    // Logged errors keep their identity (pino serialises them), masked in place.
    value.message = maskPiiText(value.message);
    if (value.stack) value.stack = maskPiiText(value.stack);
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => redactPii(item)) as T;
  if (value !== null && typeof value === 'object' && isPlain(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactPii(item)])) as T;
  }
  return value;
}
