import { openColumns } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { regionPrefix } from '../../common/region-scope.js';
import { queryRows } from '../../database/sql.js';
import { isDate } from '../../common/calendar.js';
import { loadHistories, timelineOf, type HouseholdTimeline } from './household-history.js';
import { loadHistoryRange } from './snapshot-history-range.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import { loadHouseholdIds, loadIdRange, loadSnapshots } from './snapshot.queries.js';
import { callerText } from '../../common/request-context.js';
import { isUuid } from '../../common/uuid.js';

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

function assertAsOf(asOf: string): void {
  if (!isDate(asOf)) {
    throw new ValidationFailedError([{ field: 'asOf', message: callerText('messages.dateField', { field: 'asOf' }) }]);
  }
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
    if (!isUuid(householdId)) throw new NotFoundError('Household', householdId);
    const [snapshot] = await loadSnapshots(manager ?? this.dataSource, asOf, { householdIds: [householdId] });
    if (!snapshot) throw new NotFoundError('Household', householdId);
    return snapshot;
  }

  /** The household through time (its whole dated record); 404 when it does not exist. */
  async timelineFor(householdId: string, manager?: EntityManager): Promise<HouseholdTimeline> {
    if (!isUuid(householdId)) throw new NotFoundError('Household', householdId);
    const history = (await loadHistories(manager ?? this.dataSource, [householdId])).get(householdId);
    if (!history) throw new NotFoundError('Household', householdId);
    return timelineOf(history);
  }

  /** Several households on `asOf`, ordered by household id; unknown ids are left out. */
  async forHouseholds(householdIds: string[], asOf: string, manager?: EntityManager): Promise<HouseholdSnapshot[]> {
    assertAsOf(asOf);
    const ids = householdIds.filter((id) => isUuid(id));
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
      `SELECT h.id AS household_id, b.bank_code, b.account_no_enc AS account_no, p.id AS holder_person_id, p.name,
              p.id_number_enc AS id_number,
              to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
              to_char(CASE WHEN p.death_date <= $1::date THEN p.death_date END, 'YYYY-MM-DD') AS death_date,
              (m.household_id = h.id AND m.joined_on <= $1::date) AS member
         FROM unnest($2::uuid[]) AS h(id)
         JOIN LATERAL (
           SELECT ba.bank_code, ba.account_no_enc, ba.holder_person_id FROM household_bank_accounts ba
            WHERE ba.household_id = h.id AND ba.effective_on <= $1::date
            ORDER BY ba.effective_on DESC, ba.seq DESC LIMIT 1) b ON true
         JOIN persons p ON p.id = b.holder_person_id
         LEFT JOIN household_members m ON m.person_id = p.id AND m.household_id = h.id`,
      [asOf, householdIds.filter((id) => isUuid(id))],
    );
    openColumns(rows, 'account_no', 'id_number');
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
    return this.stream(options, async (runner, selection) => {
      const items = await loadSnapshots(runner, options.asOf, selection);
      const next = items.length < selection.limit ? null : items[items.length - 1].householdId;
      return { items, next };
    });
  }

  /**
   * `streamSnapshots` with each household through time (its dated record, less the account
   * history, which eligibility never reads: the snapshots have no `bankAccount`) instead of one
   * date: the same households (their region on `asOf`), in the same order and transaction. A
   * region reads its households' ids first and their histories by id; the whole city reads every
   * household in turn, its histories by ranges of ids (sequential index reads, no probe per
   * household), and keeps those whose region on `asOf` lies under the prefix.
   */
  streamTimelines(options: StreamSnapshotsOptions): AsyncIterable<HouseholdTimeline[]> {
    const prefix = regionPrefix(options.regionPrefix);
    const wholeCity = prefix.length <= 4;
    return this.stream(options, async (runner, selection) => {
      if (wholeCity) {
        const range = await loadIdRange(runner, selection.after, selection.limit);
        if (range === null) return { items: [], next: null };
        const items: HouseholdTimeline[] = [];
        for (const history of await loadHistoryRange(runner, range.after, range.through)) {
          const timeline = timelineOf(history);
          if (timeline.at(options.asOf)?.regionCode.startsWith(prefix)) items.push(timeline);
        }
        return { items, next: range.count < selection.limit ? null : range.through };
      }
      const ids = await loadHouseholdIds(runner, options.asOf, selection);
      const histories = await loadHistories(runner, ids, { accounts: false });
      const items = ids.flatMap((id) => {
        const history = histories.get(id);
        return history ? [timelineOf(history)] : [];
      });
      return { items, next: ids.length < selection.limit ? null : ids[ids.length - 1] };
    });
  }

  /**
   * Runs `load` chunk after chunk, from the start of the id order until it answers no `next` (the
   * keyset of the following chunk). A chunk may be empty and still have a next one (a range of
   * ids none of which lies in the region).
   */
  private async *stream<T>(
    options: StreamSnapshotsOptions,
    load: (
      runner: QueryRunner,
      selection: { after: string | null; regionLike: string; limit: number },
    ) => Promise<{ items: T[]; next: string | null }>,
  ): AsyncIterable<T[]> {
    assertAsOf(options.asOf);
    if (!/^\d{2,12}$/.test(options.regionPrefix)) {
      throw new ValidationFailedError([{ field: 'regionPrefix', message: callerText('messages.regionPrefix') }]);
    }
    const limit = Math.min(Math.max(Math.trunc(options.chunkSize ?? 1000), 1), 10_000);
    const regionLike = `${regionPrefix(options.regionPrefix)}%`;
    const runner = this.dataSource.createQueryRunner();
    let pending: Promise<{ items: T[]; next: string | null }> | undefined;
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
      let next = load(runner, { after: null, regionLike, limit });
      pending = next;
      for (;;) {
        const chunk = await next;
        pending = undefined;
        const after = chunk.next;
        if (after !== null) {
          next = load(runner, { after, regionLike, limit });
          next.catch(() => undefined); // awaited above or in `finally`; never unhandled
          pending = next;
        }
        if (chunk.items.length > 0) yield chunk.items;
        if (after === null) break;
      }
      await runner.commitTransaction();
    } finally {
      await pending?.catch(() => undefined);
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}
