import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { formatMoney } from '../../common/money.js';
import { accountJson, BlockHasher, GENESIS_HASH, transferLineOf } from './block-hash.js';
import { LedgerRepository, toAccountRef, type TransferRow } from './ledger.repository.js';
import { Transactions } from '../../database/transactions.js';

export interface VerifyProblem {
  block?: number;
  transferId?: string;
  accountId?: string;
  problem: string;
}

export interface VerifyResult {
  ok: boolean;
  blocks: number;
  transfers: number;
  /** The lowest block sequence number whose content or link does not verify. */
  firstBadBlock?: number;
  problems?: VerifyProblem[];
  /** The chain head as stored: an auditor can keep it and compare it with a later run. */
  head: { seq: number; hash: string };
}

const BLOCK_PAGE = 1000;
const TRANSFER_PAGE = 5000;
const MAX_PROBLEMS = 100;

/** An account a transfer names that does not exist, as it is hashed (so that the hash still fails). */
const missingAccount = (id: string): string =>
  accountJson({ id, code: '', fiscalYear: null, policyCode: null, fundingLevel: null, countyCode: null });

/** numeric(18,2) comes back from PostgreSQL with exactly two places; anything else is normalized. */
const TWO_PLACES = /^\d+\.\d\d$/;

/** Streams transfers in (block_seq, id) order, a page at a time. */
class TransferStream {
  private buffer: TransferRow[] = [];
  private index = 0;
  private after = { blockSeq: '0', id: '0' };
  private exhausted = false;

  constructor(
    private readonly manager: EntityManager,
    private readonly repository: LedgerRepository,
  ) {}

  /** The next transfer, or undefined at the end; awaits only when a page has to be read. */
  async peek(): Promise<TransferRow | undefined> {
    if (this.index >= this.buffer.length && !this.exhausted) {
      this.buffer = await this.repository.transfersAfter(this.manager, this.after, TRANSFER_PAGE);
      this.index = 0;
      if (this.buffer.length < TRANSFER_PAGE) this.exhausted = true;
      const last = this.buffer[this.buffer.length - 1];
      if (last) this.after = { blockSeq: last.block_seq, id: last.id };
    }
    return this.buffer[this.index];
  }

  /** The transfer peek answered, if it is in the current page (no await on the hot path). */
  current(): TransferRow | undefined {
    return this.buffer[this.index];
  }

  next(): void {
    this.index++;
  }
}

/**
 * Recomputes the hash chain and the balances from the transfers, in one consistent snapshot,
 * streaming blocks and transfers in pages (never the whole ledger in memory).
 */
