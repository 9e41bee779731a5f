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
   * Every transaction that holds a transaction id now and may still commit here. It takes a
   * transaction id of its own (`me`): whoever got one before is below it, so the candidates are the
   * snapshot's in-progress list plus the ids handed out between its xmax and `me`. Those that
   * pg_stat_activity shows working in another database are left out (transaction ids are
   * cluster-wide; a long transaction elsewhere must not hold up this database's chain); a session
   * this role cannot see is kept, so the answer errs on the side of waiting.
   */
  async runningTransactions(manager: EntityManager): Promise<string[]> {
    const row = await queryOne<{ xids: string[] }>(
      manager,
      `WITH s AS (SELECT txid_current() AS me, txid_current_snapshot() AS snap)
       SELECT ARRAY(
                SELECT c.x::text
                  FROM (SELECT txid_snapshot_xip(snap) AS x FROM s
                        UNION
                        SELECT generate_series(txid_snapshot_xmax(snap), me - 1) FROM s) c
                 WHERE txid_status(c.x) = 'in progress'
                   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                    WHERE a.backend_xid::text = (c.x % 4294967296)::text
                                      AND a.datname IS DISTINCT FROM current_database()))::text[] AS xids`,
    );
    return row?.xids ?? [];
  }

  /** Those of `xids` still in progress. */
  async stillRunning(manager: EntityManager, xids: string[]): Promise<string[]> {
    if (xids.length === 0) return [];
    const rows = await queryRows<{ x: string }>(
      manager,
      `SELECT x::text FROM unnest($1::bigint[]) x WHERE txid_status(x) = 'in progress'`,
      [xids],
    );
    return rows.map((r) => r.x);
  }

  async sealState(manager: EntityManager): Promise<{ pendingMaxId: bigint; pendingXids: string[] }> {
    const row = await queryOne<{ pending_max_id: string; pending_xids: string[] }>(
      manager,
      `SELECT pending_max_id::text, pending_xids::text[] FROM audit_seal_state WHERE singleton`,
    );
    return { pendingMaxId: BigInt(row?.pending_max_id ?? '0'), pendingXids: row?.pending_xids ?? [] };
  }

  async setSealState(manager: EntityManager, pendingMaxId: bigint, pendingXids: string[]): Promise<void> {
    await queryRows(
      manager,
      `UPDATE audit_seal_state SET pending_max_id = $1, pending_xids = $2::bigint[], updated_at = now() WHERE singleton`,
      [pendingMaxId.toString(), pendingXids],
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
