import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { DEFAULT_LANGUAGE, policyName, type Language } from '../../common/i18n/i18n.js';
import { RegionScope } from '../../common/region-scope.js';
import { callerText, requestContext, type Actor } from '../../common/request-context.js';
import { PoliciesService } from '../policies/policies.service.js';
import type { PolicyCode } from '../policies/policy-codes.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdTimeline } from '../registry/household-history.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import { isDate, parsePeriod } from '../../common/calendar.js';
import {
  decideHousehold,
  selectVersionsInForce,
  type Decision,
  type Verdict,
  type VerdictOrDecision,
} from './decide.js';
import { HOUSEHOLD_SNAPSHOTS, type HouseholdSnapshotSource } from './household-snapshot-source.js';
import { amountForPeriod, decideHouseholdForUnits, type PeriodAmount } from './period-amount.js';

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
   * Households per chunk, by default 1,000: a chunk's histories, snapshots and decisions then die
   * young (with 5,000, the city stream spent more time collecting garbage: node 16.8 against 13.8 s
   * of CPU for 100,000 households, 305 against 204 MiB).
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
 * The single pure step every path shares: one household through time, each policy decided for the
 * unit (month, year, once) that contains `asOf`, as a batch for that unit pays it
 * (`decideHouseholdForUnits`: the first day of the month on which the rule holds, 1 January for a
 * year). `decide`, `decideFor` and both streams come through here and nowhere else.
 */
export function decideTimeline(
  timeline: HouseholdTimeline,
  asOf: string,
  catalogue: readonly PolicyWithVersions[],
  lang: Language = DEFAULT_LANGUAGE,
): HouseholdEligibility {
  return {
    householdId: timeline.householdId,
    regionCode: regionOn(timeline, asOf),
    asOf,
    decisions: decideHouseholdForUnits(catalogue, timeline.at, asOf, timeline.changesIn, {
      explained: true,
      lang,
    }) as Decision[],
  };
}

/** The language of the request being served (Accept-Language), for the labels it is shown. */
const callerLanguage = (): Language => requestContext.current()?.language ?? DEFAULT_LANGUAGE;

/**
 * `decideTimeline` without the explanations (but for the verdicts `explain` picks): the same
 * beneficiaries, answers and versions, for bulk streams whose decisions are counted or filtered.
 */
export function judgeTimeline(
  timeline: HouseholdTimeline,
  asOf: string,
  catalogue: readonly PolicyWithVersions[],
  explain?: (verdict: Verdict) => boolean,
): HouseholdEligibility<VerdictOrDecision> {
  return {
    householdId: timeline.householdId,
    regionCode: regionOn(timeline, asOf),
    asOf,
    decisions: decideHouseholdForUnits(catalogue, timeline.at, asOf, timeline.changesIn, { explained: false, explain }),
  };
}

function regionOn(timeline: HouseholdTimeline, asOf: string): string {
  const snapshot = timeline.at(asOf);
  if (!snapshot) throw new NotFoundError('Household', timeline.householdId);
  return snapshot.regionCode;
}

/**
 * Eligibility for the unit containing a date, for one household (the endpoint, enrollments) or for
 * every household of a region in chunks, through the same pure function as batch generation.
 */
@Injectable()
export class EligibilityService {
  constructor(
    @Inject(HOUSEHOLD_SNAPSHOTS) private readonly snapshots: HouseholdSnapshotSource,
    private readonly policies: PoliciesService,
  ) {}

  private assertAsOf(asOf: string): void {
    if (!isDate(asOf)) {
      throw new ValidationFailedError([
        { field: 'asOf', message: callerText('messages.dateField', { field: 'asOf' }) },
      ]);
    }
  }

  /** Every policy and possible beneficiary of one household for `asOf`. No scope check: see `decideFor`. */
  async decide(householdId: string, asOf: string, manager?: EntityManager): Promise<HouseholdEligibility> {
    this.assertAsOf(asOf);
    const timeline = await this.snapshots.timelineFor(householdId, manager);
    const catalogue = await this.policies.catalogue(manager);
    return decideTimeline(timeline, asOf, catalogue);
  }

