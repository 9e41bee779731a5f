/**
 * Shapes of the finance routes the OpenAPI document types only loosely, and the upload of a file.
 */
import { request } from '../../api/client';
import type { Schemas } from '../../api/types';

export type BudgetLine = Schemas['BudgetLineDto'];

/** src/modules/disbursements/budget-impact.ts BudgetImpactDto. */
export interface BudgetImpact {
  batchId: string;
  status: string;
  fiscalYear: number;
  policyCode: string;
  countyCode: string;
  total: string;
  sufficient: boolean;
  levels: {
    fundingLevel: string;
    amount: string;
    toCommit: string;
    budgetLineExists: boolean;
    appropriated: string;
    availableBefore: string;
    availableAfter: string;
    shortfall: string;
  }[];
}

/** bank-files.service.ts SettlementView (its batch left out). */
export interface Settlement {
  paid: number;
  failed: number;
  unchanged: number;
}

/** A result file refused whole: every problem with the file line and the batch line it names. */
export interface BankFileProblem {
  line: number;
  lineNo?: string;
  message: string;
}

/** The JSON form of GET /reports/:name (report-writers.ts). */
export interface Report {
  report: string;
  parameters: Record<string, unknown>;
  columns: { key: string; header: string; kind: 'text' | 'int' | 'money' | 'rate'; total?: boolean }[];
  items: Record<string, string | number | null>[];
  totals: Record<string, string | number | null>;
}

/** A fresh key for one money-moving request: a retry of the same request sends it again. */
export const idempotencyKey = () => `console-${crypto.randomUUID()}`;

/** POSTs a file as multipart `file` (the bank's result file). */
export function upload<T>(path: string, file: File): Promise<T> {
  const body = new FormData();
  body.append('file', file);
  return request<T>('POST', path, body);
}

/** The fiscal year now in China (the calendar year). */
export const thisYear = () =>
  Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));

/** The failed payments of a year and where each stands (the failed-payments report, as JSON). */
export function failedPayments(fiscalYear: number) {
  return request<Report>('GET', `/reports/failed-payments?fiscalYear=${fiscalYear}&format=json`);
}

/** A failed line waits for its reissue until a later batch of the same policy pays its months again. */
export const awaitingReissue = (row: Report['items'][number]) =>
  !row.reissuedBatchNo || row.reissuedStatus === 'FAILED' || row.reissuedStatus === 'CANCELLED';

/**
 * A line's periods in few words: consecutive months as a range ("2026-01 至 2026-11，共 11 期"),
 * anything else listed.
 */
export function periodsText(periods: string[]): string {
  if (periods.length <= 2) return periods.join('、');
  const index = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7));
  const monthly = periods.every((p) => /^\d{4}-\d{2}$/.test(p));
  const consecutive = monthly && periods.every((p, i) => i === 0 || index(p) === index(periods[i - 1]) + 1);
  return consecutive ? `${periods[0]} 至 ${periods[periods.length - 1]}，共 ${periods.length} 期` : periods.join('、');
}
