/** The budget line and its accounts belong to the ledger, which opens them (ledger/line-accounts.ts). */
export { lineKey, type BudgetLineAccounts, type BudgetLineKey } from '../ledger/line-accounts.js';
