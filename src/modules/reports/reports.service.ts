import { Injectable } from '@nestjs/common';
import { formatMoney } from '../../common/money.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { executionRate, type ReportColumn, type ReportRow, type ReportTotals } from './report-format.js';
import type { ReportStream } from './report-writers.js';
import { overpaymentClaimsReport } from './overpayment-claims.report.js';
import { ReportsRepository, type ReportFilter } from './reports.repository.js';

export const REPORT_NAMES = [
  'budget-execution',
  'beneficiaries',
  'failed-payments',
  'arrears',
  'overpayments',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

type Row = Record<string, unknown>;

const text = (key: string, header = key): ReportColumn => ({ key, header, kind: 'text' });
const int = (key: string, header = key, total = false): ReportColumn => ({ key, header, kind: 'int', total });
const amount = (key: string, header = key): ReportColumn => ({ key, header, kind: 'money', total: true });
const str = (value: unknown) => (value === null || value === undefined ? null : String(value));
const yuan = (value: unknown) => (value === null || value === undefined ? null : formatMoney(String(value)));
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : str(value));

/** The columns that identify a payment line, shared by the line-level reports. */
const LINE_COLUMNS: ReportColumn[] = [
  int('fiscalYear'),
  text('batchNo'),
  text('policyCode'),
  text('period'),
  text('countyCode'),
  int('lineNo'),
  text('lineId'),
  text('regionCode'),
  text('householdNo'),
  text('personId'),
];

const lineFields = (row: Row): ReportRow => ({
  fiscalYear: Number(row.fiscal_year),
  batchNo: str(row.batch_no),
  policyCode: str(row.policy_code),
  period: str(row.period),
  countyCode: str(row.county_code),
  lineNo: Number(row.line_no),
  lineId: str(row.line_id),
  regionCode: str(row.region_code),
  householdNo: str(row.household_no),
  personId: str(row.person_id),
});

interface Definition {
  title: string;
  columns: ReportColumn[];
  sql: (repository: ReportsRepository, filter: ReportFilter) => { text: string; params: unknown[] };
  map: (row: Row) => ReportRow;
  finishTotals?: (totals: ReportTotals) => ReportTotals;
}

const DEFINITIONS: Record<ReportName, Definition> = {
  'budget-execution': {
    title: 'Budget execution by policy, funding level and county',
    columns: [
      int('fiscalYear'),
      text('policyCode'),
      text('fundingLevel'),
      text('countyCode'),
      text('countyName'),
      amount('appropriated'),
      amount('committed'),
      amount('spent'),
      amount('available'),
      amount('receivable'),
      { key: 'executionRate', header: 'executionRate', kind: 'rate' },
    ],
    sql: (r, f) => r.budgetExecution(f),
    map: (row) => ({
      fiscalYear: Number(row.fiscal_year),
      policyCode: str(row.policy_code),
      fundingLevel: str(row.funding_level),
      countyCode: str(row.county_code),
      countyName: str(row.county_name),
      appropriated: yuan(row.appropriated),
      committed: yuan(row.committed),
      spent: yuan(row.spent),
      available: yuan(row.available),
      receivable: yuan(row.receivable),
      executionRate: executionRate(String(row.spent), String(row.appropriated)),
    }),
    finishTotals: (totals) => ({
      ...totals,
      executionRate: executionRate(String(totals.spent), String(totals.appropriated)),
    }),
  },
  beneficiaries: {
    title: 'Beneficiaries paid by policy and township',
    columns: [
      int('fiscalYear'),
      text('policyCode'),
      text('townshipCode'),
      text('townshipName'),
      int('beneficiaries', 'beneficiaries', true),
      int('households', 'households', true),
      int('lines', 'lines', true),
      amount('amount'),
    ],
    sql: (r, f) => r.beneficiaries(f),
    map: (row) => ({
      fiscalYear: Number(row.fiscal_year),
      policyCode: str(row.policy_code),
      townshipCode: str(row.township_code),
      townshipName: str(row.township_name),
      beneficiaries: Number(row.beneficiaries),
      households: Number(row.households),
      lines: Number(row.lines),
      amount: yuan(row.amount),
    }),
  },
  'failed-payments': {
    title: 'Failed and returned payments',
    columns: [
      ...LINE_COLUMNS,
      text('accountName'),
      text('periods'),
      amount('amount'),
      text('reason'),
      text('settledAt'),
      text('reissuedBatchNo'),
      text('reissuedStatus'),
    ],
    sql: (r, f) => r.failedPayments(f),
    map: (row) => ({
      ...lineFields(row),
      accountName: str(row.account_name),
      periods: Array.isArray(row.periods) ? row.periods.join(' ') : str(row.periods),
      amount: yuan(row.amount),
      reason: str(row.reason),
      settledAt: iso(row.settled_at),
      reissuedBatchNo: str(row.reissued_batch_no),
      reissuedStatus: str(row.reissued_status),
    }),
  },
  arrears: {
    title: 'Arrears paid (units before the batch period)',
    columns: [
      ...LINE_COLUMNS,
      text('arrearsPeriods'),
      int('arrearsUnits', 'arrearsUnits', true),
      amount('arrearsAmount'),
      amount('lineAmount'),
      text('bankRef'),
    ],
    sql: (r, f) => r.arrears(f),
    map: (row) => ({
      ...lineFields(row),
      arrearsPeriods: str(row.arrears_periods),
      arrearsUnits: Number(row.arrears_units),
      arrearsAmount: yuan(row.arrears_amount),
      lineAmount: yuan(row.line_amount),
      bankRef: str(row.bank_ref),
    }),
  },
  overpayments: { ...overpaymentClaimsReport, sql: (_r, f) => overpaymentClaimsReport.sql(f) },
};

/** The reports, each a SQL aggregation streamed through one writer per format. */
@Injectable()
export class ReportsService {
  constructor(private readonly repository: ReportsRepository) {}

  /** Checks scope (403 before anything is written) and returns the report as a stream of rows. */
  open(
    actor: Actor,
    name: ReportName,
    query: { fiscalYear: number; countyCode?: string; policyCode?: string },
  ): ReportStream {
    const scope = new RegionScope(actor.regionCode);
    if (query.countyCode !== undefined) scope.assert(query.countyCode, 'county');
    const definition = DEFINITIONS[name];
    const filter: ReportFilter = {
      fiscalYear: query.fiscalYear,
      scopePrefix: scope.prefix,
      countyCode: query.countyCode,
      policyCode: query.policyCode,
    };
    const repository = this.repository;
    async function* rows(): AsyncGenerator<ReportRow[]> {
      for await (const page of repository.stream<Row>(definition.sql(repository, filter))) {
        yield page.map(definition.map);
      }
    }
    return {
      name,
      title: definition.title,
      parameters: {
        fiscalYear: query.fiscalYear,
        countyCode: query.countyCode ?? null,
        policyCode: query.policyCode ?? null,
        regionScope: actor.regionCode,
      },
      columns: definition.columns,
      rows: rows(),
      finishTotals: definition.finishTotals,
    };
  }
}
