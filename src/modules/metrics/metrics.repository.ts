import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql.js';

/** The state gauges read at scrape time: small aggregates, each one index-backed statement. */
@Injectable()
export class MetricsRepository {
  batchesByStatus(db: DataSource) {
    return queryRows<{ status: string; n: number }>(
      db,
      `SELECT status, count(*)::int AS n FROM disbursement_batches GROUP BY status`,
    );
  }

  unfinishedJobs(db: DataSource) {
    return queryRows<{ name: string; state: string; n: number }>(
      db,
      `SELECT name, state, count(*)::int AS n FROM jobs WHERE state IN ('waiting', 'active') GROUP BY name, state`,
    );
  }

  async transfersPosted(db: DataSource): Promise<number> {
    const [row] = await queryRows<{ n: string }>(db, `SELECT coalesce(max(id), 0)::text AS n FROM ledger_transfers`);
    return Number(row.n);
  }

  /**
   * Available per budget line of this and the last fiscal year (a monitoring figure, as a float:
   * the ledger and the budgets API hold the exact amounts).
   */
  budgetAvailable(db: DataSource, sinceYear: number) {
    return queryRows<{
      fiscal_year: number;
      policy_code: string;
      funding_level: string;
      county_code: string;
      available: number;
    }>(
      db,
      `SELECT fiscal_year, policy_code, funding_level, county_code,
              (credits_posted - debits_posted)::float8 AS available
         FROM ledger_accounts
        WHERE code = 'AVAILABLE' AND fiscal_year >= $1`,
      [sinceYear],
    );
  }
}
