import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidStateTransitionError } from '../../common/errors.js';
import { label } from '../../common/i18n/i18n.js';
import { formatMoney, money } from '../../common/money.js';
import { neutraliseFormula } from '../../common/spreadsheet.js';
import { currentLanguage, type Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { BudgetCommitmentsService } from '../budgets/budget-commitments.service.js';
import { OverpaymentsService } from '../overpayments/overpayments.service.js';
import { BankFormatConflictError, bankFormat, DEFAULT_BANK_FORMAT, type BankFileFormat } from './bank-formats/index.js';
import { readResultFile } from './bank-formats/reader.js';
import { writeBankFile, type PaymentRecord } from './bank-formats/writer.js';
import { BankFormatsService } from './bank-formats.service.js';
import { checkResults, checkSummary, type PayableLine } from './bank-results.js';
import { BankFileRejectedError } from './disbursements.errors.js';
import { DisbursementsRepository, type BatchRow } from './disbursements.repository.js';
import { DisbursementsService, groupByShares, toBatchView, type BatchView } from './disbursements.service.js';

const PAGE = 5000;
/** Lines per spend/release call (each call seals its transfers in its own block). */
const SETTLEMENT_CHUNK = 10_000;

export interface SettlementView {
  batch: BatchView;
  paid: number;
  failed: number;
  unchanged: number;
}

/** A batch's bank file: the format it is in, its SHA-256 and its bytes (as often as asked, the same). */
export interface BankFileDownload {
  batch: BatchView;
  format: BankFileFormat;
  sha256: string;
  body: () => Readable;
}

/**
 * Bank files out and result files in, each in a bank format (bank-formats/): the county's unless
 * the export names another, then always the one the batch was first exported in. The bank file is
 * a pure function of the approved lines and the format, so downloading it again gives the same
 * bytes (its SHA-256 is recorded at the first export).
 */
@Injectable()
export class BankFilesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly disbursements: DisbursementsService,
    private readonly budgets: BudgetCommitmentsService,
    private readonly audit: AuditService,
    private readonly formats: BankFormatsService,
    private readonly overpayments: OverpaymentsService,
  ) {}

  /**
   * Exports (first time: APPROVED -> EXPORTED, format and hash recorded) and returns the stream and
   * its hash. `formatCode` names a format (422 BANK_FORMAT_UNKNOWN otherwise); once exported, a batch
   * answers only in its format (409 BANK_FORMAT_CONFLICT for another).
   */
  async export(actor: Actor, id: string, formatCode?: string): Promise<BankFileDownload> {
    const requested = formatCode === undefined ? undefined : bankFormat(formatCode);
    const { batch, format, totals } = await this.transactions.run(async (manager) => {
      const row = await this.disbursements.inScope(manager, actor, id, true);
      if (!['APPROVED', 'EXPORTED', 'SETTLED', 'CLOSED'].includes(row.status)) {
        throw new InvalidStateTransitionError('batch', row.status, 'exported');
      }
      const totals = await this.repository.exportTotals(manager, row.id);
      if (row.status !== 'APPROVED') {
        const exported = bankFormat(row.bank_format ?? DEFAULT_BANK_FORMAT);
        if (requested && requested.code !== exported.code) {
          throw new BankFormatConflictError(row.batch_no, exported.code, requested.code);
        }
        // Every download of full account and ID numbers is accounted for, with the file's hash.
        await this.audit.record(manager, {
          action: 'batch.bank_file_downloaded',
          entityType: 'disbursement_batch',
          entityId: row.id,
          regionCode: row.county_code,
          after: { bankFormat: exported.code, sha256: row.bank_file_sha256 },
        });
        return { batch: row, format: exported, totals };
      }
      const format = requested ?? (await this.formats.countyFormat(manager, row.county_code));
      const sha256 = await this.hash(row, format, totals);
      const updated = await this.repository.updateBatch(manager, row.id, {
        status: 'EXPORTED',
        bank_file_sha256: sha256,
        bank_format: format.code,
        exported_by: actor.id,
        exported_at: new Date(),
      });
      await this.audit.record(manager, {
        action: 'batch.exported',
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        before: toBatchView(row),
        after: { ...toBatchView(updated), bankFormat: format.code },
      });
      return { batch: updated, format, totals };
    });
    return {
      batch: toBatchView(batch),
      format,
      sha256: batch.bank_file_sha256!,
      body: () => this.file(batch, format, totals),
    };
  }

  /** The bank file of an approved batch in `format`: its lines in line order, cancelled ones left out. */
  private file(batch: BatchRow, format: BankFileFormat, totals: { count: number; total: string }): Readable {
    const rows = this.repository.exportRows(this.transactions.dataSource, batch.id);
    const policyName = label('policy', batch.policy_code);
    async function* records(): AsyncGenerator<PaymentRecord> {
      for await (const line of rows) {
        yield {
          lineNo: line.lineNo,
          values: {
            line_no: String(line.lineNo),
            batch_no: batch.batch_no,
            account_no: line.accountNo,
            account_name: neutraliseFormula(line.accountName),
            id_number: line.idNumber,
            amount: formatMoney(line.amount),
            policy_code: batch.policy_code,
            policy_name: policyName,
            period: batch.period,
            bank_code: line.bankCode,
          },
        };
      }
    }
    const summary = { batchNo: batch.batch_no, count: totals.count, total: formatMoney(totals.total) };
    return writeBankFile(format, summary, records());
  }

  /** SHA-256 of the bank file, computed by streaming it once (the lines no longer change). */
  private async hash(batch: BatchRow, format: BankFileFormat, totals: { count: number; total: string }) {
    const digest = createHash('sha256');
    await pipeline(
      this.file(batch, format, totals),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          digest.update(chunk);
          callback();
        },
      }),
    );
    return digest.digest('hex');
  }

  /**
   * Imports the bank's results: the whole file is checked first and refused whole (422
   * BANK_FILE_REJECTED with every problem) if anything is wrong; otherwise, in one transaction,
   * lines become PAID or FAILED, payments are posted (committed -> spent) and failed amounts released
   * (committed -> available), failed lines' months are freed for a later batch (and their offsets'
   * recoveries reversed: OverpaymentsService.reverseOffsets), and the batch is
   * SETTLED once no line is pending. The same file again changes nothing.
   */
  async importResults(actor: Actor, id: string, content: Buffer | string): Promise<SettlementView> {
    const fileHash = createHash('sha256').update(content).digest('hex');
    // The bank answers in the format the batch was exported in (fixed from then on): the file is
    // read before the batch is locked.
    const exported = await this.disbursements.inScope(this.transactions.dataSource.manager, actor, id);
    const format = bankFormat(exported.bank_format ?? DEFAULT_BANK_FORMAT);
    const { records, summary } = await readResultFile(content, format);
    return this.transactions.run(async (manager) => {
      const row = await this.disbursements.inScope(manager, actor, id, true);
      if (!['EXPORTED', 'SETTLED', 'CLOSED'].includes(row.status) || row.bank_format !== format.code) {
        throw new InvalidStateTransitionError('batch', row.status, 'settled');
      }
      const lines = new Map<number, PayableLine>();
      let after = 0;
      for (;;) {
        const page = await this.repository.linesPage(manager, row.id, after, PAGE);
        for (const line of page) {
          if (line.status === 'CANCELLED') continue;
          lines.set(line.line_no, {
            id: line.id,
            lineNo: line.line_no,
            accountNo: line.account_no,
            amount: line.amount,
            status: line.status,
            bankRef: line.bank_ref,
            reason: line.reason,
          });
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].line_no;
      }
      const lang = currentLanguage();
      const check = checkResults(records, lines, format.result.statusWords, lang);
      const problems = [...(summary ? checkSummary(summary, records, row.batch_no, lang) : []), ...check.problems];
      if (problems.length > 0) throw new BankFileRejectedError(problems);
      if (check.outcomes.length === 0) {
        return { batch: toBatchView(row), paid: 0, failed: 0, unchanged: records.length };
      }
      if (row.status === 'CLOSED') throw new InvalidStateTransitionError('batch', row.status, 'settled');

      await this.repository.settleLines(
        manager,
        check.outcomes.map((o) => ({ id: o.line.id, status: o.status, bankRef: o.bankRef, reason: o.reason })),
      );
      const policy = await this.disbursements.policy(row.policy_code, manager);
      const amounts = new Map(
        (await this.repository.lineAmounts(manager, row.id, ['PAID', 'FAILED'])).map((line) => [line.id, line]),
      );
      for (const status of ['PAID', 'FAILED'] as const) {
        const settled = check.outcomes.filter((o) => o.status === status).map((o) => amounts.get(o.line.id)!);
        if (settled.length === 0) continue;
        for (const [index, group] of groupByShares(policy, settled).entries()) {
          // Payments post one transfer per line and level: chunked, so no call holds a city's worth.
          for (let start = 0; start < group.lines.length; start += SETTLEMENT_CHUNK) {
            const movement = {
              fiscalYear: row.fiscal_year,
              policyCode: row.policy_code,
              countyCode: row.county_code,
              shares: group.shares,
              batchId: row.id,
              idempotencyKey: `batch:${row.id}:results:${fileHash}:${status}:${index}:${start}`,
              lines: group.lines
                .slice(start, start + SETTLEMENT_CHUNK)
                .map((line) => ({ lineId: line.id, amount: money(line.amount) })),
            };
            if (status === 'PAID') await this.budgets.spend(manager, movement);
            else await this.budgets.release(manager, movement);
          }
        }
      }
      const failedIds = check.outcomes.filter((o) => o.status === 'FAILED').map((o) => o.line.id);
      if (failedIds.length > 0) {
        await this.repository.releaseCoverage(manager, row.id, failedIds);
        // Their offsets never reached the household: the claims get them back to recover again.
        await this.overpayments.reverseOffsets(manager, row, policy, failedIds);
      }
      const pending = await this.repository.pendingCount(manager, row.id);
      const updated =
        pending === 0 && row.status === 'EXPORTED'
          ? await this.repository.updateBatch(manager, row.id, { status: 'SETTLED', settled_at: new Date() })
          : row;
      const paid = check.outcomes.length - failedIds.length;
      await this.audit.record(manager, {
        action: 'batch.results_imported',
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        before: toBatchView(row),
        after: {
          ...toBatchView(updated),
          paid,
          failed: failedIds.length,
          fileSha256: fileHash,
          bankFormat: format.code,
        },
      });
      return {
        batch: toBatchView(updated),
        paid,
        failed: failedIds.length,
        unchanged: records.length - check.outcomes.length,
      };
    });
  }
}
