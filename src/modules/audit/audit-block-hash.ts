import { createHash, type Hash } from 'node:crypto';

/**
 * The canonical serialization of an audit block, hashed with SHA-256 (README.md, "Audit trail and
 * its hash chain", documents it for auditors who re-implement it). UTF-8 lines, each ending in "\n":
 *
 *   yikatong-audit-block-v1
 *   ["<seq>","<prev_hash>","<first_event_id>","<last_event_id>",<event_count>,"<sealed_at>"]
 *   ["<id>","<occurred_at>",<actor_id>,<actor_username>,<actor_role>,"<action>","<entity_type>",<entity_id>,<region_code>,<before>,<after>,<request_id>,<address>]
 *   ... one line per event of the block, in ascending id order
 *
 * Every line after the first is a JSON array as ECMAScript JSON.stringify writes it (no
 * whitespace); ids and seq are decimal strings, event_count a number, timestamps UTC with
 * microseconds ("2012-03-01T08:00:00.123000Z"), `before`/`after` the PostgreSQL text form of the
 * jsonb value (`before::text`) as a JSON string, and absent values null.
 */
export const AUDIT_BLOCK_FORMAT = 'yikatong-audit-block-v1';
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export interface AuditBlockHeader {
  seq: string;
  prevHash: string;
  firstEventId: string;
  lastEventId: string;
  eventCount: number;
  sealedAt: string;
}

/** An event as hashed: every column but the inserting transaction id (a sealing aid, not content). */
export interface CanonicalAuditEvent {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  /** PostgreSQL's text form of the jsonb value. */
  before: string | null;
  after: string | null;
  requestId: string | null;
  address: string | null;
}

export function auditHeaderLine(header: AuditBlockHeader): string {
  return `${JSON.stringify([
    header.seq,
    header.prevHash,
    header.firstEventId,
    header.lastEventId,
    header.eventCount,
    header.sealedAt,
  ])}\n`;
}

export function auditEventLine(e: CanonicalAuditEvent): string {
  return `${JSON.stringify([
    e.id,
    e.occurredAt,
    e.actorId,
    e.actorUsername,
    e.actorRole,
    e.action,
    e.entityType,
    e.entityId,
    e.regionCode,
    e.before,
    e.after,
    e.requestId,
    e.address,
  ])}\n`;
}

/** Hashes a block incrementally, so that sealing and verification stream a block's events. */
export class AuditBlockHasher {
  private readonly sha = createHash('sha256');
  private lastId: bigint | undefined;
  private outOfOrder = false;
  count = 0;

  constructor(header: AuditBlockHeader) {
    this.sha.update(`${AUDIT_BLOCK_FORMAT}\n`, 'utf8');
    this.sha.update(auditHeaderLine(header), 'utf8');
  }

  add(event: CanonicalAuditEvent): this {
    const id = BigInt(event.id);
    if (this.lastId !== undefined && id <= this.lastId) this.outOfOrder = true;
    this.lastId = id;
    this.count++;
    this.sha.update(auditEventLine(event), 'utf8');
    return this;
  }

  /** The hex digest; throws if events were not added in ascending id order. */
  digest(): string {
    if (this.outOfOrder) throw new RangeError('events must be hashed in ascending id order');
    return (this.sha as Hash).digest('hex');
  }
}

export function hashAuditBlock(header: AuditBlockHeader, events: CanonicalAuditEvent[]): string {
  const hasher = new AuditBlockHasher(header);
  for (const event of events) hasher.add(event);
  return hasher.digest();
}
