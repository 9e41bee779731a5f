import { Injectable } from '@nestjs/common';
import { todayInChina } from '../../common/calendar.js';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { callerText, currentLanguage, type Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { PoliciesService } from '../policies/policies.service.js';
import { decisionDate } from './decide.js';
import type { CreateEntitlementDto, EntitlementDto } from './dto/eligibility.dto.js';
import { NotEligibleError } from './eligibility.errors.js';
import { EligibilityService } from './eligibility.service.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { policyName } from '../../common/i18n/i18n.js';

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
    private readonly repository: EntitlementsRepository,
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
            message: callerText('messages.cashBenefit', { policyName: policyName(policy.code, currentLanguage()) }),
          },
        ]);
      }
      const result = await this.eligibility.decideFor(actor, householdId, asOf, manager);
      const decision = result.decisions.find((d) => d.policyCode === policy.code && d.personId === personId);
      if (!decision || !decision.eligible || decision.versionId === null) {
        throw new NotEligibleError(policy.code, personId, asOf, decision?.reasons.filter((r) => !r.passed) ?? []);
      }
      const key = {
        policyCode: policy.code,
        householdId,
        personId,
        period:
          policy.frequency === 'ANNUAL' ? asOf.slice(0, 4) : policy.frequency === 'STANDING' ? 'STANDING' : 'ONCE',
      };
      const series = {
        prefix: policy.entitlementPrefix,
        countyCode: result.regionCode.slice(0, 6),
        year: Number(asOf.slice(0, 4)),
      };
      await this.repository.lockSeries(manager, series);
      const existing = await this.repository.findIssued(manager, key);
      if (existing) return { entitlement: existing, created: false };
      const entitlement = await this.repository.insert(manager, {
        ...key,
        entitlementNo: await this.repository.nextNumber(manager, series),
        versionId: decision.versionId,
        regionCode: result.regionCode,
        asOf,
        decision,
        createdBy: actor.id,
      });
      // The number rests on this version's rule: it may not change under it.
      await this.policies.markVersionsUsed(manager, [decision.versionId], decisionDate(policy, asOf));
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
    return this.repository.listForHousehold(householdId);
  }
}
