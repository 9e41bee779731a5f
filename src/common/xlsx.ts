import type ExcelJS from 'exceljs';

/**
 * Reading the cells of an uploaded XLSX as the text a CSV would hold, shared by the imports that
 * take spreadsheets (registry, rolls). Pure: the callers choose the reader (streaming or whole).
 */

/** An Excel day number (days since 1899-12-30) as YYYY-MM-DD, for a whole number of days. */
export function excelDay(serial: number): string | undefined {
  if (!Number.isInteger(serial) || serial < 1 || serial > 2958465) return undefined;
  return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
}

/** A cell as text (dates as YYYY-MM-DD, formulas by their value, errors empty). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

/**
 * A row's cells as trimmed text. `values` is exceljs' `row.values` (sparse, 1-based); a day number
 * typed into a date column (one of `dateColumns`, 0-based) not formatted as a date becomes its date.
 */
export function rowCells(values: ExcelJS.CellValue[], dateColumns: ReadonlySet<number>): string[] {
  return Array.from({ length: Math.max(values.length - 1, 0) }, (_, index) => {
    const value = values[index + 1];
    if (typeof value === 'number' && dateColumns.has(index)) return excelDay(value) ?? String(value);
    return cellText(value).trim();
  });
}

/** The indexes of the header cells that name a date column. */
export function dateColumnsOf(header: readonly string[], isDateColumn: (header: string) => boolean): Set<number> {
  return new Set(header.flatMap((name, index) => (isDateColumn(name) ? [index] : [])));
}
