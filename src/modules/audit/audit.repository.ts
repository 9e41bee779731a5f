import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';
import { CANONICAL_TIMESTAMP_SQL } from '../ledger/block-hash.js';
import type { CanonicalAuditEvent } from './audit-block-hash.js';

/** A transaction-scoped advisory lock key that only the audit sealer takes ("yk-audit-seal"). */
export const AUDIT_SEAL_LOCK = 7_902_113_845_101;

export interface AuditBlockRow {
  seq: string;
  prev_hash: string;
  hash: string;
  first_event_id: string;
  last_event_id: string;
  event_count: number;
  sealed_at: string;
}

export interface CanonicalEventRow {
  id: string;
  occurred_at: string;
  actor_id: string | null;
  actor_username: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  region_code: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
  address: string | null;
}

export interface AuditEventRow {
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_username: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  region_code: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  address: string | null;
}

export interface AuditEventFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  requestId?: string;
  from?: string;
  to?: string;
}

const CANONICAL_EVENT_SELECT = `
  SELECT id::text AS id, ${CANONICAL_TIMESTAMP_SQL('occurred_at')} AS occurred_at, actor_id::text AS actor_id,
         actor_username, actor_role, action, entity_type, entity_id, region_code,
         before::text AS before, after::text AS after, request_id, address
    FROM audit_events`;

export const toCanonicalEvent = (row: CanonicalEventRow): CanonicalAuditEvent => ({
  id: row.id,
  occurredAt: row.occurred_at,
  actorId: row.actor_id,
  actorUsername: row.actor_username,
  actorRole: row.actor_role,
  action: row.action,
  entityType: row.entity_type,
  entityId: row.entity_id,
  regionCode: row.region_code,
  before: row.before,
  after: row.after,
  requestId: row.request_id,
  address: row.address,
});

