import { callerText } from '../../common/request-context.js';
import type { FieldProblem } from '../../common/errors.js';
import { money } from '../../common/money.js';
import { TRANSFER_CODES, type TransferInput } from './ledger.types.js';
import { isUuid } from '../../common/uuid.js';

export const ID_PATTERN = /^[1-9]\d{0,17}$/;
const MAX_AMOUNT = money('9999999999999999.99');

/** The problems of one transfer taken alone (pure: used by post and by tests). */
export function transferProblems(t: TransferInput, index = 0): FieldProblem[] {
  const at = (field: string) => `transfers[${index}].${field}`;
  const problems: FieldProblem[] = [];
  if (typeof t.idempotencyId !== 'string' || t.idempotencyId.length < 1 || t.idempotencyId.length > 300) {
    problems.push({ field: at('idempotencyId'), message: callerText('ledgerProblems.idempotencyId') });
  }
  if (!ID_PATTERN.test(t.debitAccountId))
    problems.push({ field: at('debitAccountId'), message: callerText('ledgerProblems.accountId') });
  if (!ID_PATTERN.test(t.creditAccountId))
    problems.push({ field: at('creditAccountId'), message: callerText('ledgerProblems.accountId') });
  if (t.debitAccountId === t.creditAccountId) {
    problems.push({ field: at('creditAccountId'), message: callerText('ledgerProblems.sameAccount') });
  }
  const amount = money(t.amount);
  if (!amount.isFinite() || !amount.greaterThan(0)) {
    problems.push({ field: at('amount'), message: callerText('ledgerProblems.amountPositive') });
  } else if (amount.decimalPlaces() > 2 || amount.greaterThan(MAX_AMOUNT)) {
    problems.push({ field: at('amount'), message: callerText('ledgerProblems.amountFen') });
  }
  if (!(TRANSFER_CODES as readonly string[]).includes(t.code)) {
    problems.push({
      field: at('code'),
      message: callerText('ledgerProblems.code', { codes: TRANSFER_CODES.join(', ') }),
    });
  }
  if (t.batchId != null && !isUuid(t.batchId)) {
    problems.push({ field: at('batchId'), message: callerText('ledgerProblems.batchId') });
  }
  if ((t.code === 'REVERSAL') !== (t.reversesTransferId != null)) {
    problems.push({
      field: at('reversesTransferId'),
      message: callerText('ledgerProblems.reversal'),
    });
  } else if (t.reversesTransferId != null && !ID_PATTERN.test(t.reversesTransferId)) {
    problems.push({ field: at('reversesTransferId'), message: callerText('ledgerProblems.transferId') });
  }
  return problems;
}
