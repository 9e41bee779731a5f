import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { todayInChina } from '../../common/calendar.js';
import { NotFoundError, ValidationFailedError, type FieldProblem } from '../../common/errors.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { validateAmountRule, validateFundingShares } from '../eligibility/amount-rule.js';
import { addDays, isDate } from '../../common/calendar.js';
import { versionOn } from '../eligibility/decide.js';
import { validateRule } from '../eligibility/rule.js';
import type {
  AmendPolicyVersionDto,
  CreatePolicyVersionDto,
  PolicyDetailDto,
  PolicySummaryDto,
} from './dto/policy.dto.js';
import { isVersionInUseViolation, VersionInUseError } from './policies.errors.js';
import { PoliciesRepository, type VersionRecord } from './policies.repository.js';
import { offsetShareProblems, type PolicyDefinition, type PolicyWithVersions } from './policy-model.js';

const definitionOf = (policy: PolicyDefinition): PolicyDefinition => ({
  code: policy.code,
  name: policy.name,
  category: policy.category,
  benefitKind: policy.benefitKind,
  unit: policy.unit,
  beneficiaries: policy.beneficiaries,
  frequency: policy.frequency,
  entitlementPrefix: policy.entitlementPrefix,
});

/** Maps the guard trigger's refusal to 409 VERSION_IN_USE; rethrows anything else. */
async function guarded<T>(work: Promise<T>, versionId: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isVersionInUseViolation(error)) {
      throw new VersionInUseError(`Policy version ${versionId} has been used by a payment and cannot be changed`, {
        versionId,
      });
    }
    throw error;
  }
}

/**
 * The policy catalogue: 15 policies, each with dated versions (rule, amount, funding shares). A new
 * version takes over from its date; a version that a payment used is never changed again (checked
 * here, and refused by the database trigger `policy_versions_guard` whatever the caller).
 */
/** How long a read outside a transaction may reuse the catalogue. */
export const CATALOGUE_TTL_MS = 5_000;

