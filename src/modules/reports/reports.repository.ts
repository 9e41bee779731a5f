import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BUDGET_SUMS_SQL, LEVEL_ORDER_SQL } from '../audit/trace.repository.js';

const FETCH_ROWS = 2000;

export interface ReportFilter {
  fiscalYear: number;
  /** Region prefix of the caller's scope (`4101`, `410122`). */
  scopePrefix: string;
  countyCode?: string;
  policyCode?: string;
}

/** A query with its bound parameters. */
interface Sql {
  text: string;
  params: unknown[];
}

function where(
  filter: ReportFilter,
  columns: { county: string; policy: string; year: string },
  extra: string[] = [],
): Sql {
  const params: unknown[] = [filter.fiscalYear, `${filter.scopePrefix}%`];
  const conditions = [`${columns.year} = $1`, `${columns.county} LIKE $2`, ...extra];
  if (filter.countyCode !== undefined) {
    params.push(filter.countyCode);
    conditions.push(`${columns.county} = $${params.length}`);
  }
  if (filter.policyCode !== undefined) {
    params.push(filter.policyCode);
    conditions.push(`${columns.policy} = $${params.length}`);
  }
  return { text: conditions.join(' AND '), params };
}

/**
 * The reports' SQL: every report is aggregated by PostgreSQL (GROUP BY) and read through a server
 * side cursor, a page at a time, in one read-only REPEATABLE READ snapshot (so its rows and totals
 * agree with each other), never as one result set in memory.
 */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async *stream<T>(sql: Sql): AsyncGenerator<T[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      await runner.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${sql.text}`, sql.params);
      for (;;) {
        const rows = (await runner.query(`FETCH ${FETCH_ROWS} FROM report_rows`)) as T[];
        if (rows.length === 0) break;
        yield rows;
      }
      await runner.query('COMMIT');
      open = false;
    } finally {
      if (open) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /** Appropriated, committed, spent, available per policy, funding level and county (ledger balances). */
  budgetExecution(filter: ReportFilter): Sql {
    const w = where(filter, { county: 'county_code', policy: 'policy_code', year: 'fiscal_year' }, [
      `code IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE')`,
    ]);
    return {
      text: `SELECT s.*, r.name AS county_name
               FROM (SELECT fiscal_year, policy_code, funding_level, county_code, ${BUDGET_SUMS_SQL}
                       FROM ledger_accounts
                      WHERE ${w.text}
                      GROUP BY fiscal_year, policy_code, funding_level, county_code) s
               LEFT JOIN regions r ON r.code = s.county_code
              ORDER BY s.policy_code, ${LEVEL_ORDER_SQL('s.funding_level')}, s.county_code`,
      params: w.params,
    };
  }

  /** Beneficiaries paid (PAID lines) by policy and township (the first 9 digits of their region). */
  beneficiaries(filter: ReportFilter): Sql {
    const w = where(filter, { county: 'b.county_code', policy: 'b.policy_code', year: 'b.fiscal_year' });
    return {
      text: `SELECT b.fiscal_year, b.policy_code, left(l.region_code, 9) AS township_code, t.name AS township_name,
                    count(DISTINCT l.beneficiary_key)::int AS beneficiaries,
                    count(DISTINCT l.household_id)::int AS households,
                    count(*)::int AS lines, sum(l.amount) AS amount
               FROM disbursement_batches b
               JOIN disbursement_lines l ON l.batch_id = b.id AND l.status = 'PAID'
               LEFT JOIN regions t ON t.code = left(l.region_code, 9)
              WHERE ${w.text}
              GROUP BY b.fiscal_year, b.policy_code, left(l.region_code, 9), t.name
              ORDER BY b.policy_code, left(l.region_code, 9)`,
      params: w.params,
    };
  }

  /**
   * Failed (returned) payments, each with the later batch that paid the same beneficiary and unit
   * again, if any (its live claim in payment_coverage).
   */
  failedPayments(filter: ReportFilter): Sql {
    const w = where(filter, { county: 'b.county_code', policy: 'b.policy_code', year: 'b.fiscal_year' });
    return {
      text: `SELECT b.fiscal_year, b.batch_no, b.policy_code, b.period, b.county_code, l.line_no, l.id AS line_id,
                    l.region_code, h.household_no, l.person_id, l.account_name, l.periods, l.amount, l.reason,
                    l.settled_at, again.batch_no AS reissued_batch_no, again.status AS reissued_status
               FROM disbursement_batches b
               JOIN disbursement_lines l ON l.batch_id = b.id AND l.status = 'FAILED'
               LEFT JOIN households h ON h.id = l.household_id
               LEFT JOIN LATERAL (
                 SELECT b2.batch_no, l2.status
                   FROM payment_coverage c
                   JOIN disbursement_batches b2 ON b2.id = c.batch_id
                   LEFT JOIN disbursement_lines l2 ON l2.id = c.line_id
                  WHERE c.policy_code = b.policy_code AND c.beneficiary_key = l.beneficiary_key
                    AND c.period_unit = l.periods[1] AND c.released_at IS NULL AND c.batch_id <> b.id
                  LIMIT 1) again ON true
              WHERE ${w.text}
              ORDER BY b.batch_no, l.line_no`,
      params: w.params,
    };
  }

  /**
   * Arrears paid: PAID lines that covered units (months) before their batch's own period, with
   * those units and their amounts (from payment_coverage).
   */
  arrears(filter: ReportFilter): Sql {
    const w = where(filter, { county: 'b.county_code', policy: 'b.policy_code', year: 'b.fiscal_year' });
    return {
      text: `SELECT b.fiscal_year, b.batch_no, b.policy_code, b.period, b.county_code, l.line_no, l.id AS line_id,
                    l.region_code, h.household_no, l.person_id,
                    string_agg(c.period_unit, ' ' ORDER BY c.period_unit) AS arrears_periods,
                    count(*)::int AS arrears_units, sum(c.amount) AS arrears_amount, l.amount AS line_amount,
                    l.bank_ref
               FROM disbursement_batches b
               JOIN disbursement_lines l ON l.batch_id = b.id AND l.status = 'PAID'
               JOIN payment_coverage c ON c.line_id = l.id AND c.period_unit < b.period
               LEFT JOIN households h ON h.id = l.household_id
              WHERE ${w.text}
              GROUP BY b.fiscal_year, b.batch_no, b.policy_code, b.period, b.county_code, l.line_no, l.id,
                       l.region_code, h.household_no, l.person_id, l.amount, l.bank_ref
              ORDER BY b.batch_no, l.line_no`,
      params: w.params,
    };
  }
}
