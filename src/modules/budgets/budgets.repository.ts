import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RegionScope } from '../../common/region-scope.js';
import { queryRows } from '../../database/sql.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';
import { lineKey, type BudgetLineAccounts, type BudgetLineKey } from './budget-line.js';

export interface BudgetLineRow {
  fiscal_year: number;
  policy_code: string;
  funding_level: FundingLevel;
  county_code: string;
  level_order: number;
  appropriated: string;
  available: string;
  committed: string;
  spent: string;
}

export interface BudgetLineFilter {
  fiscalYear?: number;
  policyCode?: string;
  fundingLevel?: string;
  countyCode?: string;
}

/** [fiscal_year, county_code, policy_code, level_order] of the last row of a page. */
export type BudgetLineCursor = [number, string, string, number];

const LEVEL_ORDER = `array_position(ARRAY['${FUNDING_LEVELS.join("','")}'], funding_level)`;

interface LineAccountRow {
  id: string;
  code: 'FUNDING' | 'AVAILABLE' | 'COMMITTED' | 'SPENT';
  fiscal_year: number;
  policy_code: string;
  funding_level: FundingLevel;
  county_code: string;
  balance: string;
}

const lineColumns = (lines: BudgetLineKey[]) => [
  lines.map((l) => l.fiscalYear),
  lines.map((l) => l.policyCode),
  lines.map((l) => l.fundingLevel),
  lines.map((l) => l.countyCode),
];

@Injectable()
export class BudgetsRepository {
  /**
   * The accounts of each budget line, opening (inserting) the lines that have none yet. The unique
   * key on (fiscal year, policy, level, county, code) makes concurrent openings safe. Only for
   * transactions that have not posted yet: an insert can wait for a concurrent opening of the same
   * line, which must not happen while holding the ledger head.
   */
  async lineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<Map<string, BudgetLineAccounts>> {
    let found = await this.findLineAccounts(manager, lines);
    if (found.size < lines.length) {
      await manager.query(
        `INSERT INTO ledger_accounts
           (code, fiscal_year, policy_code, funding_level, county_code,
            debits_must_not_exceed_credits, credits_must_not_exceed_debits)
         SELECT c.code, l.fy, l.policy, l.level, l.county, c.code <> 'FUNDING', c.code = 'FUNDING'
           FROM unnest($1::smallint[], $2::text[], $3::text[], $4::text[]) AS l(fy, policy, level, county)
          CROSS JOIN (VALUES (1, 'FUNDING'), (2, 'AVAILABLE'), (3, 'COMMITTED'), (4, 'SPENT')) AS c(n, code)
          ORDER BY l.fy, l.policy, l.level, l.county, c.n
         ON CONFLICT (fiscal_year, policy_code, funding_level, county_code, code) DO NOTHING`,
        lineColumns(lines),
      );
      found = await this.findLineAccounts(manager, lines);
    }
    return found;
  }

  /**
   * The accounts and figures of the lines that exist (a line is opened with all four accounts), by
   * `lineKey`. Reads without locking: posting locks what it moves.
   */
  async findLineAccounts(manager: EntityManager, lines: BudgetLineKey[]): Promise<Map<string, BudgetLineAccounts>> {
    const rows = await queryRows<LineAccountRow>(
      manager,
      `SELECT a.id, a.code, a.fiscal_year, a.policy_code, a.funding_level, a.county_code,
              CASE WHEN a.code = 'FUNDING' THEN a.debits_posted - a.credits_posted
                   ELSE a.credits_posted - a.debits_posted END AS balance
         FROM ledger_accounts a
         JOIN unnest($1::smallint[], $2::text[], $3::text[], $4::text[]) AS l(fy, policy, level, county)
           ON a.fiscal_year = l.fy AND a.policy_code = l.policy AND a.funding_level = l.level
          AND a.county_code = l.county`,
      lineColumns(lines),
    );
    const result = new Map<string, BudgetLineAccounts>();
    for (const row of rows) {
      const line = {
        fiscalYear: row.fiscal_year,
        policyCode: row.policy_code,
        fundingLevel: row.funding_level,
        countyCode: row.county_code,
      };
      const key = lineKey(line);
      const accounts = result.get(key) ?? {
        line,
        funding: '',
        available: '',
        committed: '',
        spent: '',
        balances: { FUNDING: '0', AVAILABLE: '0', COMMITTED: '0', SPENT: '0' },
      };
      accounts[row.code.toLowerCase() as 'funding' | 'available' | 'committed' | 'spent'] = row.id;
      accounts.balances![row.code] = row.balance;
      result.set(key, accounts);
    }
    return result;
  }

  /**
   * One row per budget line with its four figures, each straight from an account's posted
   * balances: appropriated = FUNDING debits - credits; available, committed, spent = credits - debits.
   */
  async listLines(
    manager: EntityManager,
    filter: BudgetLineFilter,
    scope: RegionScope,
    after: BudgetLineCursor | undefined,
    limit: number,
  ): Promise<BudgetLineRow[]> {
    const params: unknown[] = [];
    const where = [`code IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT')`, scope.where('county_code', params)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.fiscalYear !== undefined) add('fiscal_year = ?', filter.fiscalYear);
    if (filter.policyCode !== undefined) add('policy_code = ?', filter.policyCode);
    if (filter.fundingLevel !== undefined) add('funding_level = ?', filter.fundingLevel);
    if (filter.countyCode !== undefined) add('county_code = ?', filter.countyCode);
    if (after !== undefined) {
      params.push(...after);
      const n = params.length;
      where.push(
        `(fiscal_year, county_code, policy_code, ${LEVEL_ORDER}) > ($${n - 3}::smallint, $${n - 2}::text, $${n - 1}::text, $${n}::int)`,
      );
    }
    params.push(limit + 1);
    return queryRows<BudgetLineRow>(
      manager,
      `SELECT fiscal_year, county_code, policy_code, funding_level, ${LEVEL_ORDER} AS level_order,
              coalesce(sum(debits_posted - credits_posted) FILTER (WHERE code = 'FUNDING'), 0) AS appropriated,
              coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'AVAILABLE'), 0) AS available,
              coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'COMMITTED'), 0) AS committed,
              coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'SPENT'), 0) AS spent
         FROM ledger_accounts
        WHERE ${where.join(' AND ')}
        GROUP BY fiscal_year, county_code, policy_code, funding_level
        ORDER BY fiscal_year, county_code, policy_code, ${LEVEL_ORDER}
        LIMIT $${params.length}`,
      params,
    );
  }
}
