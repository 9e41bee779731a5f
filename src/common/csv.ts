import { CsvError } from 'csv-parse';

/** A line of an uploaded CSV and what is wrong with it. */
export interface CsvLineProblem {
  line: number;
  message: string;
}

/**
 * What csv-parse could not read (an unclosed quote, a stray quote, a row of the wrong width), as a
 * problem naming the file line the parser stopped on; undefined for an error that is not the file's.
 */
export function csvReadProblem(error: unknown): CsvLineProblem | undefined {
  if (!(error instanceof CsvError)) return undefined;
  const line = (error as CsvError & { lines?: number }).lines ?? 1;
  return { line, message: `the file cannot be read as CSV here: ${error.message}` };
}

/** The index of the first cell holding a NUL character (PostgreSQL text cannot store one), or -1. */
export function nulCellIndex(cells: readonly string[]): number {
  return cells.findIndex((cell) => cell.includes('\u0000'));
}
