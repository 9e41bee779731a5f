import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';
import type { Decision } from './decide.js';
import type { EntitlementDto } from './dto/eligibility.dto.js';

interface EntitlementRow {
  id: string;
  entitlement_no: string;
  policy_code: string;
  policy_version_id: string;
  household_id: string;
  person_id: string | null;
  period: string;
  as_of: string;
  decision: Decision;
  created_at: Date;
}

/** A numbering series: one per entitlement prefix, county and year. */
export interface NumberSeries {
  prefix: string;
  countyCode: string;
  year: number;
}

/** What makes an entitlement unique: one per beneficiary, policy and period (`YYYY`, `ONCE`, `STANDING`). */
export interface EntitlementKey {
  policyCode: string;
  householdId: string;
  personId: string | null;
  period: string;
}

const COLUMNS = `id, entitlement_no, policy_code, policy_version_id, household_id, person_id, period,
  as_of::text AS as_of, decision, created_at`;

const toDto = (row: EntitlementRow): EntitlementDto => ({
  id: row.id,
  entitlementNo: row.entitlement_no,
  policyCode: row.policy_code,
  policyVersionId: row.policy_version_id,
  householdId: row.household_id,
  personId: row.person_id,
  period: row.period,
  asOf: row.as_of,
  decision: row.decision,
  createdAt: row.created_at.toISOString(),
});

@Injectable()
export class EntitlementsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Locks the numbering series (creating it at 0). Issuing in a series is serialised by this lock,
   * so the check for an entitlement already issued cannot race with a second request.
   */
  async lockSeries(manager: EntityManager, series: NumberSeries): Promise<void> {
    const params = [series.prefix, series.countyCode, series.year];
    await queryRows(
      manager,
      `INSERT INTO entitlement_counters (prefix, county_code, year, last_no) VALUES ($1, $2, $3, 0)
       ON CONFLICT DO NOTHING`,
      params,
    );
    await queryRows(
      manager,
      `SELECT 1 FROM entitlement_counters WHERE prefix = $1 AND county_code = $2 AND year = $3 FOR UPDATE`,
      params,
    );
  }

  /** The next number of a locked series: `EXB-410122-2012-000123`. */
  async nextNumber(manager: EntityManager, series: NumberSeries): Promise<string> {
    const row = await queryOne<{ last_no: number }>(
      manager,
      `UPDATE entitlement_counters SET last_no = last_no + 1
        WHERE prefix = $1 AND county_code = $2 AND year = $3 RETURNING last_no`,
      [series.prefix, series.countyCode, series.year],
    );
    return `${series.prefix}-${series.countyCode}-${series.year}-${String(row!.last_no).padStart(6, '0')}`;
  }

  async findIssued(manager: EntityManager, key: EntitlementKey): Promise<EntitlementDto | undefined> {
    const row = await queryOne<EntitlementRow>(
      manager,
      `SELECT ${COLUMNS} FROM entitlements
        WHERE policy_code = $1 AND household_id = $2 AND person_id IS NOT DISTINCT FROM $3 AND period = $4`,
      [key.policyCode, key.householdId, key.personId, key.period],
    );
    return row && toDto(row);
  }

  async insert(
    manager: EntityManager,
    input: EntitlementKey & {
      entitlementNo: string;
      versionId: string;
      regionCode: string;
      asOf: string;
      decision: Decision;
      createdBy: string;
    },
  ): Promise<EntitlementDto> {
    const row = await queryOne<EntitlementRow>(
      manager,
      `INSERT INTO entitlements
         (entitlement_no, policy_code, policy_version_id, household_id, person_id, period, region_code, as_of,
          decision, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       RETURNING ${COLUMNS}`,
      [
        input.entitlementNo,
        input.policyCode,
        input.versionId,
        input.householdId,
        input.personId,
        input.period,
        input.regionCode,
        input.asOf,
        JSON.stringify(input.decision),
        input.createdBy,
      ],
    );
    return toDto(row!);
  }

  async listForHousehold(householdId: string): Promise<EntitlementDto[]> {
    const rows = await queryRows<EntitlementRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM entitlements WHERE household_id = $1 ORDER BY created_at, entitlement_no`,
      [householdId],
    );
    return rows.map(toDto);
  }
}
