import { Decimal } from 'decimal.js';
import { formatMoney, money } from '../../common/money.js';

/** How a column is written: text, a whole number, money (two places) or a rate (four places). */
export type ColumnKind = 'text' | 'int' | 'money' | 'rate';

export interface ReportColumn {
  key: string;
  header: string;
  kind: ColumnKind;
  /** Summed into the totals (money and int columns). */
  total?: boolean;
}

/** A report row as written: money and rates as decimal strings, counts as numbers. */
export type ReportRow = Record<string, string | number | null>;

export interface ReportTotals {
  rows: number;
  [key: string]: string | number | null;
}

/** spent / appropriated as a decimal string with four places (half up), null when nothing is appropriated. */
export function executionRate(spent: Decimal.Value, appropriated: Decimal.Value): string | null {
  const base = money(appropriated);
  if (base.isZero()) return null;
  const units = money(spent).dividedBy(base).times(10_000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const digits = units.abs().toString().padStart(5, '0');
  return `${units.isNegative() ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** Sums the totalled columns of rows as they stream past, exactly. */
export class TotalsAccumulator {
  private rows = 0;
  private readonly sums = new Map<string, Decimal>();

  constructor(private readonly columns: ReportColumn[]) {
    for (const column of columns) if (column.total) this.sums.set(column.key, money(0));
  }

  add(row: ReportRow): void {
    this.rows++;
    for (const [key, sum] of this.sums) {
      const value = row[key];
      if (value !== null && value !== undefined) this.sums.set(key, sum.plus(String(value)));
    }
  }

  result(): ReportTotals {
    const totals: ReportTotals = { rows: this.rows };
    for (const column of this.columns) {
      const sum = this.sums.get(column.key);
      if (!sum) continue;
      totals[column.key] = column.kind === 'money' ? formatMoney(sum) : sum.toNumber();
    }
    return totals;
  }
}
