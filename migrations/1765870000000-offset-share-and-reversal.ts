import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offsets, finished (SPEC.md "Overpayments and recovery"):
 * - each policy version sets the share of a cash line an offset may take (`offset_share`, 0 to 1,
 *   50% unless the version says otherwise);
 * - an offset whose line the bank failed is REVERSED: the claim gets it back as outstanding and the
 *   reissued line may offset it again.
 */
export class OffsetShareAndReversal1765870000000 implements MigrationInterface {
  name = 'OffsetShareAndReversal1765870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE policy_versions
        ADD COLUMN offset_share numeric(3,2) NOT NULL DEFAULT 0.50
          CONSTRAINT policy_versions_offset_share_range CHECK (offset_share BETWEEN 0 AND 1)`);
    await q.query(`ALTER TABLE overpayment_recoveries DROP CONSTRAINT overpayment_recoveries_status_check`);
    await q.query(`ALTER TABLE overpayment_recoveries ADD CONSTRAINT overpayment_recoveries_status_check
      CHECK (status IN ('RESERVED', 'DONE', 'CANCELLED', 'REVERSED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE overpayment_recoveries SET status = 'CANCELLED' WHERE status = 'REVERSED'`);
    await q.query(`ALTER TABLE overpayment_recoveries DROP CONSTRAINT overpayment_recoveries_status_check`);
    await q.query(`ALTER TABLE overpayment_recoveries ADD CONSTRAINT overpayment_recoveries_status_check
      CHECK (status IN ('RESERVED', 'DONE', 'CANCELLED'))`);
    await q.query(`ALTER TABLE policy_versions DROP COLUMN offset_share`);
  }
}