@Injectable()
export class LedgerVerifier {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: LedgerRepository,
  ) {}

  verify(): Promise<VerifyResult> {
    return this.transactions.run(async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return this.verifyIn(manager);
    }, 'REPEATABLE READ');
  }

  async verifyIn(manager: EntityManager): Promise<VerifyResult> {
    const problems: VerifyProblem[] = [];
    let firstBadBlock: bigint | undefined;
    const report = (problem: VerifyProblem, blockSeq?: bigint) => {
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
      if (blockSeq !== undefined && (firstBadBlock === undefined || blockSeq < firstBadBlock)) {
        firstBadBlock = blockSeq;
      }
    };

    // Every account once, serialized as the blocks hash it (a few per budget line).
    const accounts = new Map<string, string>();
    for (const row of await this.repository.allAccounts(manager)) accounts.set(row.id, accountJson(toAccountRef(row)));
    const stream = new TransferStream(manager, this.repository);
    let blocks = 0;
    let transfers = 0;
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let lastSeq = 0n;

    for (let page = await this.repository.blocksAfter(manager, '0', BLOCK_PAGE); page.length > 0;) {
      for (const block of page) {
        const seq = BigInt(block.seq);
        const bad = (problem: string) => report({ block: Number(seq), problem }, seq);
        blocks++;
        if (seq !== expectedSeq) {
          report({ block: Number(expectedSeq), problem: `block ${expectedSeq} is missing` }, expectedSeq);
        }
        if (block.prev_hash !== prevHash) bad('prev_hash does not match the hash of the previous block');

        // Transfers before this block that belong to no block seen so far.
        for (let t = await stream.peek(); t && BigInt(t.block_seq) < seq; t = await stream.peek()) {
          transfers++;
          report(
            { transferId: t.id, problem: `transfer ${t.id} names block ${t.block_seq}, which does not exist` },
            BigInt(t.block_seq),
          );
          stream.next();
        }

        const hasher = new BlockHasher({
          seq: block.seq,
          prevHash: block.prev_hash,
          transferCount: block.transfer_count,
          createdAt: block.created_at,
        });
        let count = 0;
        for (let t = await stream.peek(); t && t.block_seq === block.seq;) {
          count++;
          transfers++;
          let debit = accounts.get(t.debit_account_id);
          let credit = accounts.get(t.credit_account_id);
          if (debit === undefined || credit === undefined) {
            bad(`transfer ${t.id} names an account that does not exist`);
            debit ??= missingAccount(t.debit_account_id);
            credit ??= missingAccount(t.credit_account_id);
          }
          hasher.addLine(
            t.id,
            transferLineOf(
              {
                id: t.id,
                idempotencyId: t.idempotency_id,
                code: t.code,
                amount: TWO_PLACES.test(t.amount) ? t.amount : formatMoney(t.amount),
                batchId: t.batch_id,
                lineId: t.line_id,
                reversesTransferId: t.reverses_transfer_id,
              },
              debit,
              credit,
            ),
          );
          stream.next();
          t = stream.current() ?? (await stream.peek());
        }
        if (count !== block.transfer_count) bad(`holds ${count} transfers but its header says ${block.transfer_count}`);
        if (hasher.digest() !== block.hash) bad('hash does not match the block content');

        prevHash = block.hash;
        expectedSeq = seq + 1n;
        lastSeq = seq;
      }
      page = await this.repository.blocksAfter(manager, page[page.length - 1].seq, BLOCK_PAGE);
    }

    for (let t = await stream.peek(); t; t = await stream.peek()) {
      transfers++;
      report(
        { transferId: t.id, problem: `transfer ${t.id} names block ${t.block_seq}, which does not exist` },
        BigInt(t.block_seq),
      );
      stream.next();
    }

    const head = await this.repository.head(manager);
    if (BigInt(head.lastSeq) > lastSeq) {
      report(
        { block: Number(lastSeq + 1n), problem: `the head names block ${head.lastSeq}, which is missing` },
        lastSeq + 1n,
      );
    } else if (BigInt(head.lastSeq) < lastSeq || head.lastHash !== prevHash) {
      report({ block: Number(lastSeq), problem: 'the head does not match the last block' }, lastSeq);
    }

    for (const row of await this.repository.balanceProblems(manager, MAX_PROBLEMS)) {
      if (row.debits_posted === null || row.credits_posted === null) {
        report({ accountId: row.id, problem: `transfers name account ${row.id}, which does not exist` });
        continue;
      }
      const parts: string[] = [];
      if (formatMoney(row.debits_posted) !== formatMoney(row.debits)) {
        parts.push(
          `debits_posted ${formatMoney(row.debits_posted)} but its transfers debit ${formatMoney(row.debits)}`,
        );
      }
      if (formatMoney(row.credits_posted) !== formatMoney(row.credits)) {
        parts.push(
          `credits_posted ${formatMoney(row.credits_posted)} but its transfers credit ${formatMoney(row.credits)}`,
        );
      }
      if (row.flag_broken) parts.push('its balance breaks its flag');
      report({ accountId: row.id, problem: `account ${row.id}: ${parts.join('; ')}` });
    }

    for (const row of await this.repository.chartViolations(manager, MAX_PROBLEMS)) {
      report({
        block: Number(row.block_seq),
        transferId: row.id,
        problem: `transfer ${row.id} (${row.code}) does not follow the chart of accounts`,
      });
    }

    return {
      ok: problems.length === 0,
      blocks,
      transfers,
      ...(firstBadBlock !== undefined ? { firstBadBlock: Number(firstBadBlock) } : {}),
      ...(problems.length > 0 ? { problems } : {}),
      head: { seq: Number(head.lastSeq), hash: head.lastHash },
    };
  }
}
