import { Injectable, Logger } from '@nestjs/common';
import type { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { AppConfig } from '../../config/app-config.js';
import { todayInChina } from '../../common/calendar.js';
import { formatMoney, money } from '../../common/money.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { JobProcessor, type FailedJob, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { JobStoppedError } from '../jobs/jobs.errors.js';
import { OverpaymentsService } from '../overpayments/overpayments.service.js';
import { accountNoProblemKey } from '../registry/bank-account.js';
import { holderProblemKey } from '../registry/household-rules.js';
import { DEFAULT_LANGUAGE } from '../../common/i18n/i18n.js';
import { exceptionReasonText } from '../../common/i18n/stored-reason.js';
import {
  loadHistories,
  payingAccountOn,
  timelineOf,
  type HouseholdHistory,
  type HouseholdTimeline,
} from '../registry/household-history.js';
import { HouseholdSnapshots, type PayingAccount } from '../registry/household-snapshots.service.js';
import { batchUnits } from './batch-period.js';
import {
  candidateCursor,
  DisbursementsRepository,
  type CandidateRow,
  type NewException,
  type NewLine,
} from './disbursements.repository.js';
import { DisbursementsService, GENERATE_JOB, toBatchView } from './disbursements.service.js';
import { owedFor } from './generation.js';

export interface GenerationResult {
  batchId: string;
  lineCount: number;
  totalAmount: string;
  exceptionCount: number;
}

class ClaimConflict extends Error {}

/** Each household of the chunk through time, from its history read once. */
function timelinesFrom(histories: Map<string, HouseholdHistory>): (householdId: string) => HouseholdTimeline {
  const built = new Map<string, HouseholdTimeline>();
  return (householdId) => {
    let timeline = built.get(householdId);
    if (!timeline) {
      const history = histories.get(householdId);
      if (!history) throw new Error(`household ${householdId} has no history`);
      timeline = timelineOf(history);
      built.set(householdId, timeline);
    }
    return timeline;
  };
}

export interface GenerationJob {
  batchId: string;
  chunkSize?: number;
}

/**
 * Generates a batch's lines: streams the county's active enrollments of the policy in keyset
 * chunks, decides each beneficiary for every unpaid unit of the period (arrears included) with the
 * eligibility engine's own function, and writes each chunk's lines, coverage claims, exceptions and
 * the batch's cursor in one transaction. A rerun after a crash resumes after the last committed
 * chunk and so yields the same lines; a finished batch makes the rerun a no-op.
 */
@Injectable()
@JobProcessor(GENERATE_JOB)
export class GenerationProcessor implements JobHandler<GenerationJob, GenerationResult> {
  private readonly logger = new Logger(GenerationProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly disbursements: DisbursementsService,
    private readonly snapshots: HouseholdSnapshots,
    private readonly audit: AuditService,
    private readonly overpayments: OverpaymentsService,
  ) {}

  async run(job: JobContext<GenerationJob>): Promise<GenerationResult> {
    const chunkSize = job.data.chunkSize ?? this.config.GENERATION_CHUNK_SIZE;
    const manager = this.transactions.dataSource.manager;
    let batch = await this.repository.findBatch(manager, job.data.batchId);
    if (!batch) throw new NotFoundError('Batch', job.data.batchId);
    const policy = await this.disbursements.policy(batch.policy_code);
    const units = batchUnits(policy.frequency, batch.period);
    if (typeof units === 'string') throw new ValidationFailedError([{ field: 'period', message: units }]);
    const today = todayInChina();
    // A resumed or restarted run counts the chunks committed before it as done.
    const counts = await this.repository.candidateCounts(
      manager,
      batch.policy_code,
      batch.county_code,
      batch.generation_cursor,
    );
    const total = counts.total;
    let done = counts.done;

    while (batch.status === 'DRAFT') {
      const cursor = batch.generation_cursor;
      let retried = false;
      for (;;) {
        try {
          const next = await this.transactions.run(async (tx) => {
            const locked = (await this.repository.findBatch(tx, batch!.id, true))!;
            if (locked.status !== 'DRAFT' || locked.generation_cursor !== cursor) return locked; // another run moved on
            const candidates = await this.repository.candidates(
              tx,
              locked.policy_code,
              locked.county_code,
              cursor,
              chunkSize,
            );
            if (candidates.length === 0) {
              const finished = await this.repository.updateBatch(tx, locked.id, {
                status: 'GENERATED',
                generated_at: new Date(),
              });
              await this.audit.record(tx, {
                action: 'batch.generated',
                entityType: 'disbursement_batch',
                entityId: locked.id,
                regionCode: locked.county_code,
                after: toBatchView(finished),
                actor: null,
              });
              return finished;
            }
            const householdIds = [...new Set(candidates.map((c) => c.household_id))];
            // Each household's dated record is read once; every decision date is answered from it.
            const histories = await loadHistories(tx, householdIds);
            const timelineOf = timelinesFrom(histories);
            // Payments go to the account in force today, read from the same histories (a holder
            // from outside the household, which the histories do not hold, is looked up).
            const accounts = new Map<string, PayingAccount>();
            const outsiders: string[] = [];
            for (const [householdId, history] of histories) {
              const account = payingAccountOn(history, today);
              if (account) accounts.set(householdId, account);
              else if (account === undefined) outsiders.push(householdId);
            }
            if (outsiders.length > 0) {
              for (const [householdId, account] of await this.snapshots.accountsOn(outsiders, today, tx)) {
                accounts.set(householdId, account);
              }
            }
            const keys = candidates.map((c) => c.beneficiary_key);
            const covered = await this.repository.coveredUnits(tx, locked.policy_code, keys, units.units);
            const failedAccounts = await this.repository.failedAccounts(tx, locked.policy_code, keys);

            const lines: NewLine[] = [];
            const exceptions: NewException[] = [];
            let lineNo = locked.line_count;
            let chunkTotal = money(0);
            for (const candidate of candidates) {
              const outcome = this.lineFor(
                candidate,
                policy,
                units,
                timelineOf,
                accounts.get(candidate.household_id),
                today,
                covered,
                failedAccounts,
              );
              if (!outcome) continue;
              if ('reason' in outcome) {
                exceptions.push(outcome);
                continue;
              }
              lines.push({ ...outcome, lineNo: ++lineNo });
            }
            // The households' overpayment claims take their offsets (the lines then pay the net).
            const offsets = await this.overpayments.reserveOffsets(tx, policy, lines);
            const kept = new Map<number, Decimal>();
            for (const o of offsets) kept.set(o.lineNo, (kept.get(o.lineNo) ?? money(0)).plus(o.amount));
            for (const line of lines) {
              const offset = kept.get(line.lineNo);
              if (offset) line.amount = formatMoney(money(line.amount).minus(offset));
              chunkTotal = chunkTotal.plus(line.amount);
            }
            const claimed = await this.repository.insertLinesChunk(tx, locked.id, locked.policy_code, lines);
            if (claimed < 0) throw new ClaimConflict('a concurrent batch claimed some of these months');
            await this.overpayments.recordOffsets(tx, locked.id, offsets);
            await this.repository.insertExceptions(tx, locked.id, exceptions);
            const [{ n: exceptionCount }] = await tx.query(
              `SELECT count(*)::int AS n FROM disbursement_exceptions WHERE batch_id = $1`,
              [locked.id],
            );
            done += candidates.length;
            return this.repository.updateBatch(tx, locked.id, {
              line_count: lineNo,
              total_amount: formatMoney(money(locked.total_amount).plus(chunkTotal)),
              exception_count: exceptionCount,
              generation_cursor: candidateCursor(candidates[candidates.length - 1]),
            });
          });
          batch = next;
          break;
        } catch (error) {
          // Two batches racing for the same months: redo the chunk once; the claims made by the
          // other batch are then seen as covered and left out.
          if (error instanceof ClaimConflict && !retried) {
            retried = true;
            this.logger.warn(`batch ${batch.id}: ${error.message}; redoing the chunk`);
            continue;
          }
          throw error;
        }
      }
      await job.progress(total === 0 ? 99 : Math.min(99, (done / total) * 100));
      // Stopping (SIGTERM): the chunk just committed is kept; the next runner goes on after it.
      if (batch.status === 'DRAFT' && job.stopping()) throw new JobStoppedError();
    }
    return {
      batchId: batch.id,
      lineCount: batch.line_count,
      totalAmount: formatMoney(batch.total_amount),
      exceptionCount: batch.exception_count,
    };
  }

  /**
   * The job will not run again (a domain error, or attempts exhausted): the batch says so, with the
   * error, and keeps what its committed chunks wrote, to be resumed or cancelled by an officer.
   */
  async onFailed(manager: EntityManager, job: FailedJob<GenerationJob>): Promise<void> {
    const batch = await this.repository.findBatch(manager, job.data.batchId, true);
    if (!batch || batch.status !== 'DRAFT' || batch.generation_job_id !== job.id) return;
    const failed = await this.repository.updateBatch(manager, batch.id, {
      status: 'GENERATION_FAILED',
      generation_error: { code: job.problem.code, detail: job.problem.detail, jobId: job.id, attempts: job.attempts },
    });
    await this.audit.record(manager, {
      action: 'batch.generation_failed',
      entityType: 'disbursement_batch',
      entityId: batch.id,
      regionCode: batch.county_code,
      before: toBatchView(batch),
      after: toBatchView(failed),
      actor: null,
    });
  }

  private lineFor(
    candidate: CandidateRow,
    policy: Parameters<typeof owedFor>[0],
    units: Parameters<typeof owedFor>[1],
    timelineOf: (householdId: string) => HouseholdTimeline,
    account: PayingAccount | undefined,
    today: string,
    covered: ReadonlySet<string>,
    failedAccounts: Map<string, Set<string>>,
  ): Omit<NewLine, 'lineNo'> | NewException | null {
    // Nothing is owed for a fiscal year before the one in which the enrollment was applied for.
    if (units.fiscalYear < candidate.applied_year) return null;
    const owed = owedFor(
      policy,
      units,
      {
        enrollmentId: candidate.id,
        householdId: candidate.household_id,
        personId: candidate.beneficiary_person_id,
        beneficiaryKey: candidate.beneficiary_key,
      },
      timelineOf(candidate.household_id),
      covered,
    );
    if (!owed) return null;
    const exception = (code: string, params: Record<string, unknown> = {}): NewException => {
      const reason = { code, params };
      return {
        enrollmentId: candidate.id,
        householdId: candidate.household_id,
        personId: candidate.beneficiary_person_id,
        // Worded in the reader's language when answered; the Chinese text is kept beside the code.
        reason,
        text: exceptionReasonText(reason, DEFAULT_LANGUAGE)!,
      };
    };
    if (!account) return exception('NO_BANK_ACCOUNT');
    const holder = account.holder.member ? account.holder : undefined;
    const problem =
      accountNoProblemKey(account.accountNo) ??
      (holder ? holderProblemKey(holder, today) : { key: 'reasons.holderNotMember' as const });
    if (problem)
      return exception('INVALID_BANK_ACCOUNT', { problem: problem.key, problemParams: problem.params ?? {} });
    if (failedAccounts.get(candidate.beneficiary_key)?.has(account.accountNo)) return exception('ACCOUNT_NOT_FIXED');
    return {
      enrollmentId: candidate.id,
      householdId: candidate.household_id,
      personId: candidate.beneficiary_person_id,
      beneficiaryKey: candidate.beneficiary_key,
      regionCode: candidate.region_code,
      periods: owed.units,
      unitAmounts: owed.unitAmounts,
      amount: owed.total,
      bankCode: account.bankCode,
      accountNo: account.accountNo,
      accountName: holder!.name,
      idNumber: holder!.idNumber,
      decision: { months: owed.months },
      versionIds: owed.versionIds,
    };
  }
}
