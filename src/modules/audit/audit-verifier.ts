import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUDIT_GENESIS_HASH, AuditBlockHasher } from './audit-block-hash.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditRepository, toCanonicalEvent, type CanonicalEventRow } from './audit.repository.js';
import { Transactions } from '../../database/transactions.js';

export interface AuditVerifyProblem {
  block?: number;
  eventId?: string;
  problem: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  blocks: number;
  /** Events inside sealed blocks, all re-hashed. */
  events: number;
  /** Events after the last block (committed too recently, or still running): not yet covered. */
  unsealed: number;
  firstBadBlock?: number;
  problems?: AuditVerifyProblem[];
  /** The last block as stored: keep it outside the database and compare it with a later run. */
  head: { seq: number; hash: string; lastEventId: string };
}

const BLOCK_PAGE = 1000;
const EVENT_PAGE = 5000;
const MAX_PROBLEMS = 100;

/** Streams every event by id, a page at a time. */
class EventStream {
  private buffer: CanonicalEventRow[] = [];
  private index = 0;
  private after = '0';
  private exhausted = false;

  constructor(
    private readonly manager: EntityManager,
    private readonly repository: AuditRepository,
  ) {}

  async peek(): Promise<CanonicalEventRow | undefined> {
    if (this.index >= this.buffer.length && !this.exhausted) {
      this.buffer = await this.repository.canonicalEventsAfter(this.manager, this.after, null, EVENT_PAGE);
      this.index = 0;
      if (this.buffer.length < EVENT_PAGE) this.exhausted = true;
      const last = this.buffer[this.buffer.length - 1];
      if (last) this.after = last.id;
    }
    return this.buffer[this.index];
  }

  next(): void {
    this.index++;
  }
}

/**
 * Seals what is committed, then recomputes every audit block from its events in one read-only
 * REPEATABLE READ snapshot, streaming blocks and events in pages (never the trail in memory), and
 * names the first block whose content, count, range or link does not verify.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: AuditRepository,
    private readonly sealer: AuditSealer,
  ) {}

  async verify(): Promise<AuditVerifyResult> {
    await this.sealer.seal({ wait: true });
    return this.transactions.run(async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return this.verifyIn(manager);
    }, 'REPEATABLE READ');
  }

  async verifyIn(manager: EntityManager): Promise<AuditVerifyResult> {
    const problems: AuditVerifyProblem[] = [];
    let firstBadBlock: bigint | undefined;
    const report = (problem: AuditVerifyProblem, seq: bigint) => {
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
      if (firstBadBlock === undefined || seq < firstBadBlock) firstBadBlock = seq;
    };

    const stream = new EventStream(manager, this.repository);
    let blocks = 0;
    let events = 0;
    let prevHash = AUDIT_GENESIS_HASH;
    let prevLast = 0n;
    let expectedSeq = 1n;
    let head = { seq: 0, hash: AUDIT_GENESIS_HASH, lastEventId: '0' };

    for (let page = await this.repository.blocksAfter(manager, '0', BLOCK_PAGE); page.length > 0;) {
      for (const block of page) {
        const seq = BigInt(block.seq);
        const bad = (problem: string, eventId?: string) =>
          report({ block: Number(seq), ...(eventId ? { eventId } : {}), problem }, seq);
        blocks++;
        if (seq !== expectedSeq) {
          report({ block: Number(expectedSeq), problem: `block ${expectedSeq} is missing` }, expectedSeq);
        }
        if (block.prev_hash !== prevHash) bad('prev_hash does not match the hash of the previous block');
        const first = BigInt(block.first_event_id);
        const last = BigInt(block.last_event_id);
        if (first <= prevLast) bad(`its events start at ${first}, inside the previous block's range`);

        // Events between the previous block and this one: added inside the sealed chain afterwards.
        for (let e = await stream.peek(); e && BigInt(e.id) < first; e = await stream.peek()) {
          if (BigInt(e.id) > prevLast) bad(`event ${e.id} lies between sealed blocks`, e.id);
          stream.next();
        }

        const hasher = new AuditBlockHasher({
          seq: block.seq,
          prevHash: block.prev_hash,
          firstEventId: block.first_event_id,
          lastEventId: block.last_event_id,
          eventCount: block.event_count,
          sealedAt: block.sealed_at,
        });
        let firstSeen: string | undefined;
        let lastSeen: string | undefined;
        for (let e = await stream.peek(); e && BigInt(e.id) <= last; e = await stream.peek()) {
          firstSeen ??= e.id;
          lastSeen = e.id;
          hasher.add(toCanonicalEvent(e));
          events++;
          stream.next();
        }
        if (hasher.count !== block.event_count) {
          bad(`holds ${hasher.count} events but its header says ${block.event_count}`);
        }
        if (firstSeen !== block.first_event_id) bad(`its first event ${block.first_event_id} is missing`);
        if (lastSeen !== block.last_event_id) bad(`its last event ${block.last_event_id} is missing`);
        if (hasher.digest() !== block.hash) bad('hash does not match the block content');

        prevHash = block.hash;
        prevLast = last > prevLast ? last : prevLast;
        expectedSeq = seq + 1n;
        head = { seq: Number(seq), hash: block.hash, lastEventId: block.last_event_id };
      }
      page = await this.repository.blocksAfter(manager, page[page.length - 1].seq, BLOCK_PAGE);
    }

    const unsealed = await this.repository.countEventsAfter(manager, prevLast.toString());
    return {
      ok: problems.length === 0,
      blocks,
      events,
      unsealed,
      ...(firstBadBlock !== undefined ? { firstBadBlock: Number(firstBadBlock) } : {}),
      ...(problems.length > 0 ? { problems } : {}),
      head,
    };
  }
}
