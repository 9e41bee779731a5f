import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk posting writes less per transfer (issue 9, the bank result import):
 * - the idempotency id is unique through a 16-byte digest of it (`idempotency_key`, a generated
 *   column, so it cannot disagree with the id) instead of a unique index on the long text itself:
 *   at 1,000,000 households that index was as large as the table and cached badly;
 * - a transfer's references (its accounts, the transfer it reverses, its block) are checked once
 *   per INSERT statement by the posting trigger instead of by four foreign-key triggers per row
 *   (the block's one was deferred to the commit). Nothing they referenced can be deleted or
 *   renumbered (the append-only triggers), so a check at insertion is the whole guarantee. The
 *   posting path inserts the block before its transfers (their ids are allocated first, so the
 *   hash is known), and the trigger now also requires the statement to fill the block exactly.
 */
export class LedgerBulkPosting1765300000000 implements MigrationInterface {
  name = 'LedgerBulkPosting1765300000000';

  async up(q: QueryRunner): Promise<void> {
    // md5 of the id's bytes as a uuid: immutable (so it can be a generated column), and a collision
    // could only refuse a post (the posting path compares the ids themselves), never merge two.
    await q.query(`
      ALTER TABLE ledger_transfers
        ADD COLUMN idempotency_key uuid NOT NULL GENERATED ALWAYS AS (md5(idempotency_id)::uuid) STORED`);
    await q.query(`CREATE UNIQUE INDEX ledger_transfers_idempotency_key ON ledger_transfers (idempotency_key)`);
    await q.query(`ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_idempotency_id_key`);

    for (const column of ['block_seq', 'debit_account_id', 'credit_account_id', 'reverses_transfer_id']) {
      await q.query(`ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_${column}_fkey`);
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_posting_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        next_seq bigint;
        block_count integer;
      BEGIN
        IF coalesce(current_setting('yikatong.ledger_posting', true), '') <> 'on' THEN
          RAISE EXCEPTION '% is written only by posting transfers', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT last_seq + 1 INTO next_seq FROM ledger_head;
        -- Separate statements: plpgsql plans only the branch that runs (the columns differ).
        IF TG_TABLE_NAME = 'ledger_transfers' THEN
          IF EXISTS (SELECT 1 FROM new_rows WHERE block_seq <> next_seq) THEN
            RAISE EXCEPTION 'transfers may only be added to the block being sealed (%)', next_seq
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          SELECT transfer_count INTO block_count FROM ledger_blocks WHERE seq = next_seq;
          IF block_count IS NULL THEN
            RAISE EXCEPTION 'block % must be written before its transfers', next_seq
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF (SELECT count(*) FROM ledger_transfers WHERE block_seq = next_seq) <> block_count THEN
            RAISE EXCEPTION 'block % holds % transfers: they are inserted by one statement', next_seq, block_count
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF EXISTS (SELECT 1
                       FROM (SELECT debit_account_id AS id FROM new_rows
                             UNION SELECT credit_account_id FROM new_rows) used
                      WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = used.id)) THEN
            RAISE EXCEPTION 'a transfer names a ledger account that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF EXISTS (SELECT 1 FROM new_rows n
                      WHERE n.reverses_transfer_id IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM ledger_transfers o WHERE o.id = n.reverses_transfer_id)) THEN
            RAISE EXCEPTION 'a REVERSAL names a transfer that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
        ELSIF EXISTS (SELECT 1 FROM new_rows WHERE seq <> next_seq) THEN
          RAISE EXCEPTION 'only the block after the head (%) may be added', next_seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_posting_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        next_seq bigint;
      BEGIN
        IF coalesce(current_setting('yikatong.ledger_posting', true), '') <> 'on' THEN
          RAISE EXCEPTION '% is written only by posting transfers', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT last_seq + 1 INTO next_seq FROM ledger_head;
        IF TG_TABLE_NAME = 'ledger_transfers' THEN
          IF EXISTS (SELECT 1 FROM new_rows WHERE block_seq <> next_seq) THEN
            RAISE EXCEPTION 'transfers may only be added to the block being sealed (%)', next_seq
              USING ERRCODE = 'insufficient_privilege';
          END IF;
        ELSIF EXISTS (SELECT 1 FROM new_rows WHERE seq <> next_seq) THEN
          RAISE EXCEPTION 'only the block after the head (%) may be added', next_seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      ALTER TABLE ledger_transfers
        ADD CONSTRAINT ledger_transfers_debit_account_id_fkey
          FOREIGN KEY (debit_account_id) REFERENCES ledger_accounts(id),
        ADD CONSTRAINT ledger_transfers_credit_account_id_fkey
          FOREIGN KEY (credit_account_id) REFERENCES ledger_accounts(id),
        ADD CONSTRAINT ledger_transfers_reverses_transfer_id_fkey
          FOREIGN KEY (reverses_transfer_id) REFERENCES ledger_transfers(id),
        ADD CONSTRAINT ledger_transfers_block_seq_fkey
          FOREIGN KEY (block_seq) REFERENCES ledger_blocks(seq) DEFERRABLE INITIALLY DEFERRED`);
    await q.query(
      `ALTER TABLE ledger_transfers ADD CONSTRAINT ledger_transfers_idempotency_id_key UNIQUE (idempotency_id)`,
    );
    await q.query(`DROP INDEX ledger_transfers_idempotency_key`);
    await q.query(`ALTER TABLE ledger_transfers DROP COLUMN idempotency_key`);
  }
}
