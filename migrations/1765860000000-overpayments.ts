import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Overpayment recovery (SPEC.md "Overpayments and recovery"):
 * - a fifth account per budget line, RECEIVABLE (money paid and not owed, to be recovered), opened
 *   for every existing line; three transfer codes: OVERPAYMENT (SPENT -> RECEIVABLE), RECOVERY
 *   (RECEIVABLE -> AVAILABLE), WRITE_OFF (RECEIVABLE -> SPENT, a loss), OVERPAYMENT_WITHDRAWN
 *   (RECEIVABLE -> SPENT: the event that made it not owed was withdrawn, so it was owed after all);
 * - batch lines keep what the bank pays in `amount` (the net) and the `offset_amount` kept back to
 *   recover a claim; `gross_amount` is their sum;
 * - claims per beneficiary and policy, their overpaid periods (each with its line and causing
 *   event), their receivable per budget line, and their recoveries (offsets, refunds, write-offs).
 */
export class Overpayments1765860000000 implements MigrationInterface {
  name = 'Overpayments1765860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`);
    await q.query(`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check
      CHECK (code IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE'))`);
    await q.query(`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_budget_line_complete`);
    await q.query(`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_budget_line_complete
      CHECK (code NOT IN ('FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE')
             OR (fiscal_year IS NOT NULL AND policy_code IS NOT NULL AND funding_level IS NOT NULL
                 AND county_code IS NOT NULL))`);
    await q.query(`ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_code_check`);
    await q.query(`ALTER TABLE ledger_transfers ADD CONSTRAINT ledger_transfers_code_check
      CHECK (code IN ('APPROPRIATION', 'COMMITMENT', 'PAYMENT', 'RELEASE', 'REVERSAL', 'OVERPAYMENT', 'RECOVERY',
                      'WRITE_OFF', 'OVERPAYMENT_WITHDRAWN'))`);
    await q.query(`
      INSERT INTO ledger_accounts (code, fiscal_year, policy_code, funding_level, county_code,
                                   debits_must_not_exceed_credits, credits_must_not_exceed_debits)
      SELECT 'RECEIVABLE', fiscal_year, policy_code, funding_level, county_code, true, false
        FROM ledger_accounts WHERE code = 'FUNDING'
       ORDER BY fiscal_year, policy_code, funding_level, county_code
      ON CONFLICT DO NOTHING`);

    await q.query(`
      ALTER TABLE disbursement_lines
        ADD COLUMN offset_amount numeric(18,2) NOT NULL DEFAULT 0 CHECK (offset_amount >= 0),
        ADD COLUMN gross_amount numeric(18,2) GENERATED ALWAYS AS (amount + offset_amount) STORED`);

    await q.query(`
      CREATE TABLE overpayment_claims (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        claim_no              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        household_id          uuid NOT NULL REFERENCES households(id),
        person_id             uuid REFERENCES persons(id),
        beneficiary_key       text NOT NULL,
        policy_code           text NOT NULL REFERENCES policies(code),
        region_code           text COLLATE "C" NOT NULL,
        county_code           text COLLATE "C" NOT NULL,
        status                text NOT NULL DEFAULT 'OPEN' CHECK (status IN
                                ('OPEN', 'RECOVERING', 'RECOVERED', 'WRITE_OFF_PROPOSED', 'WRITTEN_OFF', 'WITHDRAWN')),
        amount                numeric(18,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
        recovered             numeric(18,2) NOT NULL DEFAULT 0 CHECK (recovered >= 0),
        written_off           numeric(18,2) NOT NULL DEFAULT 0 CHECK (written_off >= 0),
        -- Offsets reserved on generated lines of batches not yet approved.
        reserved              numeric(18,2) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        write_off_reason      text,
        write_off_proposed_by uuid REFERENCES users(id),
        write_off_approved_by uuid REFERENCES users(id),
        opened_at             timestamptz NOT NULL DEFAULT now(),
        closed_at             timestamptz,
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT overpayment_claims_never_over_recovered CHECK (recovered + written_off + reserved <= amount)
      )`);
    // One claim still collecting per beneficiary and policy: new overpaid periods join it.
    await q.query(`
      CREATE UNIQUE INDEX overpayment_claims_one_open ON overpayment_claims (policy_code, beneficiary_key)
        WHERE status IN ('OPEN', 'RECOVERING', 'WRITE_OFF_PROPOSED')`);
    await q.query(`CREATE INDEX overpayment_claims_household_idx ON overpayment_claims (household_id)`);
    await q.query(`CREATE INDEX overpayment_claims_region_idx ON overpayment_claims (region_code, status)`);

