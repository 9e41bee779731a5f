import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { regionPrefix } from '../../common/region-scope.js';
import { isIsoDate } from './dates.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import { loadSnapshots } from './snapshot.queries.js';

export interface StreamSnapshotsOptions {
  /** A region code or code prefix (`410122`, `410122101`, or `4101` / `410100` for the city). */
  regionPrefix: string;
  asOf: string;
  /** Households per chunk (default 1000, at most 10,000). */
  chunkSize?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertAsOf(asOf: string): void {
  if (!isIsoDate(asOf)) throw new ValidationFailedError([{ field: 'asOf', message: 'asOf must be a YYYY-MM-DD date' }]);
}

/**
 * What a household looked like on a date, for eligibility and batch generation. One household or a
 * region's million go through the same loader (three queries per chunk), so both answer alike.
 * Region scope is the caller's business: these methods serve internal callers, who check the
 * user's scope on the household first.
 */
@Injectable()
export class HouseholdSnapshots {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The household on `asOf`; 404 when it does not exist. Pass `manager` to read inside a transaction. */
  async forHousehold(householdId: string, asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot> {
    assertAsOf(asOf);
    if (!UUID.test(householdId)) throw new NotFoundError('Household', householdId);
    const [snapshot] = await loadSnapshots(manager ?? this.dataSource, asOf, { householdIds: [householdId] });
    if (!snapshot) throw new NotFoundError('Household', householdId);
    return snapshot;
  }

  /** Several households on `asOf`, ordered by household id; unknown ids are left out. */
  async forHouseholds(householdIds: string[], asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot[]> {
    assertAsOf(asOf);
    const ids = householdIds.filter((id) => UUID.test(id));
    return loadSnapshots(manager ?? this.dataSource, asOf, { householdIds: ids });
  }

  /**
   * Every household whose region on `asOf` lies under `regionPrefix`, in chunks ordered by household
   * id (keyset pagination), read in one REPEATABLE READ snapshot of the database so that the chunks
   * are mutually consistent. Stop iterating early and the transaction is released.
   */
  async *streamSnapshots(options: StreamSnapshotsOptions): AsyncIterable<HouseholdSnapshot[]> {
    assertAsOf(options.asOf);
    if (!/^\d{2,12}$/.test(options.regionPrefix)) {
      throw new ValidationFailedError([{ field: 'regionPrefix', message: 'regionPrefix is a region code or prefix' }]);
    }
    const limit = Math.min(Math.max(Math.trunc(options.chunkSize ?? 1000), 1), 10_000);
    const regionLike = `${regionPrefix(options.regionPrefix)}%`;
    const runner = this.dataSource.createQueryRunner();
    let pending: Promise<HouseholdSnapshot[]> | undefined;
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      // The chunk queries are many small index lookups: JIT compilation only adds to each one.
      await runner.query('SET LOCAL jit = off');
      // The next chunk is read while the caller works on this one, so the database and the
      // decisions overlap instead of taking turns.
      let next: Promise<HouseholdSnapshot[]> = loadSnapshots(runner, options.asOf, { after: null, regionLike, limit });
      pending = next;
      for (;;) {
        const chunk: HouseholdSnapshot[] = await next;
        pending = undefined;
        if (chunk.length === 0) break;
        const last = chunk.length < limit;
        if (!last) {
          const after = chunk[chunk.length - 1].householdId;
          next = loadSnapshots(runner, options.asOf, { after, regionLike, limit });
          next.catch(() => undefined); // awaited above or in `finally`; never unhandled
          pending = next;
        }
        yield chunk;
        if (last) break;
      }
      await runner.commitTransaction();
    } finally {
      await pending?.catch(() => undefined);
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}
