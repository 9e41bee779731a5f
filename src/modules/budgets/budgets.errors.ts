import type { Decimal } from 'decimal.js';
import { ConflictError, UnprocessableError, type FieldProblem } from '../../common/errors.js';
import { formatMoney } from '../../common/money.js';
import type { BudgetLineKey } from './budget-line.js';

/** The problem codes this module answers (API.md), registered with the common ErrorCode. */
export const BUDGETS_ERROR_CODES = [
  'COMMITMENT_EXCEEDED',
  'INSUFFICIENT_BUDGET',
  'INVALID_BUDGET_MOVEMENT',
  'NOT_AN_APPROPRIATION',
] as const;
export type BudgetsErrorCode = (typeof BUDGETS_ERROR_CODES)[number];

declare module '../../common/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's codes
  interface ErrorCodes extends Record<BudgetsErrorCode, true> {}
}

const describe = (line: BudgetLineKey) =>
  `${line.fiscalYear} ${line.policyCode} ${line.fundingLevel} ${line.countyCode}`;

/** 409: a budget line lacks the money; nothing was committed. Names the line and the shortfall. */
export class InsufficientBudgetError extends ConflictError {
  constructor(
    readonly budgetLine: BudgetLineKey,
    readonly shortfall: Decimal,
  ) {
    super('INSUFFICIENT_BUDGET', `Budget line ${describe(budgetLine)} lacks ${formatMoney(shortfall)}`, {
      budgetLine,
      shortfall: formatMoney(shortfall),
    });
  }
}

/** 409: releasing or spending more than a budget line has committed. */
export class CommitmentExceededError extends ConflictError {
  constructor(
    readonly budgetLine: BudgetLineKey,
    readonly shortfall: Decimal,
  ) {
    super(
      'COMMITMENT_EXCEEDED',
      `Budget line ${describe(budgetLine)} has ${formatMoney(shortfall)} less committed than asked for`,
      { budgetLine, shortfall: formatMoney(shortfall) },
    );
  }
}

/** A commitment, release or spend that is malformed (a programming error of the caller). */
export class InvalidBudgetMovementError extends UnprocessableError {
  constructor(errors: FieldProblem[]) {
    super('INVALID_BUDGET_MOVEMENT', 'The budget movement is not valid', {}, errors);
  }
}

export class NotAnAppropriationError extends UnprocessableError {
  constructor(transferId: string, code: string) {
    super('NOT_AN_APPROPRIATION', `Transfer ${transferId} is a ${code}, not an APPROPRIATION`, { transferId, code });
  }
}
