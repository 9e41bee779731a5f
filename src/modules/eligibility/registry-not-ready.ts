import { HttpStatus, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import type { HouseholdSnapshotSource } from './household-snapshot-source.js';

/** Stands in for the registry's HouseholdSnapshots until that module is wired in. */
@Injectable()
export class RegistryNotReady implements HouseholdSnapshotSource {
  private refuse(): never {
    throw new DomainError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'REGISTRY_UNAVAILABLE',
      'The household registry is not available',
    );
  }
  forHousehold(): Promise<HouseholdSnapshot> {
    return Promise.resolve().then(() => this.refuse());
  }
  // eslint-disable-next-line require-yield
  async *streamSnapshots(): AsyncIterable<HouseholdSnapshot[]> {
    this.refuse();
  }
}