    await q.query(`
      CREATE TABLE overpayment_claim_lines (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        claim_id       uuid NOT NULL REFERENCES overpayment_claims(id),
        line_id        uuid NOT NULL REFERENCES disbursement_lines(id),
        batch_id       uuid NOT NULL REFERENCES disbursement_batches(id),
        period_unit    text NOT NULL,
        fiscal_year    smallint NOT NULL,
        paid           numeric(18,2) NOT NULL CHECK (paid > 0),
        owed           numeric(18,2) NOT NULL CHECK (owed >= 0),
        amount         numeric(18,2) NOT NULL CHECK (amount > 0),
        version_id     text NOT NULL,
        cause_event_id text,
        cause_job_id   text,
        found_at       timestamptz NOT NULL DEFAULT now(),
        withdrawn_at   timestamptz,
        withdrawn_by_event_id text
      )`);
    // A paid period is overpaid at most once at a time.
    await q.query(`
      CREATE UNIQUE INDEX overpayment_claim_lines_once ON overpayment_claim_lines (line_id, period_unit)
        WHERE withdrawn_at IS NULL`);
    await q.query(`CREATE INDEX overpayment_claim_lines_claim_idx ON overpayment_claim_lines (claim_id)`);

    // What a claim owes back to each budget line (by funding level), and how much of it is settled.
    await q.query(`
      CREATE TABLE overpayment_receivables (
        claim_id      uuid NOT NULL REFERENCES overpayment_claims(id),
        fiscal_year   smallint NOT NULL,
        funding_level text NOT NULL,
        county_code   text COLLATE "C" NOT NULL,
        amount        numeric(18,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
        settled       numeric(18,2) NOT NULL DEFAULT 0 CHECK (settled >= 0),
        PRIMARY KEY (claim_id, fiscal_year, funding_level, county_code),
        CHECK (settled <= amount)
      )`);

    await q.query(`
      CREATE TABLE overpayment_recoveries (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        claim_id    uuid NOT NULL REFERENCES overpayment_claims(id),
        kind        text NOT NULL CHECK (kind IN ('OFFSET', 'REFUND', 'WRITE_OFF', 'WITHDRAWAL')),
        status      text NOT NULL DEFAULT 'DONE' CHECK (status IN ('RESERVED', 'DONE', 'CANCELLED')),
        amount      numeric(18,2) NOT NULL CHECK (amount > 0),
        batch_id    uuid REFERENCES disbursement_batches(id),
        line_id     uuid REFERENCES disbursement_lines(id),
        receipt_no  text,
        received_on date,
        reason      text,
        actor_id    uuid REFERENCES users(id),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX overpayment_recoveries_claim_idx ON overpayment_recoveries (claim_id)`);
    await q.query(
      `CREATE INDEX overpayment_recoveries_batch_idx ON overpayment_recoveries (batch_id) WHERE batch_id IS NOT NULL`,
    );
    await q.query(`
      CREATE UNIQUE INDEX overpayment_recoveries_receipt ON overpayment_recoveries (receipt_no)
        WHERE kind = 'REFUND'`);

    // The city-wide re-check's place: each chunk's transaction moves it, so a rerun resumes after it.
    await q.query(`
      CREATE TABLE overpayment_rechecks (
        job_id         uuid PRIMARY KEY,
        region_code    text COLLATE "C" NOT NULL,
        after_household uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
        households     integer NOT NULL DEFAULT 0,
        units          integer NOT NULL DEFAULT 0,
        periods        integer NOT NULL DEFAULT 0,
        amount         numeric(18,2) NOT NULL DEFAULT 0,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE overpayment_rechecks`);
    await q.query(`DROP TABLE overpayment_recoveries`);
    await q.query(`DROP TABLE overpayment_receivables`);
    await q.query(`DROP TABLE overpayment_claim_lines`);
    await q.query(`DROP TABLE overpayment_claims`);
    await q.query(`ALTER TABLE disbursement_lines DROP COLUMN gross_amount, DROP COLUMN offset_amount`);
  }
}
