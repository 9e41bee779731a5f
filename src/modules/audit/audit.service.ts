import { maskPiiText } from '../../common/pii/redact.js';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { requestContext, type Actor } from '../../common/request-context.js';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  regionCode?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to the signed-in user of the current request. */
  actor?: Partial<Actor> | null;
}

/**
 * Writes the audit trail. Always called with the EntityManager of the transaction that makes the
 * change, so that the change and its record commit or roll back together. A plain insert: the hash
 * chain is built later, outside these transactions, by AuditSealer.
 */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, input: AuditInput): Promise<void> {
    await this.recordMany(manager, [input]);
  }

  /** Set-based: one INSERT for many events (bulk actions audit every record they touch). */
  async recordMany(manager: EntityManager, inputs: AuditInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const context = requestContext.current();
    const columns: unknown[][] = Array.from({ length: 11 }, () => []);
    for (const input of inputs) {
      const actor = input.actor === undefined ? context?.actor : input.actor;
      const values = [
        actor?.id ?? null,
        actor?.username ?? null,
        actor?.role ?? null,
        input.action,
        input.entityType,
        input.entityId == null ? null : String(input.entityId),
        input.regionCode ?? null,
        // Audit payloads never hold a full ID or account number (PIPL): masked as recorded.
        input.before === undefined ? null : maskPiiText(JSON.stringify(input.before)),
        input.after === undefined ? null : maskPiiText(JSON.stringify(input.after)),
        context?.requestId ?? null,
        context?.address ?? null,
      ];
      values.forEach((value, index) => columns[index].push(value));
    }
    // The inserting transaction's id, for the sealer (AuditSealer), taken once for all the rows.
    await manager.query(
      `WITH tx AS MATERIALIZED (SELECT txid_current() AS txid)
       INSERT INTO audit_events
         (txid, actor_id, actor_username, actor_role, action, entity_type, entity_id, region_code,
          before, after, request_id, address)
       SELECT tx.txid, e.* FROM tx CROSS JOIN
              unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::jsonb[], $9::jsonb[], $10::text[], $11::text[]) AS e`,
      columns,
    );
  }
}
