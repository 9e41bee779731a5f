import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RegionScope } from '../../common/region-scope.js';
import { queryRows } from '../../database/sql.js';
import { FUNDING_LEVELS, type FundingLevel } from '../policies/policy-codes.js';

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
  receivable: string;
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

/**
 * The conditions on ledger_accounts' budget-line columns: the caller's scope and each filter given,
 * with their values appended to `params`; `add` appends one more (`column = ?`).
 */
export function lineConditions(filter: BudgetLineFilter, scope: RegionScope, params: unknown[]) {
  const where = [scope.where('county_code', params)];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.fiscalYear !== undefined) add('fiscal_year = ?', filter.fiscalYear);
  if (filter.policyCode !== undefined) add('policy_code = ?', filter.policyCode);
  if (filter.fundingLevel !== undefined) add('funding_level = ?', filter.fundingLevel);
  if (filter.countyCode !== undefined) add('county_code = ?', filter.countyCode);
  return { where, add };
}

/**
 * Budget lines as the ledger holds them: each line is a set of accounts (line-accounts.ts), so its
 * figures are the ledger's balances. Budgets reads them through LedgerService.budgetLines.
 */
@Injectable()
export class BudgetLinesRepository {
  /**
   * One row per budget line with its five figures, each straight from an account's posted
   * balances: appropriated = FUNDING debits - credits; available, committed, spent, receivable =
   * credits - debits.
   */
  async listLines(
    manager: EntityManager,
    filter: BudgetLineFilter,
    scope: RegionScope,
    after: BudgetLineCursor | undefined,
    limit: number,
  ): Promise<BudgetLineRow[]> {
    const params: unknown[] = [];
    const { where } = lineConditions(filter, scope, params);
    where.push(`code IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE')`);
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
              coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'SPENT'), 0) AS spent,
              coalesce(sum(credits_posted - debits_posted) FILTER (WHERE code = 'RECEIVABLE'), 0) AS receivable
         FROM ledger_accounts
        WHERE ${where.join(' AND ')}
        GROUP BY fiscal_year, county_code, policy_code, funding_level
        ORDER BY fiscal_year, county_code, policy_code, ${LEVEL_ORDER}
        LIMIT $${params.length}`,
      params,
    );
  }
}
