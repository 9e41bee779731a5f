import { formatMoney } from '../../common/money.js';
import type { ReportColumn, ReportRow } from './report-format.js';
import type { ReportFilter } from './reports.repository.js';

/** Age buckets of an open claim, in days since it was opened. */
export const CLAIM_AGE_BUCKETS = ['0-30', '31-90', '91-180', '181-365', '365+'] as const;

const AGE_SQL = `CASE WHEN c.opened_at > now() - interval '31 days' THEN '0-30'
                      WHEN c.opened_at > now() - interval '91 days' THEN '31-90'
                      WHEN c.opened_at > now() - interval '181 days' THEN '91-180'
                      WHEN c.opened_at > now() - interval '366 days' THEN '181-365'
                      ELSE '365+' END`;

/**
 * Open overpayment claims (OPEN, RECOVERING, WRITE_OFF_PROPOSED) by county, policy and age: how
 * many, how much was overpaid, recovered, reserved by offsets on batches not yet approved, and is
 * outstanding. `fiscalYear` keeps the claims with an overpaid period paid in that year.
 */
export const overpaymentClaimsReport = {
  title: 'Open overpayment claims by county, policy and age',
  columns: [
    { key: 'countyCode', header: 'countyCode', kind: 'text' },
    { key: 'policyCode', header: 'policyCode', kind: 'text' },
    { key: 'ageDays', header: 'ageDays', kind: 'text' },
    { key: 'claims', header: 'claims', kind: 'int', total: true },
    { key: 'amount', header: 'amount', kind: 'money', total: true },
    { key: 'recovered', header: 'recovered', kind: 'money', total: true },
    { key: 'reserved', header: 'reserved', kind: 'money', total: true },
    { key: 'outstanding', header: 'outstanding', kind: 'money', total: true },
  ] satisfies ReportColumn[],
  sql: (filter: ReportFilter) => {
    const params: unknown[] = [filter.fiscalYear, `${filter.scopePrefix}%`];
    const conditions = [
      `c.status IN ('OPEN', 'RECOVERING', 'WRITE_OFF_PROPOSED')`,
      `c.region_code LIKE $2`,
      `EXISTS (SELECT 1 FROM overpayment_claim_lines cl
                WHERE cl.claim_id = c.id AND cl.fiscal_year = $1 AND cl.withdrawn_at IS NULL)`,
    ];
    if (filter.countyCode !== undefined) {
      params.push(filter.countyCode);
      conditions.push(`c.county_code = $${params.length}`);
    }
    if (filter.policyCode !== undefined) {
      params.push(filter.policyCode);
      conditions.push(`c.policy_code = $${params.length}`);
    }
    return {
      text: `SELECT c.county_code, c.policy_code, ${AGE_SQL} AS age_days, count(*)::int AS claims,
                    sum(c.amount) AS amount, sum(c.recovered) AS recovered, sum(c.reserved) AS reserved,
                    sum(c.amount - c.recovered - c.written_off) AS outstanding
               FROM overpayment_claims c
              WHERE ${conditions.join(' AND ')}
              GROUP BY 1, 2, 3
              ORDER BY 1, 2, array_position(ARRAY['${CLAIM_AGE_BUCKETS.join("','")}'], ${AGE_SQL})`,
      params,
    };
  },
  map: (row: Record<string, unknown>): ReportRow => ({
    countyCode: String(row.county_code),
    policyCode: String(row.policy_code),
    ageDays: String(row.age_days),
    claims: Number(row.claims),
    amount: formatMoney(String(row.amount)),
    recovered: formatMoney(String(row.recovered)),
    reserved: formatMoney(String(row.reserved)),
    outstanding: formatMoney(String(row.outstanding)),
  }),
};
