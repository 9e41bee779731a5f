import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger (TigerBeetle's shape) and its tamper evidence: accounts with posted
 * balances and flags, immutable transfers, and blocks whose SHA-256 hashes chain. See README.md,
 * "Ledger and chart of accounts", for the chart and the canonical block serialization.
 */
export class Ledger1764600000000 implements MigrationInterface {
  name = 'Ledger1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_accounts (
        id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code                           text NOT NULL CHECK (code IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT')),
        fiscal_year                    smallint CHECK (fiscal_year BETWEEN 2000 AND 2100),
        policy_code                    text,
        funding_level                  text CHECK (funding_level IN ('CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY')),
        county_code                    text COLLATE "C" REFERENCES regions(code),
        debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
        credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
        debits_posted                  numeric(18,2) NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
        credits_posted                 numeric(18,2) NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
        created_at                     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_one_flag
          CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
        CONSTRAINT ledger_accounts_debits_flag
          CHECK (NOT debits_must_not_exceed_credits OR debits_posted <= credits_posted),
        CONSTRAINT ledger_accounts_credits_flag
          CHECK (NOT credits_must_not_exceed_debits OR credits_posted <= debits_posted),
        -- The budget-line accounts apply to one (fiscal year, policy, funding level, county).
        CONSTRAINT ledger_accounts_budget_line_complete
          CHECK (code NOT IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT')
                 OR (fiscal_year IS NOT NULL AND policy_code IS NOT NULL AND funding_level IS NOT NULL
                     AND county_code IS NOT NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX ledger_accounts_key ON ledger_accounts
        (fiscal_year, policy_code, funding_level, county_code, code) NULLS NOT DISTINCT`);
    await q.query(`CREATE INDEX ledger_accounts_county_idx ON ledger_accounts (county_code, fiscal_year)`);

    // Balances move only through the posting path (LedgerRepository sets the transaction-local
    // flag around its one aggregated UPDATE), only upwards, and an account's identity never changes.
    await q.query(`
      CREATE FUNCTION ledger_accounts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.code, NEW.fiscal_year, NEW.policy_code, NEW.funding_level, NEW.county_code,
            NEW.debits_must_not_exceed_credits, NEW.credits_must_not_exceed_debits, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.code, OLD.fiscal_year, OLD.policy_code, OLD.funding_level, OLD.county_code,
            OLD.debits_must_not_exceed_credits, OLD.credits_must_not_exceed_debits, OLD.created_at) THEN
          RAISE EXCEPTION 'ledger account % cannot change its identity or flags', OLD.id
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (NEW.debits_posted, NEW.credits_posted) IS DISTINCT FROM (OLD.debits_posted, OLD.credits_posted) THEN
          IF coalesce(current_setting('yikatong.ledger_posting', true), '') <> 'on' THEN
            RAISE EXCEPTION 'ledger account balances change only by posting transfers'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF NEW.debits_posted < OLD.debits_posted OR NEW.credits_posted < OLD.credits_posted THEN
            RAISE EXCEPTION 'ledger account posted balances never decrease'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION ledger_accounts_guard()`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);

    await q.query(`
      CREATE TABLE ledger_blocks (
        seq            bigint PRIMARY KEY CHECK (seq >= 1),
        prev_hash      text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash           text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
        transfer_count integer NOT NULL CHECK (transfer_count > 0),
        created_at     timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE ledger_transfers (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        idempotency_id       text NOT NULL UNIQUE CHECK (length(idempotency_id) BETWEEN 1 AND 300),
        debit_account_id     bigint NOT NULL REFERENCES ledger_accounts(id),
        credit_account_id    bigint NOT NULL REFERENCES ledger_accounts(id),
        amount               numeric(18,2) NOT NULL CHECK (amount > 0),
        code                 text NOT NULL
                             CHECK (code IN ('APPROPRIATION', 'COMMITMENT', 'PAYMENT', 'RELEASE', 'REVERSAL')),
        batch_id             uuid,
        line_id              text,
        reverses_transfer_id bigint REFERENCES ledger_transfers(id),
        -- The block is inserted after its transfers (its hash covers their ids), hence deferred.
        block_seq            bigint NOT NULL REFERENCES ledger_blocks(seq) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT ledger_transfers_distinct_accounts CHECK (debit_account_id <> credit_account_id),
        CONSTRAINT ledger_transfers_reversal_reference
          CHECK ((code = 'REVERSAL') = (reverses_transfer_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX ledger_transfers_block_idx ON ledger_transfers (block_seq, id)`);
    await q.query(`CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers (debit_account_id, id)`);
    await q.query(`CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers (credit_account_id, id)`);
    await q.query(
      `CREATE INDEX ledger_transfers_batch_idx ON ledger_transfers (batch_id, id) WHERE batch_id IS NOT NULL`,
    );
    // A transfer is reversed at most once.
    await q.query(`
      CREATE UNIQUE INDEX ledger_transfers_reversed_once ON ledger_transfers (reverses_transfer_id)
      WHERE reverses_transfer_id IS NOT NULL`);

    for (const table of ['ledger_transfers', 'ledger_blocks']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);
    }

    // The chain head: one row, locked FOR UPDATE by every posting call so that the chain is linear.
    await q.query(`
      CREATE TABLE ledger_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_seq  bigint NOT NULL CHECK (last_seq >= 0),
        last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`INSERT INTO ledger_head (last_seq, last_hash) VALUES (0, repeat('0', 64))`);
    await q.query(`
      CREATE FUNCTION ledger_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('yikatong.ledger_posting', true), '') <> 'on'
           OR NEW.last_seq <> OLD.last_seq + 1 THEN
          RAISE EXCEPTION 'the ledger head moves only by posting one block'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    // Transfers and blocks are inserted only by the posting path, and only into the block being
    // sealed (the one after the head): nothing can be slipped into a sealed block. One check per
    // statement (transition table), not per row, so bulk posting stays cheap.
    await q.query(`
      CREATE FUNCTION ledger_posting_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        next_seq bigint;
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
        ELSIF EXISTS (SELECT 1 FROM new_rows WHERE seq <> next_seq) THEN
          RAISE EXCEPTION 'only the block after the head (%) may be added', next_seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['ledger_transfers', 'ledger_blocks']) {
      await q.query(`
        CREATE TRIGGER ${table}_posting_only AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_posting_only()`);
    }
    await q.query(`
      CREATE TRIGGER ledger_head_guard BEFORE UPDATE ON ledger_head
      FOR EACH ROW EXECUTE FUNCTION ledger_head_guard()`);
    await q.query(`
      CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`
      CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_head`);
    await q.query(`DROP FUNCTION ledger_head_guard()`);
    await q.query(`DROP TABLE ledger_transfers`);
    await q.query(`DROP TABLE ledger_blocks`);
    await q.query(`DROP FUNCTION ledger_posting_only()`);
    await q.query(`DROP TABLE ledger_accounts`);
    await q.query(`DROP FUNCTION ledger_accounts_guard()`);
  }
}
