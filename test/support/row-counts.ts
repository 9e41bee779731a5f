import type { DataSource } from 'typeorm';

/** The tables a request could change: a refused request must leave every count as it was. */
export const MAIN_TABLES = [
  'regions',
  'users',
  'audit_events',
  'jobs',
  'persons',
  'households',
  'household_events',
  'household_members',
  'household_bank_accounts',
  'policy_versions',
  'enrollments',
  'ledger_accounts',
  'ledger_transfers',
  'disbursement_batches',
  'disbursement_lines',
  'payment_coverage',
] as const;

/** Row counts of the main tables, in one statement. */
export async function rowCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const [row] = await dataSource.query(
    `SELECT ${MAIN_TABLES.map((table) => `(SELECT count(*) FROM ${table})::int AS ${table}`).join(', ')}`,
  );
  return row as Record<string, number>;
}
