import { DEFAULT_LANGUAGE, label, translate, type I18nKey, type Language } from '../../common/i18n/i18n.js';
import { formatMoney, isMoneyString, money } from '../../common/money.js';

/** The words a bank's result file says a line was paid or refused with (the format's `statusWords`). */
export interface StatusWords {
  success: string[];
  failure: string[];
}

/** The words of the CSV result file of SPEC.md. */
export const CSV_STATUS_WORDS: StatusWords = { success: ['SUCCESS'], failure: ['FAILED'] };

export interface ResultRecord {
  /** Line of the file (the header is line 1). */
  fileLine: number;
  line_no: string;
  account_no: string;
  amount: string;
  status: string;
  bank_ref: string;
  reason: string;
}

export interface PayableLine {
  id: string;
  lineNo: number;
  accountNo: string;
  amount: string;
  status: 'PENDING' | 'PAID' | 'FAILED';
  bankRef: string | null;
  reason: string | null;
}

export interface ResultProblem {
  line: number;
  lineNo?: string;
  message: string;
}

export interface LineOutcome {
  line: PayableLine;
  status: 'PAID' | 'FAILED';
  bankRef: string | null;
  reason: string | null;
}

export interface ResultCheck {
  problems: ResultProblem[];
  /** Lines whose result is new (already-settled lines repeating their result are left out). */
  outcomes: LineOutcome[];
}

/**
 * Checks a whole result file against the batch before anything is written: an unknown line, a
 * repeated line, a disagreeing account or amount, a bad status, or a result that contradicts one
 * already imported is a problem; any problem refuses the whole file. Re-importing the same file
 * yields no outcomes (it changes nothing). Problems are worded in `lang`.
 */
export function checkResults(
  records: ResultRecord[],
  lines: ReadonlyMap<number, PayableLine>,
  words: StatusWords = CSV_STATUS_WORDS,
  lang: Language = DEFAULT_LANGUAGE,
): ResultCheck {
  const success = new Set(words.success.map((word) => word.trim().toUpperCase()));
  const failure = new Set(words.failure.map((word) => word.trim().toUpperCase()));
  const problems: ResultProblem[] = [];
  const outcomes: LineOutcome[] = [];
  const seen = new Map<number, number>();
  for (const record of records) {
    const problem = (key: I18nKey, params: Record<string, unknown> = {}) =>
      problems.push({
        line: record.fileLine,
        lineNo: record.line_no,
        message: translate(key, { lineNo: record.line_no, ...params }, lang),
      });
    if (!/^\d{1,9}$/.test(record.line_no)) {
      problem('bankResults.lineNoInvalid', { value: record.line_no });
      continue;
    }
    const lineNo = Number(record.line_no);
    const line = lines.get(lineNo);
    if (!line) {
      problem('bankResults.notInBatch', { lineNo });
      continue;
    }
    const first = seen.get(lineNo);
    if (first !== undefined) {
      problem('bankResults.repeated', { lineNo, first });
      continue;
    }
    seen.set(lineNo, record.fileLine);
    if (record.account_no !== line.accountNo)
      problem('bankResults.accountDiffers', { lineNo, accountNo: record.account_no });
    if (!isMoneyString(record.amount)) {
      problem('bankResults.amountInvalid', { lineNo, amount: record.amount });
    } else if (!money(record.amount).equals(money(line.amount))) {
      problem('bankResults.amountDiffers', { lineNo, amount: record.amount, expected: formatMoney(line.amount) });
    }
    const word = record.status.trim().toUpperCase();
    const status = success.has(word) ? 'PAID' : failure.has(word) ? 'FAILED' : undefined;
    if (!status) {
      problem('bankResults.statusUnknown', {
        lineNo,
        status: record.status,
        success: words.success.join('/'),
        failure: words.failure.join('/'),
      });
      continue;
    }
    if (status === 'PAID' && !record.bank_ref) problem('bankResults.bankRefMissing', { lineNo });
    if (status === 'FAILED' && !record.reason) problem('bankResults.reasonMissing', { lineNo });
    const outcome: LineOutcome = {
      line,
      status,
      bankRef: record.bank_ref || null,
      reason: status === 'FAILED' ? record.reason : null,
    };
    if (line.status !== 'PENDING') {
      const same = line.status === outcome.status && (line.bankRef ?? null) === outcome.bankRef;
      const settled = lang === 'en' ? line.status : label('lineStatus', line.status, lang);
      if (!same) problem('bankResults.alreadySettled', { lineNo, status: settled });
      continue;
    }
    outcomes.push(outcome);
  }
  return { problems, outcomes };
}

/** What a result file's summary record states (the cells its format gives it). */
export interface StatedSummary {
  fileLine: number;
  values: { batch_no?: string; count?: string; total?: string };
}

/**
 * Checks a result file's summary record against the records that follow it and the batch: the
 * batch number (when the format writes one), the record count and the total amount must all agree,
 * or the summary's line is a problem and the file is refused whole.
 */
export function checkSummary(
  summary: StatedSummary,
  records: ResultRecord[],
  batchNo: string,
  lang: Language = DEFAULT_LANGUAGE,
): ResultProblem[] {
  const problems: ResultProblem[] = [];
  const problem = (key: I18nKey, params: Record<string, unknown>) =>
    problems.push({ line: summary.fileLine, message: translate(key, params, lang) });
  const { batch_no: statedBatch, count, total } = summary.values;
  if (statedBatch !== undefined && statedBatch !== batchNo) {
    problem('bankResults.summaryBatch', { stated: statedBatch, batchNo });
  }
  const amounts = records.filter((r) => isMoneyString(r.amount)).map((r) => money(r.amount));
  const sum = formatMoney(amounts.reduce((a, b) => a.plus(b), money(0)));
  if (count !== undefined && (!/^\d{1,9}$/.test(count) || Number(count) !== records.length)) {
    problem('bankResults.summaryCount', { count, records: records.length });
  }
  if (total !== undefined && (!isMoneyString(total) || !money(total).equals(money(sum)))) {
    problem('bankResults.summaryTotal', { total, sum });
  }
  return problems;
}
