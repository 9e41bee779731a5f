import { Injectable } from '@nestjs/common';
import { todayInChina } from '../../common/dates.js';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import type { Actor } from '../../common/request-context.js';
import { queryOne, queryRows } from '../../database/sql.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { PoliciesService } from '../policies/policies.service.js';
import { decisionDate, type Decision } from './decide.js';
import type { CreateEntitlementDto, EntitlementDto } from './dto/eligibility.dto.js';
import { EligibilityService } from './eligibility.service.js';
import { NotEligibleError } from './eligibility.errors.js';

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

/**
 * Non-cash benefits (exam points, priorities, insurance) are never paid: an eligible household or
 * person is issued an entitlement with a number to show (`EXB-410122-2012-000123`: policy prefix,
 * county, year, sequence in that county and year). One entitlement per beneficiary and policy (per
 * year for annual cover); asking again answers the one already issued.
 */
@Injectable()
export class EntitlementsService {
  constructor(
    private readonly eligibility: EligibilityService,
    private readonly policies: PoliciesService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  async issue(
    actor: Actor,
    householdId: string,
    input: CreateEntitlementDto,
  ): Promise<{ entitlement: EntitlementDto; created: boolean }> {
    const asOf = input.asOf ?? todayInChina();
    const personId = input.personId ?? null;
    return this.transactions.run(async (manager) => {
      const policy = (await this.policies.catalogue(manager)).find((p) => p.code === input.policyCode);
      if (!policy) throw new NotFoundError('Policy', input.policyCode);
      if (policy.benefitKind !== 'NON_CASH' || policy.entitlementPrefix === null) {
        throw new ValidationFailedError([
          {
            field: 'policyCode',
            message: `${policy.code} is a cash benefit: it is paid through enrollments and batches`,
          },
        ]);
      }
      const result = await this.eligibility.decideFor(actor, householdId, asOf, manager);
      const decision = result.decisions.find((d) => d.policyCode === policy.code && d.personId === personId);
      if (!decision || !decision.eligible || decision.versionId === null) {
        throw new NotEligibleError(policy.code, personId, asOf, decision?.reasons.filter((r) => !r.passed) ?? []);
      }
      const period =
        policy.frequency === 'ANNUAL' ? asOf.slice(0, 4) : policy.frequency === 'STANDING' ? 'STANDING' : 'ONCE';
      const county = result.regionCode.slice(0, 6);
      const year = Number(asOf.slice(0, 4));
      // The county-year counter row serialises issuing, so the check for an existing entitlement
      // below cannot race with another request for the same beneficiary.
      await queryRows(
        manager,
        `INSERT INTO entitlement_counters (prefix, county_code, year, last_no) VALUES ($1, $2, $3, 0)
         ON CONFLICT DO NOTHING`,
        [policy.entitlementPrefix, county, year],
      );
      await queryRows(
        manager,
        `SELECT last_no FROM entitlement_counters WHERE prefix = $1 AND county_code = $2 AND year = $3 FOR UPDATE`,
        [policy.entitlementPrefix, county, year],
      );
      const existing = await queryOne<EntitlementRow>(
        manager,
        `SELECT ${COLUMNS} FROM entitlements
          WHERE policy_code = $1 AND household_id = $2 AND person_id IS NOT DISTINCT FROM $3 AND period = $4`,
        [policy.code, householdId, personId, period],
      );
      if (existing) return { entitlement: toDto(existing), created: false };
      const counter = await queryOne<{ last_no: number }>(
        manager,
        `UPDATE entitlement_counters SET last_no = last_no + 1
          WHERE prefix = $1 AND county_code = $2 AND year = $3 RETURNING last_no`,
        [policy.entitlementPrefix, county, year],
      );
      const entitlementNo = `${policy.entitlementPrefix}-${county}-${year}-${String(counter!.last_no).padStart(6, '0')}`;
      const row = await queryOne<EntitlementRow>(
        manager,
        `INSERT INTO entitlements
           (entitlement_no, policy_code, policy_version_id, household_id, person_id, period, region_code, as_of,
            decision, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING ${COLUMNS}`,
        [
          entitlementNo,
          policy.code,
          decision.versionId,
          householdId,
          personId,
          period,
          result.regionCode,
          asOf,
          JSON.stringify(decision),
          actor.id,
        ],
      );
      // The number rests on this version's rule: it may not change under it.
      await this.policies.markVersionsUsed(manager, [decision.versionId], decisionDate(policy, asOf));
      const entitlement = toDto(row!);
      await this.audit.record(manager, {
        action: 'entitlement.issued',
        entityType: 'entitlement',
        entityId: entitlement.id,
        regionCode: result.regionCode,
        after: entitlement,
      });
      return { entitlement, created: true };
    });
  }

  async list(actor: Actor, householdId: string): Promise<EntitlementDto[]> {
    await this.eligibility.snapshotFor(actor, householdId, todayInChina());
    const rows = await queryRows<EntitlementRow>(
      this.transactions.dataSource,
      `SELECT ${COLUMNS} FROM entitlements WHERE household_id = $1 ORDER BY created_at, entitlement_no`,
      [householdId],
    );
    return rows.map(toDto);
  }
}
