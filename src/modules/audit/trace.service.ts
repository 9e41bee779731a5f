import { Injectable } from '@nestjs/common';
import type { Decimal } from 'decimal.js';
import { NotFoundError } from '../../common/errors.js';
import { formatMoney, money } from '../../common/money.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import { enrollmentReasonText, storedReasonText } from '../../common/i18n/stored-reason.js';
import { currentLanguage, type Actor } from '../../common/request-context.js';
import { householdClaims } from '../overpayments/household-claims.js';
import { TraceRepository, type BatchLineRow, type TraceTransferRow } from './trace.repository.js';
import { Transactions } from '../../database/transactions.js';

const APPROVED_OR_LATER = ['APPROVED', 'EXPORTED', 'SETTLED', 'CLOSED'];
const MAX_MISMATCHES = 100;

export interface TransferTrace {
  id: string;
  code: string;
  amount: string;
  fundingLevel: string | null;
  debitAccount: { id: string; code: string };
  creditAccount: { id: string; code: string };
  blockSeq: string;
  createdAt: string;
}

export interface Difference {
  check: string;
  expected: string;
  actual: string;
  difference: string;
}

const toTransferTrace = (t: TraceTransferRow): TransferTrace => ({
  id: t.id,
  code: t.code,
  amount: formatMoney(t.amount),
  fundingLevel: t.funding_level,
  debitAccount: { id: t.debit_account_id, code: t.debit_code },
  creditAccount: { id: t.credit_account_id, code: t.credit_code },
  blockSeq: t.block_seq,
  createdAt: t.created_at.toISOString(),
});

const maskAccount = (accountNo: string) => `${'*'.repeat(Math.max(0, accountNo.length - 4))}${accountNo.slice(-4)}`;

/** Sums a list of money values exactly. */
const total = (values: Decimal.Value[]): Decimal => values.reduce<Decimal>((sum, v) => sum.plus(v), money(0));

/**
 * The auditor's traces: one household's payments with the decisions behind them, and one batch's
 * money from its budget lines through approval and the ledger to each line's bank result, with the
 * totals checked against each other at every step. Read-only.
 */
