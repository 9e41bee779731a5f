import type { EntityManager } from 'typeorm';
import type { HouseholdTimeline } from '../registry/household-history.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';

/**
 * What the eligibility engine needs from the registry: the `HouseholdSnapshots` service's reads
 * (a household on a date, or through time). Injected under a token so the engine depends on the contract, not on the registry module.
 */
export interface HouseholdSnapshotSource {
  forHousehold(householdId: string, asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot>;
  timelineFor(householdId: string, manager?: EntityManager): Promise<HouseholdTimeline>;
  streamTimelines(options: {
    regionPrefix: string;
    asOf: string;
    chunkSize?: number;
  }): AsyncIterable<HouseholdTimeline[]>;
  streamSnapshots(options: {
    regionPrefix: string;
    asOf: string;
    chunkSize?: number;
  }): AsyncIterable<HouseholdSnapshot[]>;
}

export const HOUSEHOLD_SNAPSHOTS = Symbol('HouseholdSnapshotSource');
