import { formatMoney, isMoneyString, money } from '../../common/money.js';

/** The bank's result file (SPEC.md): `line_no,account_no,amount,status,bank_ref,reason`. */
export const RESULT_COLUMNS = ['line_no', 'account_no', 'amount', 'status', 'bank_ref', 'reason'] as const;

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
 * yields no outcomes (it changes nothing).
 */
export function checkResults(records: ResultRecord[], lines: ReadonlyMap<number, PayableLine>): ResultCheck {
  const problems: ResultProblem[] = [];
  const outcomes: LineOutcome[] = [];
  const seen = new Map<number, number>();
  for (const record of records) {
    const problem = (message: string) => problems.push({ line: record.fileLine, lineNo: record.line_no, message });
    if (!/^\d{1,9}$/.test(record.line_no)) {
      problem(`line_no "${record.line_no}" is not a line number`);
      continue;
    }
    const lineNo = Number(record.line_no);
    const line = lines.get(lineNo);
    if (!line) {
      problem(`line ${lineNo} is not in this batch`);
      continue;
    }
    const first = seen.get(lineNo);
    if (first !== undefined) {
      problem(`line ${lineNo} is repeated (first on file line ${first})`);
      continue;
    }
    seen.set(lineNo, record.fileLine);
    if (record.account_no !== line.accountNo)
      problem(`line ${lineNo}: account ${record.account_no} is not the account paid`);
    if (!isMoneyString(record.amount)) {
      problem(`line ${lineNo}: amount "${record.amount}" is not a yuan amount`);
    } else if (!money(record.amount).equals(money(line.amount))) {
      problem(`line ${lineNo}: amount ${record.amount} differs from ${formatMoney(line.amount)}`);
    }
    const status = record.status.toUpperCase();
    if (status !== 'SUCCESS' && status !== 'FAILED') {
      problem(`line ${lineNo}: status "${record.status}" is neither SUCCESS nor FAILED`);
      continue;
    }
    if (status === 'SUCCESS' && !record.bank_ref) problem(`line ${lineNo}: a successful payment needs its bank_ref`);
    if (status === 'FAILED' && !record.reason) problem(`line ${lineNo}: a failed payment needs its reason`);
    const outcome: LineOutcome = {
      line,
      status: status === 'SUCCESS' ? 'PAID' : 'FAILED',
      bankRef: record.bank_ref || null,
      reason: status === 'FAILED' ? record.reason : null,
    };
    if (line.status !== 'PENDING') {
      const same = line.status === outcome.status && (line.bankRef ?? null) === outcome.bankRef;
      if (!same) problem(`line ${lineNo} was already settled as ${line.status}; results cannot be changed`);
      continue;
    }
    outcomes.push(outcome);
  }
  return { problems, outcomes };
}
