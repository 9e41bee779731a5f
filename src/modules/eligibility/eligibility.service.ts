import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { PoliciesService } from '../policies/policies.service.js';
import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyInForce, PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import { isDate, monthsOf, parsePeriod } from './calendar.js';
import {
  decideHousehold,
  decisionDate,
  judgeHousehold,
  selectVersionsInForce,
  type Decision,
  type Verdict,
  type VerdictOrDecision,
} from './decide.js';
import { HOUSEHOLD_SNAPSHOTS, type HouseholdSnapshotSource } from './household-snapshot-source.js';
import { amountForPeriod, type PeriodAmount } from './period-amount.js';

/** One household's decisions on a date (explained, or `Verdict`s for the unexplained bulk path). */
export interface HouseholdEligibility<D extends Verdict = Decision> {
  householdId: string;
  /** The household's region on `asOf` (for scope checks and county grouping). */
  regionCode: string;
  asOf: string;
  decisions: D[];
}

export interface StreamDecisionsOptions {
  /** A region code or prefix: a county `410122`, a township, or the city `410100`. */
  regionPrefix: string;
  asOf: string;
  /** Only these policies (default: all 15). */
  policyCodes?: readonly PolicyCode[];
  /**
   * Households per chunk. By default 1,000 for explained decisions (a chunk's reasons are a few
   * hundred thousand objects) and 5,000 for verdicts (a fifth of the statements for the same rows;
   * two chunks of snapshots and verdicts in memory are a few tens of megabytes).
   */
  chunkSize?: number;
}

export interface StreamVerdictsOptions extends StreamDecisionsOptions {
  /**
   * Which verdicts to explain after all (for example the eligible of the policies the caller
   * stores): those come with their reasons, as `streamDecisions` would give them.
   */
  explain?: (verdict: Verdict) => boolean;
}

/**
 * The single pure step both paths share: one household snapshot, decided against the versions in
 * force. `decide` and `streamDecisions` both come through here and nowhere else.
 */
export function decideSnapshot(
  snapshot: HouseholdSnapshot,
  asOf: string,
  versionsInForce: readonly PolicyInForce[],
): HouseholdEligibility {
  return {
    householdId: snapshot.householdId,
    regionCode: snapshot.regionCode,
    asOf,
    decisions: decideHousehold(snapshot, asOf, versionsInForce),
  };
}

/**
 * `decideSnapshot` without the explanations (`judgeHousehold`): the same answers with the reasons
 * left out (but for the verdicts `explain` picks), for bulk streams whose decisions are counted or
 * filtered, never shown or stored.
 */
export function judgeSnapshot(
  snapshot: HouseholdSnapshot,
  asOf: string,
  versionsInForce: readonly PolicyInForce[],
  explain?: (verdict: Verdict) => boolean,
): HouseholdEligibility<VerdictOrDecision> {
  return {
    householdId: snapshot.householdId,
    regionCode: snapshot.regionCode,
    asOf,
    decisions: judgeHousehold(snapshot, asOf, versionsInForce, explain),
  };
}

/**
 * Eligibility as of a date, for one household (the endpoint, enrollments) or for every household
 * of a region in chunks (batch generation), through the same pure function.
 */
@Injectable()
export class EligibilityService {
  constructor(
    @Inject(HOUSEHOLD_SNAPSHOTS) private readonly snapshots: HouseholdSnapshotSource,
    private readonly policies: PoliciesService,
  ) {}

  private assertAsOf(asOf: string): void {
    if (!isDate(asOf)) throw new ValidationFailedError([{ field: 'asOf', message: 'asOf must be a YYYY-MM-DD date' }]);
  }

  /** Every policy and possible beneficiary of one household on `asOf`. No scope check: see `decideFor`. */
  async decide(householdId: string, asOf: string, manager?: EntityManager): Promise<HouseholdEligibility> {
    this.assertAsOf(asOf);
    const snapshot = await this.snapshots.forHousehold(householdId, asOf, manager);
    const catalogue = await this.policies.catalogue(manager);
    return decideSnapshot(snapshot, asOf, selectVersionsInForce(catalogue, asOf));
  }

  /**
   * Decides snapshots the caller already holds (a chunk of households, or the one it also needs
   * for other reasons), with the catalogue read once: the same pure step as `decide`.
   */
  async decideSnapshots(
    snapshots: readonly HouseholdSnapshot[],
    asOf: string,
    manager?: EntityManager,
  ): Promise<HouseholdEligibility[]> {
    this.assertAsOf(asOf);
    const versions = selectVersionsInForce(await this.policies.catalogue(manager), asOf);
    return snapshots.map((snapshot) => decideSnapshot(snapshot, asOf, versions));
  }

