import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';
import type { AmountRule, FundingShares } from '../eligibility/amount-rule.js';
import type { Rule } from '../eligibility/rule.js';
import type { PolicyCode } from './policy-codes.js';
import type { PolicyDefinition, PolicyVersion, PolicyWithVersions } from './policy-model.js';

type Db = DataSource | EntityManager;

interface PolicyRow {
  code: PolicyCode;
  name: string;
  category: PolicyDefinition['category'];
  benefit_kind: PolicyDefinition['benefitKind'];
  unit: PolicyDefinition['unit'];
  beneficiaries: PolicyDefinition['beneficiaries'];
  frequency: PolicyDefinition['frequency'];
  entitlement_prefix: string | null;
}

export interface VersionRow {
  id: string;
  policy_code: PolicyCode;
  version_no: number;
  effective_from: string;
  effective_to: string | null;
  rule: Rule;
  amount: AmountRule;
  funding_shares: FundingShares;
  offset_share: string;
  used_at: Date | null;
  paid_through: string | null;
  created_at: Date;
}

/** A version with its bookkeeping, as the administration API shows it. */
export interface VersionRecord extends PolicyVersion {
  offsetShare: string;
  usedAt: string | null;
  paidThrough: string | null;
  createdAt: string;
}

const POLICY_COLUMNS = 'code, name, category, benefit_kind, unit, beneficiaries, frequency, entitlement_prefix';
// Dates as text: the pg driver would turn a `date` into a local-time Date.
const VERSION_COLUMNS = `id, policy_code, version_no, effective_from::text AS effective_from,
  effective_to::text AS effective_to, rule, amount, funding_shares, offset_share::text AS offset_share, used_at,
  paid_through::text AS paid_through, created_at`;

const toDefinition = (row: PolicyRow): PolicyDefinition => ({
  code: row.code,
  name: row.name,
  category: row.category,
  benefitKind: row.benefit_kind,
  unit: row.unit,
  beneficiaries: row.beneficiaries,
  frequency: row.frequency,
  entitlementPrefix: row.entitlement_prefix,
});

export const toVersionRecord = (row: VersionRow): VersionRecord => ({
  id: row.id,
  policyCode: row.policy_code,
  versionNo: row.version_no,
  effectiveFrom: row.effective_from,
  effectiveTo: row.effective_to,
  rule: row.rule,
  amount: row.amount,
  fundingShares: row.funding_shares,
  offsetShare: row.offset_share,
  usedAt: row.used_at === null ? null : row.used_at.toISOString(),
  paidThrough: row.paid_through,
  createdAt: row.created_at.toISOString(),
});

@Injectable()
export class PoliciesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every policy with its versions in date order: the whole catalogue is a few dozen rows. */
  async loadCatalogue(db: Db = this.dataSource): Promise<(PolicyWithVersions & { versions: VersionRecord[] })[]> {
    const [policies, versions] = await Promise.all([
      queryRows<PolicyRow>(db, `SELECT ${POLICY_COLUMNS} FROM policies ORDER BY code`),
      queryRows<VersionRow>(db, `SELECT ${VERSION_COLUMNS} FROM policy_versions ORDER BY policy_code, effective_from`),
    ]);
    const byCode = new Map<string, VersionRecord[]>();
    for (const row of versions) {
      const list = byCode.get(row.policy_code) ?? [];
      list.push(toVersionRecord(row));
      byCode.set(row.policy_code, list);
    }
    return policies.map((row) => ({ ...toDefinition(row), versions: byCode.get(row.code) ?? [] }));
  }

  /** The policy row, locked so that versions of one policy are added one at a time. */
  async lockPolicy(manager: EntityManager, code: string): Promise<PolicyDefinition | undefined> {
    const row = await queryOne<PolicyRow>(
      manager,
      `SELECT ${POLICY_COLUMNS} FROM policies WHERE code = $1 FOR UPDATE`,
      [code],
    );
    return row && toDefinition(row);
  }

  async versionsOf(manager: EntityManager, code: string): Promise<VersionRecord[]> {
    const rows = await queryRows<VersionRow>(
      manager,
      `SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE policy_code = $1 ORDER BY effective_from`,
      [code],
    );
    return rows.map(toVersionRecord);
  }

  async endVersion(manager: EntityManager, id: string, effectiveTo: string): Promise<void> {
    await queryRows(manager, `UPDATE policy_versions SET effective_to = $2 WHERE id = $1`, [id, effectiveTo]);
  }

  async insertVersion(
    manager: EntityManager,
    input: {
      policyCode: string;
      versionNo: number;
      effectiveFrom: string;
      rule: unknown;
      amount: unknown;
      fundingShares: unknown;
      offsetShare?: string;
      createdBy: string | null;
    },
  ): Promise<VersionRecord> {
    const rows = await queryRows<VersionRow>(
      manager,
      `INSERT INTO policy_versions
         (policy_code, version_no, effective_from, rule, amount, funding_shares, created_by, offset_share)
       VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::numeric, 0.50))
       RETURNING ${VERSION_COLUMNS}`,
      [
        input.policyCode,
        input.versionNo,
        input.effectiveFrom,
        JSON.stringify(input.rule),
        JSON.stringify(input.amount),
        JSON.stringify(input.fundingShares),
        input.createdBy,
        input.offsetShare ?? null,
      ],
    );
    return toVersionRecord(rows[0]);
  }

  async replaceVersionContent(
    manager: EntityManager,
    id: string,
    input: { rule: unknown; amount: unknown; fundingShares: unknown; offsetShare?: string },
  ): Promise<VersionRecord> {
    // Without an offsetShare the version keeps its own.
    const rows = await queryRows<VersionRow>(
      manager,
      `UPDATE policy_versions
          SET rule = $2, amount = $3, funding_shares = $4, offset_share = coalesce($5::numeric, offset_share)
        WHERE id = $1
       RETURNING ${VERSION_COLUMNS}`,
      [
        id,
        JSON.stringify(input.rule),
        JSON.stringify(input.amount),
        JSON.stringify(input.fundingShares),
        input.offsetShare ?? null,
      ],
    );
    return toVersionRecord(rows[0]);
  }

  /**
   * Marks versions used (first use wins `used_at`) and moves `paid_through` forward, never back.
   * Without `paidThrough` the whole version counts as paid: through its end, or for an open version
   * through the end of the current year.
   */
  async markUsed(manager: EntityManager, versionIds: readonly string[], paidThrough: string | null): Promise<number> {
    if (versionIds.length === 0) return 0;
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE policy_versions
          SET used_at = COALESCE(used_at, now()),
              paid_through = GREATEST(paid_through, LEAST(
                COALESCE($2::date, effective_to,
                         (date_trunc('year', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 year - 1 day')::date),
                COALESCE(effective_to, 'infinity'::date)))
        WHERE id = ANY($1::uuid[])
        RETURNING id`,
      [[...new Set(versionIds)], paidThrough],
    );
    return rows.length;
  }
}
