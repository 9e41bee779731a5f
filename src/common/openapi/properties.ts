import type { Type } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** Money in JSON: a decimal string with two places ("960.00"), never a number. */
export const MONEY_PATTERN = '^-?\\d+\\.\\d{2}$';
/** A calendar date, `YYYY-MM-DD`. */
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** A payment period: `YYYY` or `YYYY-MM`. */
export const PERIOD_PATTERN = '^\\d{4}(-\\d{2})?$';

type Extra = Omit<ApiPropertyOptions, 'type' | 'pattern' | 'nullable' | 'required'>;
const optional = (options: { nullable?: boolean }) =>
  options.nullable ? ({ type: String, nullable: true } as const) : ({ type: String } as const);

/** A money field: a decimal string with two places. */
export const ApiMoney = (options: Extra & { nullable?: boolean } = {}) =>
  ApiProperty({ example: '960.00', ...options, ...optional(options), pattern: MONEY_PATTERN });

/** A `YYYY-MM-DD` date field. */
export const ApiDate = (options: Extra & { nullable?: boolean } = {}) =>
  ApiProperty({ example: '2012-03-10', format: 'date', ...options, ...optional(options), pattern: DATE_PATTERN });

/** An ISO 8601 timestamp field (`2026-11-29T12:00:00.000Z`). */
export const ApiTimestamp = (options: Extra & { nullable?: boolean } = {}) =>
  ApiProperty({ format: 'date-time', ...options, ...optional(options) });

/** A text field that may be null. */
export const ApiNullableString = (options: Extra = {}) => ApiProperty({ ...options, type: String, nullable: true });

const pages = new Map<Type<unknown>, Type<unknown>>();

/**
 * The schema of a list page `{items, nextCursor}` of `item`, named `<Item>Page` in the document
 * (one class per item type, so that the name is declared once).
 */
export function PageOf<T>(item: Type<T>): Type<{ items: T[]; nextCursor: string | null }> {
  const known = pages.get(item);
  if (known) return known as Type<{ items: T[]; nextCursor: string | null }>;
  class Page {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
    nextCursor!: string | null;
  }
  Object.defineProperty(Page, 'name', { value: `${item.name}Page` });
  pages.set(item, Page);
  return Page;
}
