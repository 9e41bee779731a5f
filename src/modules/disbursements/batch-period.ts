/**
 * Which units a batch pays (SPEC.md, "Disbursement batches" and the time rules). A unit is what the
 * coverage table keys payments by: a month `YYYY-MM` for monthly benefits, a year `YYYY` for annual
 * ones, `ONCE` for one-time ones. A monthly batch for `2012-03` pays March plus the arrears of
 * January and February of the same fiscal year (only the months nobody has paid yet).
 */
export type Frequency = 'MONTHLY' | 'ANNUAL' | 'ONE_TIME' | 'STANDING';

export interface BatchUnits {
  fiscalYear: number;
  /** Units to consider, in order; the batch's own period last. */
  units: string[];
  /** The period passed to the eligibility engine for each unit. */
  periodOf: (unit: string) => string;
}

const PERIOD = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/;

/** Returns the units, or a reason why the period does not fit the policy's frequency. */
export function batchUnits(frequency: Frequency, period: string): BatchUnits | string {
  const match = PERIOD.exec(period);
  if (!match) return 'period must be YYYY or YYYY-MM';
  const year = Number(match[1]);
  const month = match[2] ? Number(match[2]) : undefined;
  switch (frequency) {
    case 'MONTHLY': {
      const last = month ?? 12;
      const units = Array.from({ length: last }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
      return { fiscalYear: year, units, periodOf: (unit) => unit };
    }
    case 'ANNUAL':
      if (month !== undefined) return 'an annual benefit is paid for a year: period must be YYYY';
      return { fiscalYear: year, units: [String(year)], periodOf: (unit) => unit };
    case 'ONE_TIME':
      return { fiscalYear: year, units: ['ONCE'], periodOf: () => period };
    case 'STANDING':
      return 'a standing (non-cash) benefit is never paid';
  }
}
