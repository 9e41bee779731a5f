import type { AccountCode, TransferCode } from './ledger.types.js';

/**
 * The chart of accounts' flows: which account each kind of transfer debits and credits, always two
 * accounts of one budget line. A REVERSAL swaps the accounts of the transfer it reverses.
 */
export const CHART_FLOWS: Record<Exclude<TransferCode, 'REVERSAL'>, { debit: AccountCode; credit: AccountCode }> = {
  APPROPRIATION: { debit: 'FUNDING', credit: 'AVAILABLE' },
  COMMITMENT: { debit: 'AVAILABLE', credit: 'COMMITTED' },
  PAYMENT: { debit: 'COMMITTED', credit: 'SPENT' },
  RELEASE: { debit: 'COMMITTED', credit: 'AVAILABLE' },
  /** Paid and found not owed: to be recovered from the household. */
  OVERPAYMENT: { debit: 'SPENT', credit: 'RECEIVABLE' },
  /** Recovered (an offset or a refund): the money is available again. */
  RECOVERY: { debit: 'RECEIVABLE', credit: 'AVAILABLE' },
  /** Given up: spent after all, as a loss. */
  WRITE_OFF: { debit: 'RECEIVABLE', credit: 'SPENT' },
  /** The event that made it not owed was withdrawn: owed after all, spent again. */
  OVERPAYMENT_WITHDRAWN: { debit: 'RECEIVABLE', credit: 'SPENT' },
};

export interface ChartAccount {
  code: string;
  fiscalYear: number | null;
  policyCode: string | null;
  fundingLevel: string | null;
  countyCode: string | null;
}

const sameLine = (a: ChartAccount, b: ChartAccount) =>
  a.fiscalYear === b.fiscalYear &&
  a.policyCode === b.policyCode &&
  a.fundingLevel === b.fundingLevel &&
  a.countyCode === b.countyCode;

/** Why a transfer between these accounts breaks the chart, or undefined (REVERSAL: see reversalProblem). */
export function chartProblem(code: TransferCode, debit: ChartAccount, credit: ChartAccount): string | undefined {
  if (!sameLine(debit, credit)) return 'a transfer moves money between two accounts of one budget line';
  if (code === 'REVERSAL') return undefined;
  const flow = CHART_FLOWS[code];
  if (debit.code !== flow.debit || credit.code !== flow.credit) {
    return `a ${code} debits ${flow.debit} and credits ${flow.credit}`;
  }
  return undefined;
}

/** The chart as a SQL condition over transfer `t`, accounts `da`/`ca` and the reversed transfer `o`. */
export const CHART_SQL = `(
  (da.fiscal_year, da.policy_code, da.funding_level, da.county_code)
    IS NOT DISTINCT FROM (ca.fiscal_year, ca.policy_code, ca.funding_level, ca.county_code)
  AND coalesce(CASE t.code
    ${Object.entries(CHART_FLOWS)
      .map(([code, flow]) => `WHEN '${code}' THEN da.code = '${flow.debit}' AND ca.code = '${flow.credit}'`)
      .join('\n    ')}
    WHEN 'REVERSAL' THEN o.code <> 'REVERSAL' AND o.debit_account_id = t.credit_account_id
                     AND o.credit_account_id = t.debit_account_id AND o.amount = t.amount
  END, false))`;