@Injectable()
export class PoliciesService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  private cached?: { at: number; catalogue: Promise<PolicyWithVersions[]> };

  /**
   * Every policy with all versions, for the eligibility engine. Inside a transaction (`manager`:
   * enrollment decisions, batch generation, approval) it is always read afresh; outside one (the
   * eligibility endpoint) a copy up to CATALOGUE_TTL_MS old is reused, so the rules stay compiled
   * between requests. A version added in this process drops the copy at once; other processes see
   * it within the TTL.
   */
  catalogue(manager?: EntityManager): Promise<PolicyWithVersions[]> {
    if (manager) return this.repository.loadCatalogue(manager);
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CATALOGUE_TTL_MS) {
      const catalogue = this.repository.loadCatalogue();
      this.cached = { at: now, catalogue };
      catalogue.catch(() => (this.cached = undefined));
    }
    return this.cached.catalogue;
  }

  async list(asOf: string = todayInChina()): Promise<PolicySummaryDto[]> {
    this.assertDate('asOf', asOf);
    const catalogue = await this.repository.loadCatalogue();
    return catalogue.map((policy) => ({
      ...definitionOf(policy),
      currentVersion: (versionOn(policy, asOf) as VersionRecord | null) ?? null,
    }));
  }

  async get(code: string): Promise<PolicyDetailDto> {
    const policy = (await this.repository.loadCatalogue()).find((candidate) => candidate.code === code);
    if (!policy) throw new NotFoundError('Policy', code);
    return { ...definitionOf(policy), versions: policy.versions };
  }

  /** Drops the cached catalogue once a change to it has committed (or failed). */
  private async invalidating<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      this.cached = undefined;
    }
  }

  /** Problems with a version's content for this policy (each with its JSON path). */
  private contentProblems(policy: PolicyDefinition, input: AmendPolicyVersionDto): FieldProblem[] {
    return [
      ...validateRule(input.rule, policy.unit, 'rule'),
      ...validateAmountRule(input.amount, policy.benefitKind, policy.unit, 'amount'),
      ...validateFundingShares(input.fundingShares, 'fundingShares'),
      ...offsetShareProblems(input.offsetShare),
    ];
  }

  private assertDate(field: string, value: string): void {
    if (!isDate(value))
      throw new ValidationFailedError([{ field, message: callerText('amountProblems.realDate', { field }) }]);
  }

  /**
   * Adds a version that takes over from `effectiveFrom`: the version in force then is ended the day
   * before. Refused with 409 when that would cut into a period already paid with it.
   */
  async addVersion(code: string, input: CreatePolicyVersionDto, actor: Actor): Promise<VersionRecord> {
    this.assertDate('effectiveFrom', input.effectiveFrom);
    return this.invalidating(
      this.transactions.run(async (manager) => {
        const policy = await this.repository.lockPolicy(manager, code);
        if (!policy) throw new NotFoundError('Policy', code);
        const problems = this.contentProblems(policy, input);
        if (problems.length > 0) throw new ValidationFailedError(problems, `The version of ${code} is not valid`);

        const versions = await this.repository.versionsOf(manager, code);
        const latest = versions.at(-1);
        if (latest && input.effectiveFrom <= latest.effectiveFrom) {
          throw new ValidationFailedError([
            {
              field: 'effectiveFrom',
              message: callerText('amountProblems.versionOrder', {
                versionNo: latest.versionNo,
                effectiveFrom: latest.effectiveFrom,
              }),
            },
          ]);
        }
        const dayBefore = addDays(input.effectiveFrom, -1);
        if (latest && (latest.effectiveTo === null || latest.effectiveTo > dayBefore)) {
          if (latest.paidThrough !== null && latest.paidThrough > dayBefore) {
            throw new VersionInUseError(
              `Version ${latest.versionNo} of ${code} has been paid through ${latest.paidThrough}; ` +
                `a new version cannot take over on ${input.effectiveFrom}`,
              { versionId: latest.id, paidThrough: latest.paidThrough },
            );
          }
          await guarded(this.repository.endVersion(manager, latest.id, dayBefore), latest.id);
          await this.audit.record(manager, {
            action: 'policy.version_ended',
            entityType: 'policy_version',
            entityId: latest.id,
            before: { effectiveTo: latest.effectiveTo },
            after: { effectiveTo: dayBefore },
          });
        }
        const created = await this.repository.insertVersion(manager, {
          policyCode: code,
          // Numbers follow the order of creation, not of the dates (a corrected catalogue may add an
          // earlier period: RURAL_REWARD's 2004-2008 version is number 3).
          versionNo: Math.max(0, ...versions.map((version) => version.versionNo)) + 1,
          effectiveFrom: input.effectiveFrom,
          rule: input.rule,
          amount: input.amount,
          fundingShares: input.fundingShares,
          offsetShare: input.offsetShare,
          createdBy: actor.id,
        });
        await this.audit.record(manager, {
          action: 'policy.version_created',
          entityType: 'policy_version',
          entityId: created.id,
          after: created,
        });
        return created;
      }),
    );
  }

  /** Corrects the content of a version no payment has used yet; 409 VERSION_IN_USE otherwise. */
  async amendVersion(code: string, versionId: string, input: AmendPolicyVersionDto): Promise<VersionRecord> {
    return this.invalidating(
      this.transactions.run(async (manager) => {
        const policy = await this.repository.lockPolicy(manager, code);
        if (!policy) throw new NotFoundError('Policy', code);
        const before = (await this.repository.versionsOf(manager, code)).find((version) => version.id === versionId);
        if (!before) throw new NotFoundError('Policy version', versionId);
        if (before.usedAt !== null) {
          throw new VersionInUseError(
            `Version ${before.versionNo} of ${code} has been used by a payment; add a new version instead`,
            { versionId, usedAt: before.usedAt },
          );
        }
        const problems = this.contentProblems(policy, input);
        if (problems.length > 0) throw new ValidationFailedError(problems, `The version of ${code} is not valid`);
        const after = await guarded(this.repository.replaceVersionContent(manager, versionId, input), versionId);
        await this.audit.record(manager, {
          action: 'policy.version_amended',
          entityType: 'policy_version',
          entityId: versionId,
          before,
          after,
        });
        return after;
      }),
    );
  }

  /**
   * For the payments: records, inside the caller's transaction, that `versionIds` decided amounts
   * that are being paid, through `paidThrough` (the last day of the latest period paid; omitted:
   * the version's end, or the end of the current year for an open version). From then on the
   * versions' rule, amount and shares can never change, and no successor can start on or before
   * `paidThrough`. Idempotent. Answers how many versions were marked.
   */
  markVersionsUsed(manager: EntityManager, versionIds: readonly string[], paidThrough?: string): Promise<number> {
    if (paidThrough !== undefined) this.assertDate('paidThrough', paidThrough);
    return this.repository.markUsed(manager, versionIds, paidThrough ?? null);
  }
}
