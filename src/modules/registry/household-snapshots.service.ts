import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { regionPrefix } from '../../common/region-scope.js';
import { queryRows } from '../../database/sql.js';
import { isIsoDate } from './dates.js';
import { loadHistories, timelineOf, type HouseholdTimeline } from './household-history.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import { loadHouseholdIds, loadSnapshots, type SnapshotSelection } from './snapshot.queries.js';

/** A household's account on a date, with what paying into it needs to know of the holder. */
export interface PayingAccount {
  bankCode: string;
  accountNo: string;
  holder: {
    personId: string;
    name: string;
    idNumber: string;
    birthDate: string;
    deathDate: string | null;
    member: boolean;
  };
}

interface AccountRow {
  household_id: string;
  bank_code: string;
  account_no: string;
  holder_person_id: string;
  name: string;
  id_number: string;
  birth_date: string;
  death_date: string | null;
  member: boolean | null;
}

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

  /** The household through time (its whole dated record); 404 when it does not exist. */
  async timelineFor(householdId: string, manager?: EntityManager): Promise<HouseholdTimeline> {
    if (!UUID.test(householdId)) throw new NotFoundError('Household', householdId);
    const history = (await loadHistories(manager ?? this.dataSource, [householdId])).get(householdId);
    if (!history) throw new NotFoundError('Household', householdId);
    return timelineOf(history);
  }

  /** Several households on `asOf`, ordered by household id; unknown ids are left out. */
  async forHouseholds(householdIds: string[], asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot[]> {
    assertAsOf(asOf);
    const ids = householdIds.filter((id) => UUID.test(id));
    return loadSnapshots(manager ?? this.dataSource, asOf, { householdIds: ids });
  }

  /**
   * Each household's one-card account in force on `asOf` with its holder, for paying: one query for
   * a chunk of households (a batch needs only this of "today", not the whole snapshot).
   */
  async accountsOn(householdIds: string[], asOf: string, manager?: EntityManager): Promise<Map<string, PayingAccount>> {
    assertAsOf(asOf);
    const rows = await queryRows<AccountRow>(
      manager ?? this.dataSource,
      `SELECT h.id AS household_id, b.bank_code, b.account_no, p.id AS holder_person_id, p.name, p.id_number,
              to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
              to_char(CASE WHEN p.death_date <= $1::date THEN p.death_date END, 'YYYY-MM-DD') AS death_date,
              (m.household_id = h.id AND m.joined_on <= $1::date) AS member
         FROM unnest($2::uuid[]) AS h(id)
         JOIN LATERAL (
           SELECT ba.bank_code, ba.account_no, ba.holder_person_id FROM household_bank_accounts ba
            WHERE ba.household_id = h.id AND ba.effective_on <= $1::date
            ORDER BY ba.effective_on DESC, ba.seq DESC LIMIT 1) b ON true
         JOIN persons p ON p.id = b.holder_person_id
         LEFT JOIN household_members m ON m.person_id = p.id AND m.household_id = h.id`,
      [asOf, householdIds.filter((id) => UUID.test(id))],
    );
    return new Map(
      rows.map((row) => [
        row.household_id,
        {
          bankCode: row.bank_code,
          accountNo: row.account_no,
          holder: {
            personId: row.holder_person_id,
            name: row.name,
            idNumber: row.id_number,
            birthDate: row.birth_date,
            deathDate: row.death_date,
            member: row.member === true,
          },
        },
      ]),
    );
  }

  /**
   * Every household whose region on `asOf` lies under `regionPrefix`, in chunks ordered by household
   * id (keyset pagination), read in one REPEATABLE READ snapshot of the database so that the chunks
   * are mutually consistent. Stop iterating early and the transaction is released.
   */
  streamSnapshots(options: StreamSnapshotsOptions): AsyncIterable<HouseholdSnapshot[]> {
    return this.stream(
      options,
      (runner, selection) => loadSnapshots(runner, options.asOf, selection),
      (snapshot) => snapshot.householdId,
    );
  }

  /**
   * `streamSnapshots` with each household through time (its whole dated record) instead of one
   * date: the same households (their region on `asOf`), chunks and transaction.
   */
  streamTimelines(options: StreamSnapshotsOptions): AsyncIterable<HouseholdTimeline[]> {
    return this.stream(
      options,
      async (runner, selection) => {
        if (!('after' in selection)) throw new Error('streamTimelines reads keyset chunks');
        const ids = await loadHouseholdIds(runner, options.asOf, selection);
        const histories = await loadHistories(runner, ids);
        return ids.flatMap((id) => {
          const history = histories.get(id);
          return history ? [timelineOf(history)] : [];
        });
      },
      (timeline) => timeline.householdId,
    );
  }

  private async *stream<T>(
    options: StreamSnapshotsOptions,
    load: (runner: QueryRunner, selection: SnapshotSelection) => Promise<T[]>,
    idOf: (item: T) => string,
  ): AsyncIterable<T[]> {
    assertAsOf(options.asOf);
    if (!/^\d{2,12}$/.test(options.regionPrefix)) {
      throw new ValidationFailedError([{ field: 'regionPrefix', message: 'regionPrefix is a region code or prefix' }]);
    }
    const limit = Math.min(Math.max(Math.trunc(options.chunkSize ?? 1000), 1), 10_000);
    const regionLike = `${regionPrefix(options.regionPrefix)}%`;
    const runner = this.dataSource.createQueryRunner();
    let pending: Promise<T[]> | undefined;
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      // The chunk queries are many small index lookups: JIT compilation only adds to each one, and
      // parallel workers only take the cores that decide the previous chunk meanwhile.
      await runner.query(
        "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)",
      );
      // The next chunk is read while the caller works on this one, so the database and the
      // decisions overlap instead of taking turns.
      let next: Promise<T[]> = load(runner, { after: null, regionLike, limit });
      pending = next;
      for (;;) {
        const chunk: T[] = await next;
        pending = undefined;
        if (chunk.length === 0) break;
        const last = chunk.length < limit;
        if (!last) {
          const after = idOf(chunk[chunk.length - 1]);
          next = load(runner, { after, regionLike, limit });
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
