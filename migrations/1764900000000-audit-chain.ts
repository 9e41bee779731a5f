import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail's hash chain. Events stay cheap inserts; a sealer later seals committed events,
 * in id order, into append-only `audit_blocks` whose SHA-256 hashes chain (README.md, "Audit trail
 * and its hash chain"). `txid` records the inserting transaction so the sealer can tell which
 * events certainly committed; `audit_seal_state` keeps the sealer's watermark between runs.
 */
export class AuditChain1764900000000 implements MigrationInterface {
  name = 'AuditChain1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN txid bigint NOT NULL DEFAULT txid_current()`);
    await q.query(`CREATE INDEX audit_events_region_idx ON audit_events (region_code, id)`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, id)`);
    await q.query(`CREATE INDEX audit_events_request_idx ON audit_events (request_id) WHERE request_id IS NOT NULL`);
    // The auditor's trace of one payment line to its transfers (PAYMENT, RELEASE per level).
    await q.query(`CREATE INDEX ledger_transfers_line_idx ON ledger_transfers (line_id) WHERE line_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE audit_blocks (
        seq            bigint PRIMARY KEY CHECK (seq >= 1),
        prev_hash      text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash           text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
        first_event_id bigint NOT NULL,
        last_event_id  bigint NOT NULL,
        event_count    integer NOT NULL CHECK (event_count > 0),
        sealed_at      timestamptz NOT NULL,
        CONSTRAINT audit_blocks_range CHECK (first_event_id <= last_event_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_blocks_last_event_key ON audit_blocks (last_event_id)`);
    await q.query(`
      CREATE TRIGGER audit_blocks_append_only BEFORE UPDATE OR DELETE ON audit_blocks
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER audit_blocks_no_truncate BEFORE TRUNCATE ON audit_blocks
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);

    // The sealer's watermark: every event id <= pending_max_id was drawn by a transaction that had
    // finished or was one of pending_vxids (virtual transaction ids) when the sealer looked; once
    // none of those is still running, all ids up to pending_max_id can be sealed. Not evidence
    // (the blocks are): only the sealer writes it.
    await q.query(`
      CREATE TABLE audit_seal_state (
        singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        pending_max_id bigint NOT NULL DEFAULT 0,
        pending_vxids  text[] NOT NULL DEFAULT '{}',
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO audit_seal_state DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_seal_state`);
    await q.query(`DROP TABLE audit_blocks`);
    await q.query(`DROP INDEX ledger_transfers_line_idx`);
    await q.query(`DROP INDEX audit_events_request_idx`);
    await q.query(`DROP INDEX audit_events_time_idx`);
    await q.query(`DROP INDEX audit_events_region_idx`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN txid`);
  }
}
