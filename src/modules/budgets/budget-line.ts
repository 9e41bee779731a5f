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
}

export const lineKey = (line: BudgetLineKey): string =>
  `${line.fiscalYear}|${line.policyCode}|${line.fundingLevel}|${line.countyCode}`;
