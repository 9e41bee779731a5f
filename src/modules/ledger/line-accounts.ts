import type { FundingLevel } from '../policies/policy-codes.js';
import type { AccountCode } from './ledger.types.js';

/** A budget line: (fiscal year, policy, funding level, county). */
export interface BudgetLineKey {
  fiscalYear: number;
  policyCode: string;
  fundingLevel: FundingLevel;
  countyCode: string;
}

/** The five ledger accounts of one budget line (docs/domain.md, "Budgets and ledger"), by id. */
export interface BudgetLineAccounts {
  line: BudgetLineKey;
  funding: string;
  available: string;
  committed: string;
  spent: string;
  receivable: string;
  /** Each account's balance on its normal side when read (not locked), as a numeric string. */
  balances?: Record<AccountCode, string>;
}

/** Every account a budget line is opened with, in the order they are opened. */
export const LINE_ACCOUNT_CODES: readonly AccountCode[] = ['FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE'];

export const lineKey = (line: BudgetLineKey): string =>
  `${line.fiscalYear}|${line.policyCode}|${line.fundingLevel}|${line.countyCode}`;

/** The id of a line's account of the given code. */
export const accountOf = (accounts: BudgetLineAccounts, code: AccountCode): string =>
  accounts[code.toLowerCase() as 'funding' | 'available' | 'committed' | 'spent' | 'receivable'];
