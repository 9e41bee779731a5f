import { CsvError } from 'csv-parse';
import { DEFAULT_LANGUAGE, translate, type I18nKey, type Language } from './i18n/i18n.js';

/** A line of an uploaded CSV and what is wrong with it. */
export interface CsvLineProblem {
  line: number;
  reason: string;
  message: string;
}

/** csv-parse's error codes a clerk is told in words of their own; others keep the parser's text. */
const REASONS: Record<string, I18nKey> = {
  CSV_QUOTE_NOT_CLOSED: 'csv.quoteNotClosed',
  CSV_INVALID_CLOSING_QUOTE: 'csv.invalidClosingQuote',
};

/**
 * What csv-parse could not read (an unclosed quote, a stray quote, a row of the wrong width), as a
 * problem in `lang` naming the file line the parser stopped on; undefined for an error that is not
 * the file's. `reason` is what went wrong, without the line (for callers that word it themselves).
 */
export function csvReadProblem(error: unknown, lang: Language = DEFAULT_LANGUAGE): CsvLineProblem | undefined {
  if (!(error instanceof CsvError)) return undefined;
  const line = (error as CsvError & { lines?: number }).lines ?? 1;
  const reason = translate(REASONS[error.code] ?? 'csv.other', { reason: error.message }, lang);
  return { line, reason, message: translate('import.unreadableCsv', { reason }, lang) };
}

/** The index of the first cell holding a NUL character (PostgreSQL text cannot store one), or -1. */
export function nulCellIndex(cells: readonly string[]): number {
  return cells.findIndex((cell) => cell.includes('\u0000'));
}
