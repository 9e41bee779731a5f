import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvReadProblem, nulCellIndex } from '../../common/csv.js';
import { InvalidStateTransitionError, ValidationFailedError } from '../../common/errors.js';
import { formatMoney, money } from '../../common/money.js';
import { neutraliseFormula } from '../../common/spreadsheet.js';
import { requestContext, type Actor } from '../../common/request-context.js';
import { DEFAULT_LANGUAGE, translate } from '../../common/i18n/i18n.js';
import { decodeBuffer, detectEncoding } from '../../common/text-encoding.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { BudgetCommitmentsService } from '../budgets/budget-commitments.service.js';
import { checkResults, RESULT_COLUMNS, type PayableLine, type ResultRecord } from './bank-results.js';
import { BankFileRejectedError } from './disbursements.errors.js';
import { DisbursementsRepository, type BatchRow } from './disbursements.repository.js';
import { DisbursementsService, groupByShares, toBatchView, type BatchView } from './disbursements.service.js';

/** The bank file of SPEC.md, in this column order. */
export const BANK_FILE_COLUMNS = [
  'line_no',
  'batch_no',
  'account_no',
  'account_name',
  'id_number',
  'amount',
  'policy_code',
  'period',
] as const;

const PAGE = 5000;
/** Lines per spend/release call (each call seals its transfers in its own block). */
const SETTLEMENT_CHUNK = 10_000;

export interface SettlementView {
  batch: BatchView;
  paid: number;
  failed: number;
  unchanged: number;
}

/**
 * Bank files out and result files in. The bank file is a pure function of the approved lines, so
 * downloading it again gives the same bytes (its SHA-256 is recorded at the first export).
 */
@Injectable()
export class BankFilesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: DisbursementsRepository,
    private readonly disbursements: DisbursementsService,
    private readonly budgets: BudgetCommitmentsService,
    private readonly audit: AuditService,
  ) {}

  /** Exports (first time: APPROVED -> EXPORTED, hash recorded) and returns the stream and its hash. */
  async export(actor: Actor, id: string): Promise<{ batch: BatchView; sha256: string; body: () => Readable }> {
    const batch = await this.transactions.run(async (manager) => {
      const row = await this.disbursements.inScope(manager, actor, id, true);
      if (!['APPROVED', 'EXPORTED', 'SETTLED', 'CLOSED'].includes(row.status)) {
        throw new InvalidStateTransitionError('batch', row.status, 'exported');
      }
      if (row.status !== 'APPROVED') return row;
      const sha256 = await this.hash(row);
      const updated = await this.repository.updateBatch(manager, row.id, {
        status: 'EXPORTED',
        bank_file_sha256: sha256,
        exported_by: actor.id,
        exported_at: new Date(),
      });
      await this.audit.record(manager, {
        action: 'batch.exported',
        entityType: 'disbursement_batch',
        entityId: row.id,
        regionCode: row.county_code,
        before: toBatchView(row),
        after: toBatchView(updated),
      });
      return updated;
    });
    return { batch: toBatchView(batch), sha256: batch.bank_file_sha256!, body: () => this.csv(batch) };
  }

  private csv(batch: BatchRow): Readable {
    const repository = this.repository;
    const manager = this.transactions.dataSource.manager;
    async function* rows() {
      let after = 0;
      for (;;) {
        const lines = await repository.linesPage(manager, batch.id, after, PAGE);
        for (const line of lines) {
          if (line.status === 'CANCELLED') continue;
          yield [
            line.line_no,
            batch.batch_no,
            line.account_no,
            neutraliseFormula(line.account_name),
            line.id_number,
            formatMoney(line.amount),
            batch.policy_code,
            batch.period,
          ];
        }
        if (lines.length < PAGE) return;
        after = lines[lines.length - 1].line_no;
      }
    }
    return Readable.from(rows()).pipe(
      stringify({ header: true, columns: [...BANK_FILE_COLUMNS], record_delimiter: '\n' }),
    );
  }

  /** SHA-256 of the bank file, computed by streaming it once (the lines no longer change). */
  private async hash(batch: BatchRow): Promise<string> {
    const digest = createHash('sha256');
    await pipeline(
      this.csv(batch),
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
   * (committed -> available), failed lines' months are freed for a later batch, and the batch is
   * SETTLED once no line is pending. The same file again changes nothing.
   */
  async importResults(actor: Actor, id: string, content: Buffer | string): Promise<SettlementView> {
    const records = await parseResults(content);
    const fileHash = createHash('sha256').update(content).digest('hex');
    return this.transactions.run(async (manager) => {
      const row = await this.disbursements.inScope(manager, actor, id, true);
      if (!['EXPORTED', 'SETTLED', 'CLOSED'].includes(row.status)) {
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
      const check = checkResults(records, lines);
      if (check.problems.length > 0) throw new BankFileRejectedError(check.problems);
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
      if (failedIds.length > 0) await this.repository.releaseCoverage(manager, row.id, failedIds);
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
        after: { ...toBatchView(updated), paid, failed: failedIds.length, fileSha256: fileHash },
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

/**
 * Parses the result CSV (header row required, columns of SPEC.md). A file without those columns is
 * a 400; one the parser cannot read (an unclosed quote, binary) or with a NUL in a cell is refused
 * whole as 422 BANK_FILE_REJECTED naming the line.
 */
export async function parseResults(content: Buffer | string): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  let text: string | Buffer = content;
  if (Buffer.isBuffer(content)) {
    // UTF-8 (BOM or not) or GB18030/GBK, read strictly; bytes valid in neither refuse the file.
    const verdict = await detectEncoding(content);
    if ('unreadableLine' in verdict) {
      const line = verdict.unreadableLine;
      const lang = requestContext.current()?.language ?? DEFAULT_LANGUAGE;
      throw new BankFileRejectedError([{ line, message: translate('import.unreadableLine', { line }, lang) }]);
    }
    text = decodeBuffer(content, verdict.encoding);
  }
  try {
    const parser = Readable.from([text]).pipe(
      parse({ columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }),
    );
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const missing = RESULT_COLUMNS.filter((column) => !(column in record));
      if (missing.length > 0) {
        throw new ValidationFailedError([{ field: 'file', message: `missing columns: ${missing.join(', ')}` }]);
      }
      const cells = RESULT_COLUMNS.map((column) => record[column]);
      if (nulCellIndex(cells) >= 0) {
        throw new BankFileRejectedError([{ line: info.lines, message: 'a cell contains a NUL character' }]);
      }
      const [line_no, account_no, amount, status, bank_ref, reason] = cells;
      records.push({ fileLine: info.lines, line_no, account_no, amount, status, bank_ref, reason });
    }
  } catch (error) {
    const problem = csvReadProblem(error);
    if (problem) throw new BankFileRejectedError([problem]);
    throw error;
  }
  if (records.length === 0)
    throw new ValidationFailedError([{ field: 'file', message: 'the file has no result lines' }]);
  return records;
}
