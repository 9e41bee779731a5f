import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { canonicalTimestamp } from '../ledger/block-hash.js';
import { AUDIT_GENESIS_HASH, AuditBlockHasher } from './audit-block-hash.js';
import { AuditRepository, toCanonicalEvent } from './audit.repository.js';
import { Transactions } from '../../database/transactions.js';

/** Events per block at most, and per page read while hashing. */
export const AUDIT_BLOCK_MAX_EVENTS = 10_000;
const EVENT_PAGE = 2_000;
/** How long a waiting seal polls for running transactions to finish before it seals what is safe. */
const WAIT_MS = 2_000;
const POLL_MS = 25;

export interface SealResult {
  /** False when another sealer held the lock (tryLock) and this call did nothing. */
  ran: boolean;
  sealedBlocks: number;
  sealedEvents: number;
  head: { seq: number; hash: string; lastEventId: string };
}

/**
 * Seals committed audit events into hash-chained blocks, after their transactions finished, so that
 * AuditService.record stays a plain insert (no chain lock inside every mutating transaction).
 *
 * Which events are safe to seal: an INSERT into audit_events takes the table's ROW EXCLUSIVE lock
 * before it draws an event id from the identity sequence and holds it until its transaction ends.
 * So if the sealer reads the last allocated id M and then the open transactions holding that lock
 * (R), every id <= M belongs to a transaction that has ended or is in R; once none of R is left,
 * each id <= M is committed (and visible) or rolled back (and never will be), and M is a safe
 * bound: no later commit can land inside a sealed range. (A rule on the events' own `txid` alone
 * cannot see an uncommitted event with a lower id than a committed one.) Under constant load R may
 * not drain within one call, so (M, R) is kept in `audit_seal_state` and used by a later call, once
 * it has. Inside the bound, events are sealed in id order, stopping at the first whose inserting
 * transaction (`txid`) is still in progress. Sealers take turns on an advisory lock; the writers
 * never wait for them.
 */
@Injectable()
export class AuditSealer {
  private readonly logger = new Logger(AuditSealer.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly repository: AuditRepository,
  ) {}

  /**
   * `wait`: block on the lock and poll (up to 2 s) for running transactions to finish, so that
   * everything committed before the call is sealed (verification). Without it: skip if another
   * sealer is busy and seal only what is already safe (the periodic job).
   */
  seal(options: { wait?: boolean } = {}): Promise<SealResult> {
    const wait = options.wait ?? true;
    return this.transactions.run((manager) => this.sealIn(manager, wait), 'READ COMMITTED');
  }

  private async sealIn(manager: EntityManager, wait: boolean): Promise<SealResult> {
    const locked = await this.repository.lockSealer(manager, wait);
    const last = await this.repository.lastBlock(manager);
    const head = {
      seq: Number(last?.seq ?? 0),
      hash: last?.hash ?? AUDIT_GENESIS_HASH,
      lastEventId: last?.last_event_id ?? '0',
    };
    if (!locked) return { ran: false, sealedBlocks: 0, sealedEvents: 0, head };

    // The last allocated id first, then the open writers: whoever drew an id <= maxId held the
    // table's ROW EXCLUSIVE lock by then, so it has ended or is in `running`.
    const maxId = BigInt(await this.repository.lastAllocatedEventId(manager));
    let running = await this.repository.auditWriters(manager);
    const state = await this.repository.sealState(manager);
    let bound = BigInt(head.lastEventId);
    if (state.pendingMaxId > bound && (await this.repository.stillRunning(manager, state.pendingVxids)).length === 0) {
      bound = state.pendingMaxId;
    }
    for (const deadline = Date.now() + (wait ? WAIT_MS : 0); ;) {
      running = await this.repository.stillRunning(manager, running);
      if (running.length === 0) {
        if (maxId > bound) bound = maxId;
        break;
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // Keep an unmatured watermark until it matures; replace a consumed one with this observation.
    if (maxId > bound && state.pendingMaxId <= bound) await this.repository.setSealState(manager, maxId, running);

    let sealedBlocks = 0;
    let sealedEvents = 0;
    let prevHash = head.hash;
    let seq = BigInt(head.seq);
    let after = head.lastEventId;
    for (;;) {
      const candidates = await this.repository.sealCandidates(manager, after, bound.toString(), AUDIT_BLOCK_MAX_EVENTS);
      const unsafe = candidates.findIndex((c) => !c.safe);
      const ids = unsafe === -1 ? candidates : candidates.slice(0, unsafe);
      if (ids.length === 0) break;

      seq += 1n;
      const sealedAt = new Date();
      const header = {
        seq: seq.toString(),
        prevHash,
        firstEventId: ids[0].id,
        lastEventId: ids[ids.length - 1].id,
        eventCount: ids.length,
        sealedAt: canonicalTimestamp(sealedAt),
      };
      const hasher = new AuditBlockHasher(header);
      for (let page = after; ;) {
        const rows = await this.repository.canonicalEventsAfter(manager, page, header.lastEventId, EVENT_PAGE);
        for (const row of rows) hasher.add(toCanonicalEvent(row));
        if (rows.length < EVENT_PAGE) break;
        page = rows[rows.length - 1].id;
      }
      if (hasher.count !== ids.length) {
        // Cannot happen under the lock: every id in range belongs to a finished transaction.
        throw new Error(`audit sealing saw ${hasher.count} events where it counted ${ids.length}`);
      }
      const hash = hasher.digest();
      await this.repository.insertBlock(manager, { ...header, hash, sealedAt });
      sealedBlocks++;
      sealedEvents += ids.length;
      prevHash = hash;
      after = header.lastEventId;
      if (unsafe !== -1 || candidates.length < AUDIT_BLOCK_MAX_EVENTS) break;
    }
    if (sealedBlocks > 0) this.logger.log({ sealedBlocks, sealedEvents }, 'audit events sealed');
    return { ran: true, sealedBlocks, sealedEvents, head: { seq: Number(seq), hash: prevHash, lastEventId: after } };
  }
}