/** The SQL of the audit trail's chain and listings. */
@Injectable()
export class AuditRepository {
  async lockSealer(manager: EntityManager, wait: boolean): Promise<boolean> {
    if (wait) {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [AUDIT_SEAL_LOCK]);
      return true;
    }
    const row = await queryOne<{ locked: boolean }>(manager, `SELECT pg_try_advisory_xact_lock($1) AS locked`, [
      AUDIT_SEAL_LOCK,
    ]);
    return row?.locked === true;
  }

  /** The last event id handed out (committed, running or rolled back): a non-transactional read. */
  async lastAllocatedEventId(manager: EntityManager): Promise<string> {
    const row = await queryOne<{ id: string }>(
      manager,
      `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('audit_events', 'id')::regclass), 0)::text AS id`,
    );
    return row?.id ?? '0';
  }

  /**
   * The transactions (virtual transaction ids) of this database, other than this one, that are
   * writing or have written audit_events and have not ended: an INSERT takes ROW EXCLUSIVE on the
   * table before it draws an event id and keeps it to the end of its transaction. Database-local
   * (a long transaction elsewhere in the cluster holds nothing up), and blind to readers.
   */
  async auditWriters(manager: EntityManager): Promise<string[]> {
    const row = await queryOne<{ vxids: string[] }>(
      manager,
      `SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}')::text[] AS vxids
         FROM pg_locks l
        WHERE l.locktype = 'relation' AND l.relation = 'audit_events'::regclass
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.mode = 'RowExclusiveLock' AND l.pid IS DISTINCT FROM pg_backend_pid()`,
    );
    return row?.vxids ?? [];
  }

  /** Those of `vxids` that have not ended (a transaction holds locks, its own id at least, until then). */
  async stillRunning(manager: EntityManager, vxids: string[]): Promise<string[]> {
    if (vxids.length === 0) return [];
    const rows = await queryRows<{ v: string }>(
      manager,
      `SELECT v FROM unnest($1::text[]) v WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.virtualtransaction = v)`,
      [vxids],
    );
    return rows.map((r) => r.v);
  }

  async sealState(manager: EntityManager): Promise<{ pendingMaxId: bigint; pendingVxids: string[] }> {
    const row = await queryOne<{ pending_max_id: string; pending_vxids: string[] }>(
      manager,
      `SELECT pending_max_id::text, pending_vxids FROM audit_seal_state WHERE singleton`,
    );
    return { pendingMaxId: BigInt(row?.pending_max_id ?? '0'), pendingVxids: row?.pending_vxids ?? [] };
  }

  async setSealState(manager: EntityManager, pendingMaxId: bigint, pendingVxids: string[]): Promise<void> {
    await queryRows(
      manager,
      `UPDATE audit_seal_state SET pending_max_id = $1, pending_vxids = $2::text[], updated_at = now() WHERE singleton`,
      [pendingMaxId.toString(), pendingVxids],
    );
  }

  async lastBlock(manager: EntityManager): Promise<AuditBlockRow | undefined> {
    return queryOne<AuditBlockRow>(
      manager,
      `SELECT seq::text, prev_hash, hash, first_event_id::text, last_event_id::text, event_count,
              ${CANONICAL_TIMESTAMP_SQL('sealed_at')} AS sealed_at
         FROM audit_blocks ORDER BY audit_blocks.seq DESC LIMIT 1`,
    );
  }

  /**
   * The next ids to seal after `afterId`, up to `bound`, with whether each one's inserting
   * transaction has finished (always so for a visible row of another transaction; kept as a guard).
   */
  async sealCandidates(
    manager: EntityManager,
    afterId: string,
    bound: string,
    limit: number,
  ): Promise<{ id: string; safe: boolean }[]> {
    return queryRows<{ id: string; safe: boolean }>(
      manager,
      `SELECT id::text, coalesce(txid_status(txid) <> 'in progress', true) AS safe FROM audit_events
        WHERE id > $1::bigint AND id <= $2::bigint ORDER BY audit_events.id LIMIT $3`,
      [afterId, bound, limit],
    );
  }

  async insertBlock(
    manager: EntityManager,
    block: {
      seq: string;
      prevHash: string;
      hash: string;
      firstEventId: string;
      lastEventId: string;
      eventCount: number;
      sealedAt: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO audit_blocks (seq, prev_hash, hash, first_event_id, last_event_id, event_count, sealed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [block.seq, block.prevHash, block.hash, block.firstEventId, block.lastEventId, block.eventCount, block.sealedAt],
    );
  }

  /** Events in canonical form with afterId < id <= toId (toId null: no upper bound), by id. */
  async canonicalEventsAfter(
    manager: EntityManager,
    afterId: string,
    toId: string | null,
    limit: number,
  ): Promise<CanonicalEventRow[]> {
    return queryRows<CanonicalEventRow>(
      manager,
      `${CANONICAL_EVENT_SELECT}
        WHERE id > $1::bigint AND ($2::bigint IS NULL OR id <= $2::bigint)
        ORDER BY audit_events.id LIMIT $3`,
      [afterId, toId, limit],
    );
  }

  async blocksAfter(manager: EntityManager, afterSeq: string, limit: number): Promise<AuditBlockRow[]> {
    return queryRows<AuditBlockRow>(
      manager,
      `SELECT seq::text, prev_hash, hash, first_event_id::text, last_event_id::text, event_count,
              ${CANONICAL_TIMESTAMP_SQL('sealed_at')} AS sealed_at
         FROM audit_blocks WHERE seq > $1::bigint ORDER BY audit_blocks.seq LIMIT $2`,
      [afterSeq, limit],
    );
  }

  async countEventsAfter(manager: EntityManager, afterId: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      manager,
      `SELECT count(*)::int AS n FROM audit_events WHERE id > $1::bigint`,
      [afterId],
    );
    return row?.n ?? 0;
  }

  /**
   * A page of events visible in a region scope: `prefix%`, plus events without a region when the
   * caller covers the whole city (`withoutRegion`). Keyset by id in the given direction.
   */
  async listEvents(
    manager: EntityManager,
    filter: AuditEventFilter,
    scope: { prefix: string; withoutRegion: boolean },
    afterId: string | undefined,
    order: 'asc' | 'desc',
    limit: number,
  ): Promise<AuditEventRow[]> {
    const params: unknown[] = [`${scope.prefix}%`];
    const where = [scope.withoutRegion ? `(region_code LIKE $1 OR region_code IS NULL)` : `region_code LIKE $1`];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.entityType !== undefined) add('entity_type = ?', filter.entityType);
    if (filter.entityId !== undefined) add('entity_id = ?', filter.entityId);
    if (filter.actorId !== undefined) add('actor_id = ?::uuid', filter.actorId);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.requestId !== undefined) add('request_id = ?', filter.requestId);
    if (filter.from !== undefined) add('occurred_at >= ?::timestamptz', filter.from);
    if (filter.to !== undefined) add('occurred_at < ?::timestamptz', filter.to);
    if (afterId !== undefined) add(order === 'asc' ? 'id > ?::bigint' : 'id < ?::bigint', afterId);
    params.push(limit + 1);
    return queryRows<AuditEventRow>(
      manager,
      `SELECT id::text, occurred_at, actor_id, actor_username, actor_role, action, entity_type, entity_id,
              region_code, before, after, request_id, address
         FROM audit_events
        WHERE ${where.join(' AND ')}
        ORDER BY audit_events.id ${order === 'asc' ? 'ASC' : 'DESC'}
        LIMIT $${params.length}`,
      params,
    );
  }
}
