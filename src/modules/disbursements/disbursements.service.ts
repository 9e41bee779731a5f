import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { InvalidStateTransitionError, NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { formatMoney, money } from '../../common/money.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import { exceptionReasonText, storedReasonText } from '../../common/i18n/stored-reason.js';
import { callerText, currentLanguage, type Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { BudgetCommitmentsService } from '../budgets/budget-commitments.service.js';
import type { FundingShares } from '../budgets/share-split.js';
import { JobsService } from '../jobs/jobs.service.js';
import { OverpaymentsService } from '../overpayments/overpayments.service.js';
import { offsetMovementKey } from '../overpayments/claim-ledger.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { maskNumber } from '../registry/id-number.js';
import { PoliciesService } from '../policies/policies.service.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import { batchUnits } from './batch-period.js';
import { lastDayOf } from '../../common/calendar.js';
import { IdempotencyKeyReusedError, NotPayableError, SelfApprovalForbiddenError } from './disbursements.errors.js';
import { DisbursementsRepository, type BatchRow, type LineRow } from './disbursements.repository.js';

export const GENERATE_JOB = 'disbursements.generate';

export interface BatchView {
  id: string;
  batchNo: string;
  policyCode: string;
  period: string;
  fiscalYear: number;
  countyCode: string;
  status: string;
  lineCount: number;
  totalAmount: string;
  exceptionCount: number;
  exceptions?: { householdId: string; personId: string | null; reason: string; reasonCode: string }[];
  generationJobId: string | null;
  /** Why generation stopped, while the batch is GENERATION_FAILED (resume or cancel it). */
  generationError: Record<string, unknown> | null;
  createdBy: string;
  submittedBy: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  rejectedBy: string | null;
  rejectReason: string | null;
  bankFileSha256: string | null;
  /** The bank format the batch was exported in (GET /bank-formats), null before its export. */
  bankFormat: string | null;
  exportedAt: string | null;
  settledAt: string | null;
  closedAt: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
}

export const toBatchView = (row: BatchRow): BatchView => ({
  id: row.id,
  batchNo: row.batch_no,
  policyCode: row.policy_code,
  period: row.period,
  fiscalYear: row.fiscal_year,
  countyCode: row.county_code,
  status: row.status,
  lineCount: row.line_count,
  totalAmount: formatMoney(row.total_amount),
  exceptionCount: row.exception_count,
  generationJobId: row.generation_job_id,
  generationError: row.generation_error,
  createdBy: row.created_by,
  submittedBy: row.submitted_by,
  approvedBy: row.approved_by,
  approvedAt: row.approved_at?.toISOString() ?? null,
  rejectedBy: row.rejected_by,
  rejectReason: row.reject_reason,
  bankFileSha256: row.bank_file_sha256,
  bankFormat: row.bank_format,
  exportedAt: row.exported_at?.toISOString() ?? null,
  settledAt: row.settled_at?.toISOString() ?? null,
  closedAt: row.closed_at?.toISOString() ?? null,
  cancelledBy: row.cancelled_by,
  cancelledAt: row.cancelled_at?.toISOString() ?? null,
  cancelReason: row.cancel_reason,
  createdAt: row.created_at.toISOString(),
});

export interface LineView {
  id: string;
  lineNo: number;
  householdId: string;
  personId: string | null;
  periods: string[];
  /** What the bank pays (the net): grossAmount - offsetAmount. */
  amount: string;
  /** What the line is owed in all. */
  grossAmount: string;
  /** Kept back to recover the household's overpayment claims (at most the policy's offset share). */
  offsetAmount: string;
  status: string;
  bankRef: string | null;
  reason: string | null;
  accountNo: string;
  accountName: string;
}

@Injectable()
export class DisbursementsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly policies: PoliciesRepository,
    private readonly policyVersions: PoliciesService,
    private readonly budgets: BudgetCommitmentsService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly overpayments: OverpaymentsService,
  ) {}

  async policy(code: string, manager?: EntityManager): Promise<PolicyWithVersions> {
    const catalogue = await this.policies.loadCatalogue(manager);
    const policy = catalogue.find((p) => p.code === code);
    if (!policy) throw new NotFoundError('Policy', code);
    return policy;
  }

  /** Records a DRAFT batch and its generation job in one transaction, then starts the job. */
  async create(
    actor: Actor,
    input: { policyCode: string; period: string; countyCode: string },
  ): Promise<{ batch: BatchView; jobId: string }> {
    new RegionScope(actor.regionCode).assert(input.countyCode, 'county');
    if (!/^\d{6}$/.test(input.countyCode)) {
      throw new ValidationFailedError([{ field: 'countyCode', message: callerText('messages.batchCounty') }]);
    }
    const policy = await this.policy(input.policyCode);
    if (policy.benefitKind !== 'CASH') throw new NotPayableError(policy.code, 'NON_CASH');
    const units = batchUnits(policy.frequency, input.period);
    if (typeof units === 'string') throw new ValidationFailedError([{ field: 'period', message: units }]);

    const { batch, jobId } = await this.transactions.run(async (manager) => {
      const county = await manager.query(`SELECT 1 FROM regions WHERE code = $1 AND level = 'COUNTY'`, [
        input.countyCode,
      ]);
      if (county.length === 0) {
        throw new ValidationFailedError([
          { field: 'countyCode', message: callerText('messages.noSuchCounty', { countyCode: input.countyCode }) },
        ]);
      }
      const row = await this.repository.insertBatch(manager, {
        policyCode: policy.code,
        period: input.period,
        fiscalYear: units.fiscalYear,
        countyCode: input.countyCode,
        createdBy: actor.id,
      });
      const jobId = await this.recordGeneration(manager, row.id, row.county_code);
      const updated = await this.repository.updateBatch(manager, row.id, { generation_job_id: jobId });
      await this.audit.record(manager, {
        action: 'batch.created',
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        after: toBatchView(updated),
      });
      return { batch: updated, jobId };
    });
    await this.jobs.dispatch(jobId, GENERATE_JOB);
    return { batch: toBatchView(batch), jobId };
  }

  /**
   * OFFICER continues a batch whose generation failed: a new generation job starts after the last
   * committed chunk, so the lines end as an uninterrupted run makes them.
   */
  async resume(actor: Actor, id: string): Promise<{ batch: BatchView; jobId: string }> {
    let jobId = '';
    const batch = await this.transition(actor, id, 'resumed', ['GENERATION_FAILED'], async (manager, row) => {
      jobId = await this.recordGeneration(manager, row.id, row.county_code);
      return this.repository.updateBatch(manager, row.id, {
        status: 'DRAFT',
        generation_job_id: jobId,
        generation_error: null,
      });
    });
    await this.jobs.dispatch(jobId, GENERATE_JOB);
    return { batch, jobId };
  }

  /**
   * OFFICER gives up a batch that has not been submitted: every line is cancelled and every claim
   * on a month, year or one-time payment is released, so the next batch for the period pays those
   * beneficiaries. A generation still running stops at its next chunk (it holds the batch's lock
   * while it writes one, so a chunk is either wholly before the cancel or not written).
   */
  async cancel(actor: Actor, id: string, reason?: string): Promise<BatchView> {
    return this.transition(
      actor,
      id,
      'cancelled',
      ['DRAFT', 'GENERATION_FAILED', 'GENERATED'],
      async (manager, row) => {
        await this.repository.releaseCoverage(manager, row.id);
        await this.repository.cancelLines(manager, row.id);
        await this.overpayments.releaseOffsets(manager, row.id);
        return this.repository.updateBatch(manager, row.id, {
          status: 'CANCELLED',
          cancelled_by: actor.id,
          cancelled_at: new Date(),
          cancel_reason: reason ?? null,
        });
      },
    );
  }

  /** The generation job of a batch, recorded in the caller's transaction (dispatch after commit). */
  private recordGeneration(manager: EntityManager, batchId: string, countyCode: string): Promise<string> {
    return this.jobs.record(
      manager,
      GENERATE_JOB,
      { batchId },
      // A new job for each run of the batch's generation (the first, then each resume).
      { regionCode: countyCode },
    );
  }

  async get(actor: Actor, id: string): Promise<BatchView> {
    const manager = this.transactions.dataSource.manager;
    const row = await this.inScope(manager, actor, id);
    const exceptions = await this.repository.exceptions(manager, id);
    return {
      ...toBatchView(row),
      exceptions: exceptions.map((e) => ({
        householdId: e.household_id,
        personId: e.person_id,
        reason: storedReasonText(
          { code: e.reason_code, params: e.reason_params, text: e.reason },
          exceptionReasonText,
          currentLanguage(),
        )!,
        reasonCode: e.reason_code ?? e.reason.split(':')[0],
      })),
    };
  }

  async list(
    actor: Actor,
    query: { policyCode?: string; status?: string; period?: string; limit: number; cursor?: string },
  ): Promise<Page<BatchView>> {
    const [after] = decodeCursor(query.cursor, [cursorPart.uuid]) ?? [];
    const rows = await this.repository.listBatches(
      this.transactions.dataSource.manager,
      { ...query, prefix: new RegionScope(actor.regionCode).prefix },
      after,
      query.limit,
    );
    return toPage(rows, query.limit, (row) => [row.id], toBatchView);
  }

  async lines(actor: Actor, id: string, limit: number, cursor?: string): Promise<Page<LineView>> {
    const manager = this.transactions.dataSource.manager;
    await this.inScope(manager, actor, id);
    const [after] = decodeCursor(cursor, [cursorPart.int4]) ?? [0];
    const rows = await this.repository.linesPage(manager, id, after, limit + 1);
    // Account numbers in full only for finance, who reconciles them with the bank.
    const view =
      actor.role === 'FINANCE'
        ? toLineView
        : (row: LineRow) => ({ ...toLineView(row), accountNo: maskNumber(row.account_no) });
    return toPage(rows, limit, (row) => [row.line_no], view);
  }

  async submit(actor: Actor, id: string): Promise<BatchView> {
    return this.transition(actor, id, 'submitted', ['GENERATED'], async (manager, row) => {
      if (row.line_count === 0) {
        throw new ValidationFailedError([{ field: 'lines', message: callerText('messages.noLinesToPay') }]);
      }
      return this.repository.updateBatch(manager, row.id, {
        status: 'SUBMITTED',
        submitted_by: actor.id,
        submitted_at: new Date(),
      });
    });
  }

  async reject(actor: Actor, id: string, reason: string): Promise<BatchView> {
    return this.transition(actor, id, 'rejected', ['SUBMITTED'], async (manager, row) => {
      if (row.submitted_by === actor.id) throw new SelfApprovalForbiddenError();
      // Nothing was committed, so nothing is released; the lines' claims on their months are freed.
      await this.repository.releaseCoverage(manager, row.id);
      await this.repository.cancelLines(manager, row.id);
      await this.overpayments.releaseOffsets(manager, row.id);
      return this.repository.updateBatch(manager, row.id, {
        status: 'REJECTED',
        rejected_by: actor.id,
        rejected_at: new Date(),
        reject_reason: reason,
      });
    });
  }

  async close(actor: Actor, id: string): Promise<BatchView> {
    return this.transition(actor, id, 'closed', ['SETTLED'], (manager, row) =>
      this.repository.updateBatch(manager, row.id, { status: 'CLOSED', closed_by: actor.id, closed_at: new Date() }),
    );
  }

  /**
   * FINANCE approves: commits the budget by funding shares and posts the ledger, all in one
   * transaction, or nothing (409 INSUFFICIENT_BUDGET names the short line). The same
   * Idempotency-Key again answers the first result and does nothing.
   */
  async approve(actor: Actor, id: string, idempotencyKey?: string): Promise<BatchView> {
    return this.transactions.run(async (manager) => {
      const row = await this.inScope(manager, actor, id, true);
      if (idempotencyKey && row.approval_key === idempotencyKey) return toBatchView(row);
      if (idempotencyKey && row.approval_key && row.approval_key !== idempotencyKey) {
        throw new IdempotencyKeyReusedError();
      }
      if (row.status !== 'SUBMITTED') throw new InvalidStateTransitionError('batch', row.status, 'approved');
      if (row.submitted_by === actor.id) throw new SelfApprovalForbiddenError();

      const policy = await this.policy(row.policy_code, manager);
      // Offsets first: they recover overpayment claims (receivable -> available), then the lines'
      // offset parts are committed and spent at once (kept back, never sent to the bank).
      await this.overpayments.applyOffsets(manager, row.id);
      const offsets = await this.repository.lineOffsets(manager, row.id);
      for (const [index, group] of groupByShares(policy, offsets).entries()) {
        const movement = {
          fiscalYear: row.fiscal_year,
          policyCode: row.policy_code,
          countyCode: row.county_code,
          shares: group.shares,
          batchId: row.id,
          idempotencyKey: offsetMovementKey(row.id, index),
          lines: group.lines.map((line) => ({ lineId: line.id, amount: money(line.amount) })),
        };
        await this.budgets.commit(manager, movement);
        await this.budgets.spend(manager, movement);
      }
      const lines = await this.repository.lineAmounts(manager, row.id, ['PENDING']);
      for (const [index, group] of groupByShares(policy, lines).entries()) {
        await this.budgets.commit(manager, {
          fiscalYear: row.fiscal_year,
          policyCode: row.policy_code,
          countyCode: row.county_code,
          shares: group.shares,
          batchId: row.id,
          idempotencyKey: `batch:${row.id}:commit:${index}`,
          lines: group.lines.map((line) => ({ lineId: line.id, amount: money(line.amount) })),
        });
      }
      // The versions that decided these lines can never change again, through the period paid.
      await this.policyVersions.markVersionsUsed(
        manager,
        [...new Set(lines.map((line) => line.version_id))],
        lastDayOf(row.period),
      );
      const updated = await this.repository.updateBatch(manager, row.id, {
        status: 'APPROVED',
        approved_by: actor.id,
        approved_at: new Date(),
        approval_key: idempotencyKey ?? null,
      });
      await this.audit.record(manager, {
        action: 'batch.approved',
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        before: toBatchView(row),
        after: toBatchView(updated),
      });
      return toBatchView(updated);
    });
  }

  async inScope(manager: EntityManager, actor: Actor, id: string, lock = false): Promise<BatchRow> {
    const row = await this.repository.findBatch(manager, id, lock);
    if (!row || !new RegionScope(actor.regionCode).covers(row.county_code)) throw new NotFoundError('Batch', id);
    return row;
  }

  private transition(
    actor: Actor,
    id: string,
    verb: string,
    from: string[],
    work: (manager: EntityManager, row: BatchRow) => Promise<BatchRow>,
  ): Promise<BatchView> {
    return this.transactions.run(async (manager) => {
      const row = await this.inScope(manager, actor, id, true);
      if (!from.includes(row.status)) throw new InvalidStateTransitionError('batch', row.status, verb);
      const updated = await work(manager, row);
      await this.audit.record(manager, {
        action: `batch.${verb}`,
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        before: toBatchView(row),
        after: toBatchView(updated),
      });
      return toBatchView(updated);
    });
  }
}