  /** The household on `asOf`, if it lies in the user's region; 404 otherwise (never its data). */
  async snapshotFor(
    actor: Actor,
    householdId: string,
    asOf: string,
    manager?: EntityManager,
  ): Promise<HouseholdSnapshot> {
    this.assertAsOf(asOf);
    const snapshot = await this.snapshots.forHousehold(householdId, asOf, manager);
    if (!new RegionScope(actor.regionCode).covers(snapshot.regionCode))
      throw new NotFoundError('Household', householdId);
    return snapshot;
  }

  /** `decide` for a signed-in user: a household outside the user's region is answered 404. */
  async decideFor(
    actor: Actor,
    householdId: string,
    asOf: string,
    manager?: EntityManager,
  ): Promise<HouseholdEligibility> {
    const snapshot = await this.snapshotFor(actor, householdId, asOf, manager);
    const catalogue = await this.policies.catalogue(manager);
    return decideSnapshot(snapshot, asOf, selectVersionsInForce(catalogue, asOf));
  }

  /**
   * Decisions for every household of a region on `asOf`, chunk by chunk as the registry streams
   * them (never the whole region in memory), each with its explanation (to be shown or stored).
   * The catalogue is read once per stream.
   */
  streamDecisions(options: StreamDecisionsOptions): AsyncIterable<HouseholdEligibility[]> {
    return this.streamWith(options, 1000, decideSnapshot);
  }

  /**
   * `streamDecisions` without the explanations: the same households, beneficiaries and answers
   * (eligible, amount, version), for callers that count or select and never show or store why.
   * Building the reasons is most of a decision's work, so this is the city-wide path; `explain`
   * picks the few verdicts that are to be stored with their reasons.
   */
  streamVerdicts(options: StreamVerdictsOptions): AsyncIterable<HouseholdEligibility<VerdictOrDecision>[]> {
    const explain = options.explain;
    return this.streamWith(options, 5000, (snapshot, asOf, inForce) => judgeSnapshot(snapshot, asOf, inForce, explain));
  }

  private async *streamWith<D extends Verdict>(
    options: StreamDecisionsOptions,
    defaultChunkSize: number,
    decide: (
      snapshot: HouseholdSnapshot,
      asOf: string,
      versionsInForce: readonly PolicyInForce[],
    ) => HouseholdEligibility<D>,
  ): AsyncIterable<HouseholdEligibility<D>[]> {
    this.assertAsOf(options.asOf);
    const catalogue = await this.policies.catalogue();
    const wanted = options.policyCodes ? new Set<string>(options.policyCodes) : null;
    const inForce = selectVersionsInForce(
      wanted ? catalogue.filter((policy) => wanted.has(policy.code)) : catalogue,
      options.asOf,
    );
    for await (const chunk of this.snapshots.streamSnapshots({
      regionPrefix: options.regionPrefix,
      asOf: options.asOf,
      chunkSize: options.chunkSize ?? defaultChunkSize,
    })) {
      const decided: HouseholdEligibility<D>[] = new Array(chunk.length);
      for (let i = 0; i < chunk.length; i++) decided[i] = decide(chunk[i], options.asOf, inForce);
      yield decided;
    }
  }

  /**
   * What one beneficiary is owed by one policy for a period, month by month (see
   * `amountForPeriod`), reading the household as of each decision date.
   */
  async periodAmount(
    actor: Actor,
    householdId: string,
    policyCode: string,
    personId: string | null,
    period: string,
  ): Promise<PeriodAmount> {
    const parsed = parsePeriod(period);
    if (!parsed) throw new ValidationFailedError([{ field: 'period', message: 'period is YYYY or YYYY-MM' }]);
    const policy: PolicyWithVersions | undefined = (await this.policies.catalogue()).find((p) => p.code === policyCode);
    if (!policy) throw new NotFoundError('Policy', policyCode);
    if (policy.frequency === 'ANNUAL' && parsed.kind === 'MONTH') {
      throw new ValidationFailedError([{ field: 'period', message: `${policyCode} is annual: its period is a year` }]);
    }
    const dates =
      policy.frequency === 'MONTHLY'
        ? monthsOf(parsed).map((month) => `${month}-01`)
        : [policy.frequency === 'ANNUAL' ? decisionDate(policy, parsed.firstDay) : parsed.lastDay];
    const snapshots = new Map<string, HouseholdSnapshot>();
    for (const date of dates) snapshots.set(date, await this.snapshots.forHousehold(householdId, date));
    const latest = snapshots.get(dates[dates.length - 1])!;
    if (!new RegionScope(actor.regionCode).covers(latest.regionCode)) throw new NotFoundError('Household', householdId);
    return amountForPeriod(policy, (date) => snapshots.get(date)!, personId, period);
  }
}
