import type { EntityManager } from 'typeorm';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';

/**
 * What the eligibility engine needs from the registry: the `HouseholdSnapshots` service's two
 * reads. Injected under a token so the engine depends on the contract, not on the registry module.
 */
export interface HouseholdSnapshotSource {
  forHousehold(householdId: string, asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot>;
  streamSnapshots(options: {
    regionPrefix: string;
    asOf: string;
    chunkSize?: number;
  }): AsyncIterable<HouseholdSnapshot[]>;
}

export const HOUSEHOLD_SNAPSHOTS = Symbol('HouseholdSnapshotSource');