export const toLineView = (row: LineRow): LineView => ({
  id: row.id,
  lineNo: row.line_no,
  householdId: row.household_id,
  personId: row.person_id,
  periods: row.periods,
  amount: formatMoney(row.amount),
  grossAmount: formatMoney(row.gross_amount),
  offsetAmount: formatMoney(row.offset_amount),
  status: row.status,
  bankRef: row.bank_ref,
  reason: row.reason,
  accountNo: row.account_no,
  accountName: row.account_name,
});

/** Lines grouped by the funding shares of the version that decided them (usually one group). */
export function groupByShares(
  policy: PolicyWithVersions,
  lines: { id: string; amount: string; version_id: string }[],
): { shares: FundingShares; lines: { id: string; amount: string }[] }[] {
  // Shares are worked out once per version, not once per line: a city batch has a million lines.
  const groups = new Map<string, { shares: FundingShares; lines: { id: string; amount: string }[] }>();
  const groupOfVersion = new Map<string, { shares: FundingShares; lines: { id: string; amount: string }[] }>();
  const latest = policy.versions[policy.versions.length - 1];
  for (const line of lines) {
    let group = groupOfVersion.get(line.version_id);
    if (!group) {
      const version = policy.versions.find((v) => v.id === line.version_id) ?? latest;
      const key = JSON.stringify(version.fundingShares);
      group = groups.get(key);
      if (!group) {
        const shares = Object.fromEntries(
          Object.entries(version.fundingShares).map(([level, share]) => [level, new Decimal(String(share))]),
        ) as FundingShares;
        group = { shares, lines: [] };
        groups.set(key, group);
      }
      groupOfVersion.set(line.version_id, group);
    }
    group.lines.push({ id: line.id, amount: line.amount });
  }
  return [...groups.values()];
}
