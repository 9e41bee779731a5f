import type { FundingLevel } from '../policies/policy-codes.js';

/** A budget line: (fiscal year, policy, funding level, county). */
export interface BudgetLineKey {
  fiscalYear: number;
  policyCode: string;
  fundingLevel: FundingLevel;
  countyCode: string;
}

/** The four ledger accounts of one budget line (README.md, "Ledger and chart of accounts"). */
export interface BudgetLineAccounts {
  line: BudgetLineKey;
  funding: string;
  available: string;
  committed: string;
  spent: string;
  /** Each account's balance on its normal side when read (not locked), as a numeric string. */
  balances?: Record<'FUNDING' | 'AVAILABLE' | 'COMMITTED' | 'SPENT', string>;
}

export const lineKey = (line: BudgetLineKey): string =>
  `${line.fiscalYear}|${line.policyCode}|${line.fundingLevel}|${line.countyCode}`;