@Injectable()
export class TraceService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: TraceRepository,
  ) {}

  household(actor: Actor, id: string) {
    return this.transactions.run(async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const household = await this.repository.household(manager, id);
      if (!household || !new RegionScope(actor.regionCode).covers(household.region_code)) {
        throw new NotFoundError('Household', id);
      }
      const lines = await this.repository.householdLines(manager, id);
      const transfers = await this.repository.lineTransfers(
        manager,
        [...new Set(lines.map((l) => l.batch_id))],
        lines.map((l) => l.id),
      );
      const byLine = new Map<string, TraceTransferRow[]>();
      for (const t of transfers) byLine.set(t.line_id!, [...(byLine.get(t.line_id!) ?? []), t]);
      const enrollments = await this.repository.householdEnrollments(manager, id);
      const transitions = await this.repository.householdTransitions(manager, id);

      const payments = lines.map((l) => {
        const own = byLine.get(l.id) ?? [];
        return {
          lineId: l.id,
          lineNo: l.line_no,
          batchId: l.batch_id,
          batchNo: l.batch_no,
          batchStatus: l.batch_status,
          policyCode: l.policy_code,
          period: l.batch_period,
          fiscalYear: l.fiscal_year,
          periods: l.periods,
          personId: l.person_id,
          enrollmentId: l.enrollment_id,
          amount: formatMoney(l.amount),
          status: l.status,
          bankRef: l.bank_ref,
          reason: l.reason,
          settledAt: l.settled_at?.toISOString() ?? null,
          bankCode: l.bank_code,
          accountNo: maskAccount(l.account_no),
          paid: formatMoney(total(own.filter((t) => t.code === 'PAYMENT').map((t) => t.amount))),
          released: formatMoney(total(own.filter((t) => t.code === 'RELEASE').map((t) => t.amount))),
          transfers: own.map(toTransferTrace),
          decision: { versionIds: l.version_ids, snapshot: l.decision },
        };
      });
      const sumWhere = (status: string) =>
        formatMoney(total(lines.filter((l) => l.status === status).map((l) => l.amount)));
      return {
        household: { id: household.id, householdNo: household.household_no, regionCode: household.region_code },
        payments,
        /** Overpayment claims of the household: their periods (lines) and recovery. */
        overpayments: await householdClaims(manager, id),
        totals: {
          lines: lines.length,
          paid: sumWhere('PAID'),
          failed: sumWhere('FAILED'),
          pending: sumWhere('PENDING'),
          ledgerPaid: formatMoney(total(transfers.filter((t) => t.code === 'PAYMENT').map((t) => t.amount))),
          ledgerReleased: formatMoney(total(transfers.filter((t) => t.code === 'RELEASE').map((t) => t.amount))),
        },
        enrollments: enrollments.map((e) => ({
          id: e.id,
          policyCode: e.policy_code,
          personId: e.beneficiary_person_id,
          status: e.status,
          statusReason: storedReasonText(
            { code: e.status_reason_code, params: e.status_reason_params, text: e.status_reason },
            enrollmentReasonText,
            currentLanguage(),
          ),
          regionCode: e.region_code,
          openedBy: e.opened_by,
          approvedBy: e.approved_by,
          approvedAt: e.approved_at?.toISOString() ?? null,
          activeFrom: e.active_from,
          endedOn: e.ended_on,
          transitions: transitions
            .filter((t) => t.enrollment_id === e.id)
            .map((t) => ({
              from: t.from_status,
              to: t.to_status,
              actorId: t.actor_id,
              actorUsername: t.actor_username,
              reason: storedReasonText(
                { code: t.reason_code, params: t.reason_params, text: t.reason },
                enrollmentReasonText,
                currentLanguage(),
              ),
              asOf: t.as_of,
              explanation: t.explanation,
              occurredAt: t.occurred_at.toISOString(),
            })),
        })),
      };
    }, 'REPEATABLE READ');
  }

  batch(actor: Actor, id: string, page: { limit: number; cursor?: string }) {
    const [after] = decodeCursor(page.cursor, [cursorPart.int4]) ?? [0];
    return this.transactions.run(async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const batch = await this.repository.batch(manager, id);
      if (!batch || !new RegionScope(actor.regionCode).covers(batch.county_code)) throw new NotFoundError('Batch', id);

      const levels = await this.repository.levelFlows(manager, batch);
      const transferSums = await this.repository.transferSums(manager, id);
      const statusSums = await this.repository.lineSums(manager, id);
      const mismatches = await this.repository.lineMismatches(manager, id, MAX_MISMATCHES);
      const rows = await this.repository.linesPage(manager, id, after, page.limit + 1);

      const byCode = (code: string) => total(transferSums.filter((t) => t.code === code).map((t) => t.amount));
      const byStatus = (...statuses: string[]) =>
        total(statusSums.filter((s) => statuses.includes(s.status)).map((s) => s.amount));
      const committed = byCode('COMMITMENT');
      const spent = byCode('PAYMENT');
      const released = byCode('RELEASE');
      const stillCommitted = committed.minus(spent).minus(released);
      const allLines = byStatus('PENDING', 'PAID', 'FAILED', 'CANCELLED');
      const payable = byStatus('PENDING', 'PAID', 'FAILED');
      const lineCount = statusSums.reduce((n, s) => n + s.count, 0);
      const approved = APPROVED_OR_LATER.includes(batch.status);

      const differences: Difference[] = [];
      const expect = (check: string, expected: Decimal, actual: Decimal) => {
        if (!expected.equals(actual)) {
          differences.push({
            check,
            expected: formatMoney(expected),
            actual: formatMoney(actual),
            difference: formatMoney(actual.minus(expected)),
          });
        }
      };
      expect('sum of line amounts = batch totalAmount', money(batch.total_amount), allLines);
      if (lineCount !== batch.line_count) {
        differences.push({
          check: 'number of lines = batch lineCount',
          expected: String(batch.line_count),
          actual: String(lineCount),
          difference: String(lineCount - batch.line_count),
        });
      }
      expect('committed by the batch = sum of its payable lines', approved ? payable : money(0), committed);
      expect('spent = sum of PAID lines', byStatus('PAID'), spent);
      expect('released = sum of FAILED lines', byStatus('FAILED'), released);
      expect('still committed = sum of PENDING lines', approved ? byStatus('PENDING') : money(0), stillCommitted);
      expect('committed = spent + released + still committed', committed, spent.plus(released).plus(stillCommitted));
      for (const level of levels) {
        const left = money(level.batch_committed).minus(level.batch_spent).minus(level.batch_released);
        if (left.isNegative()) {
          expect(
            `${level.funding_level}: spent + released <= committed`,
            money(level.batch_committed),
            money(level.batch_spent).plus(level.batch_released),
          );
        }
      }
      if (mismatches.count > 0) {
        differences.push({
          check: 'each line: its transfers match its bank result',
          expected: '0',
          actual: String(mismatches.count),
          difference: String(mismatches.count),
        });
      }

      const lines: Page<ReturnType<typeof toBatchLine>> = toPage(rows, page.limit, (row) => [row.line_no], toBatchLine);
      return {
        batch: {
          id: batch.id,
          batchNo: batch.batch_no,
          policyCode: batch.policy_code,
          period: batch.period,
          fiscalYear: batch.fiscal_year,
          countyCode: batch.county_code,
          status: batch.status,
          lineCount: batch.line_count,
          totalAmount: formatMoney(batch.total_amount),
          createdBy: { id: batch.created_by, username: batch.created_by_username, at: batch.created_at.toISOString() },
          submitted: batch.submitted_by
            ? {
                by: batch.submitted_by,
                username: batch.submitted_by_username,
                at: batch.submitted_at?.toISOString() ?? null,
              }
            : null,
          approval: batch.approved_by
            ? {
                approvedBy: batch.approved_by,
                username: batch.approved_by_username,
                approvedAt: batch.approved_at?.toISOString() ?? null,
              }
            : null,
          rejection: batch.rejected_by
            ? {
                rejectedBy: batch.rejected_by,
                rejectedAt: batch.rejected_at?.toISOString() ?? null,
                reason: batch.reject_reason,
              }
            : null,
          bankFileSha256: batch.bank_file_sha256,
          exportedAt: batch.exported_at?.toISOString() ?? null,
          settledAt: batch.settled_at?.toISOString() ?? null,
          closedAt: batch.closed_at?.toISOString() ?? null,
        },
        budgetLines: levels.map((l) => ({
          fiscalYear: batch.fiscal_year,
          policyCode: batch.policy_code,
          fundingLevel: l.funding_level,
          countyCode: batch.county_code,
          appropriated: formatMoney(l.appropriated),
          committed: formatMoney(l.committed),
          spent: formatMoney(l.spent),
          available: formatMoney(l.available),
          thisBatch: {
            committed: formatMoney(l.batch_committed),
            spent: formatMoney(l.batch_spent),
            released: formatMoney(l.batch_released),
            stillCommitted: formatMoney(money(l.batch_committed).minus(l.batch_spent).minus(l.batch_released)),
          },
        })),
        transfers: transferSums.map((t) => ({
          code: t.code,
          fundingLevel: t.funding_level,
          count: t.count,
          amount: formatMoney(t.amount),
        })),
        lineResults: statusSums.map((s) => ({ status: s.status, count: s.count, amount: formatMoney(s.amount) })),
        totals: {
          lines: formatMoney(allLines),
          payableLines: formatMoney(payable),
          committed: formatMoney(committed),
          spent: formatMoney(spent),
          released: formatMoney(released),
          stillCommitted: formatMoney(stillCommitted),
          paidLines: formatMoney(byStatus('PAID')),
          failedLines: formatMoney(byStatus('FAILED')),
          pendingLines: formatMoney(byStatus('PENDING')),
        },
        consistent: differences.length === 0,
        differences,
        lineMismatches: mismatches.rows.map((m) => ({
          lineId: m.line_id,
          lineNo: m.line_no,
          status: m.status,
          amount: m.amount === null ? null : formatMoney(m.amount),
          paid: formatMoney(m.paid),
          released: formatMoney(m.released),
        })),
        lines,
      };
    }, 'REPEATABLE READ');
  }
}

const toBatchLine = (row: BatchLineRow) => ({
  id: row.id,
  lineNo: row.line_no,
  householdId: row.household_id,
  personId: row.person_id,
  periods: row.periods,
  grossAmount: formatMoney(row.gross_amount),
  offsetAmount: formatMoney(row.offset_amount),
  amount: formatMoney(row.amount),
  status: row.status,
  bankRef: row.bank_ref,
  reason: row.reason,
  settledAt: row.settled_at?.toISOString() ?? null,
  paid: formatMoney(row.paid),
  released: formatMoney(row.released),
});
