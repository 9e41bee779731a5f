import { ForbiddenError } from './errors.js';

/** Zhengzhou (GB/T 2260): the city this deployment serves, the top of its region tree. */
export const CITY_CODE = '410100';

/**
 * The prefix that every region code inside `code` starts with. GB/T 2260 pads the higher levels
 * with zeros: the province 410000 holds 41xxxx, the city 410100 holds 4101xx, a county 410122 and
 * its 410122xxx townships hold themselves and what follows.
 */
export function regionPrefix(code: string): string {
  if (code.length === 6) {
    if (code.endsWith('0000')) return code.slice(0, 2);
    if (code.endsWith('00')) return code.slice(0, 4);
  }
  return code;
}

/** Whether `code` lies within the region `scopeCode` (inclusive). */
export function regionCovers(scopeCode: string, code: string): boolean {
  return code === scopeCode || code.startsWith(regionPrefix(scopeCode));
}

/**
 * A user's region scope. Every query that reads or writes registry, enrollment, batch or ledger data
 * goes through it: `where` gives a SQL condition with a bound parameter, `assert` refuses one record.
 */
export class RegionScope {
  readonly prefix: string;

  constructor(readonly regionCode: string) {
    this.prefix = regionPrefix(regionCode);
  }

  covers(code: string): boolean {
    return regionCovers(this.regionCode, code);
  }

  /** Throws 403 when `code` is outside the scope. */
  assert(code: string, what = 'record'): void {
    if (!this.covers(code)) {
      throw new ForbiddenError('OUT_OF_SCOPE', `This ${what} is outside your region ${this.regionCode}`);
    }
  }

  /**
   * A SQL condition restricting `column` to the scope. `params` is the query's parameter list; the
   * prefix is appended to it and referenced by position.
   */
  where(column: string, params: unknown[]): string {
    params.push(`${this.prefix}%`);
    return `${column} LIKE $${params.length}`;
  }
}