  /**
   * The decisions on one day, from the households as they stood that day (not for the unit around
   * it): whether a rule still holds after an event, for ending enrollments (a death on 10 May ends
   * them from that day, though May itself is still owed). The catalogue is read once.
   */
  async decideOnDay(
    snapshots: readonly HouseholdSnapshot[],
    date: string,
    manager?: EntityManager,
  ): Promise<HouseholdEligibility[]> {
    this.assertAsOf(date);
    const versions = selectVersionsInForce(await this.policies.catalogue(manager), date);
    return snapshots.map((snapshot) => ({
      householdId: snapshot.householdId,
      regionCode: snapshot.regionCode,
      asOf: date,
      decisions: decideHousehold(snapshot, date, versions),
    }));
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
    this.assertAsOf(asOf);
    const timeline = await this.snapshots.timelineFor(householdId, manager);
    const snapshot = timeline.at(asOf);
    if (!snapshot || !new RegionScope(actor.regionCode).covers(snapshot.regionCode)) {
      throw new NotFoundError('Household', householdId);
    }
    const catalogue = await this.policies.catalogue(manager);
    return decideTimeline(timeline, asOf, catalogue, callerLanguage());
  }

  /**
   * Decisions for every household of a region for `asOf`, chunk by chunk as the registry streams
   * them (never the whole region in memory), each with its explanation (to be shown or stored).
   * The catalogue is read once per stream.
   */
  streamDecisions(options: StreamDecisionsOptions): AsyncIterable<HouseholdEligibility[]> {
    return this.streamWith(options, 1000, decideTimeline);
  }

  /**
   * `streamDecisions` without the explanations: the same households, beneficiaries and answers
   * (eligible, amount, version), for callers that count or select and never show or store why.
   * Building the reasons is most of a decision's work, so this is the city-wide path; `explain`
   * picks the few verdicts that are to be stored with their reasons.
   */
  streamVerdicts(options: StreamVerdictsOptions): AsyncIterable<HouseholdEligibility<VerdictOrDecision>[]> {
    const explain = options.explain;
    return this.streamWith(options, 1000, (timeline, asOf, catalogue) =>
      judgeTimeline(timeline, asOf, catalogue, explain),
    );
  }

  private async *streamWith<D extends Verdict>(
    options: StreamDecisionsOptions,
    defaultChunkSize: number,
    decide: (
      timeline: HouseholdTimeline,
      asOf: string,
      catalogue: readonly PolicyWithVersions[],
    ) => HouseholdEligibility<D>,
  ): AsyncIterable<HouseholdEligibility<D>[]> {
    this.assertAsOf(options.asOf);
    const catalogue = await this.policies.catalogue();
    const wanted = options.policyCodes ? new Set<string>(options.policyCodes) : null;
    const policies = wanted ? catalogue.filter((policy) => wanted.has(policy.code)) : catalogue;
    for await (const chunk of this.snapshots.streamTimelines({
      regionPrefix: options.regionPrefix,
      asOf: options.asOf,
      chunkSize: options.chunkSize ?? defaultChunkSize,
    })) {
      const decided: HouseholdEligibility<D>[] = new Array(chunk.length);
      for (let i = 0; i < chunk.length; i++) decided[i] = decide(chunk[i], options.asOf, policies);
      yield decided;
    }
  }

  /**
   * What one beneficiary is owed by one policy for a period, month by month (see
   * `amountForPeriod`), from the household's history read once.
   */
  async periodAmount(
    actor: Actor,
    householdId: string,
    policyCode: string,
    personId: string | null,
    period: string,
  ): Promise<PeriodAmount> {
    const parsed = parsePeriod(period);
    if (!parsed) throw new ValidationFailedError([{ field: 'period', message: callerText('messages.period') }]);
    const policy: PolicyWithVersions | undefined = (await this.policies.catalogue()).find((p) => p.code === policyCode);
    if (!policy) throw new NotFoundError('Policy', policyCode);
    if (policy.frequency === 'ANNUAL' && parsed.kind === 'MONTH') {
      const name = policyName(policyCode, callerLanguage());
      throw new ValidationFailedError([
        { field: 'period', message: callerText('messages.annualPeriod', { policyName: name }) },
      ]);
    }
    const timeline = await this.snapshots.timelineFor(householdId);
    const latest = timeline.at(parsed.lastDay);
    if (!latest || !new RegionScope(actor.regionCode).covers(latest.regionCode)) {
      throw new NotFoundError('Household', householdId);
    }
    return amountForPeriod(policy, timeline.at, personId, period, timeline.changesIn, undefined, callerLanguage());
  }
}
