import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ValidationFailedError } from './errors.js';
import { callerText } from './request-context.js';
import { isUuid } from './uuid.js';

export const MAX_PAGE_SIZE = 500;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** One element of a cursor's key: a type guard that knows what the server could have put there. */
export type CursorPart<T> = (value: unknown) => value is T;

/** Longest text key a cursor carries (usernames, codes, household numbers are far shorter). */
const MAX_TEXT_KEY = 1000;
const MAX_INT2 = 32_767;
const MAX_INT4 = 2_147_483_647;

/**
 * The kinds of key the server writes into cursors, each bounded to what its column can take, so a
 * forged cursor (valid base64url JSON of the wrong shape) is a 400 and never reaches SQL.
 */
export const cursorPart = {
  uuid: isUuid as CursorPart<string>,
  text: ((value) =>
    typeof value === 'string' && value.length <= MAX_TEXT_KEY && !value.includes('\u0000')) as CursorPart<string>,
  /** A `smallint` column (fiscal years). */
  int2: ((value) =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT2) as CursorPart<number>,
  /** An `integer` column (line numbers, level orders). */
  int4: ((value) =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT4) as CursorPart<number>,
  /** A `timestamptz`, carried as an ISO 8601 string (`Date.toISOString()`). */
  isoTime: ((value) =>
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))) as CursorPart<string>,
  /** A `bigint` id, carried as a decimal string. */
  int8Text: ((value) => typeof value === 'string' && /^\d{1,18}$/.test(value)) as CursorPart<string>,
};

type KeyOf<S extends readonly CursorPart<unknown>[]> = {
  -readonly [K in keyof S]: S[K] extends CursorPart<infer T> ? T : never;
};

/**
 * The sort key a cursor carries, checked element by element against `shape`; undefined without a
 * cursor. Anything this server could not have issued is refused (400 VALIDATION_FAILED).
 */
export function decodeCursor<const S extends readonly CursorPart<unknown>[]>(
  cursor: string | undefined,
  shape: S,
): KeyOf<S> | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === shape.length && shape.every((accepts, index) => accepts(key[index]))) {
    return key as KeyOf<S>;
  }
  throw new ValidationFailedError([{ field: 'cursor', message: callerText('messages.cursor') }]);
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => unknown[], map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(key(pageRows[pageRows.length - 1])) : null,
  };
}
