import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DomainError } from '../errors.js';

/** Deepest JSON nesting a body may have (the deepest legitimate body, a policy rule tree, is far below). */
export const MAX_JSON_DEPTH = 64;
/** Largest JSON body; CSV bodies have their own, larger limit. */
export const MAX_JSON_BODY = '5mb';

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in a JSON text, read byte by byte without parsing (so a
 * body nested 100,000 levels costs one pass and no stack). Brackets inside strings do not count.
 * Stops counting once `limit` is passed: the answer is then `limit + 1`.
 */
export function jsonDepth(body: Uint8Array, limit = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/** 400: a JSON body nested deeper than MAX_JSON_DEPTH, refused before it is parsed. */
export class BodyTooDeepError extends DomainError {
  constructor() {
    super(HttpStatus.BAD_REQUEST, 'BODY_TOO_DEEP', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, {
      maxDepth: MAX_JSON_DEPTH,
    });
  }
}

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse, so nothing downstream (the
 * parser, class-transformer, the validation walk, the audit writer) ever sees a body it could not
 * walk. body-parser keeps the error's own status; the problem filter answers its code.
 */
export function refuseDeepJson(_request: IncomingMessage, _response: unknown, body: Buffer): void {
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new BodyTooDeepError();
}

/** Content types of a file sent as the whole body (kept as bytes: see configureApp). */
export const FILE_BODY_TYPES = [
  'text/csv',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
