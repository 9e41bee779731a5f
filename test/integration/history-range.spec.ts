import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { addDays } from '../../src/common/calendar.js';
import {
  loadHistories,
  snapshotOn,
  timelineOf,
  type HouseholdHistory,
} from '../../src/modules/registry/household-history.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import { loadHistoryRange } from '../../src/modules/registry/snapshot-history-range.js';
import { loadSyntheticCity } from '../support/city.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const HOUSEHOLDS = 600;
const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * A stream over the whole city reads histories by ranges of ids, in one JSON statement per chunk
 * (snapshot-history-range.ts); a region reads them by id (`loadHistories`). On a synthetic city
 * with every kind of dated record the two must give the same histories (less the accounts, which
 * the range leaves out), and the city stream the same households as a stream of its counties.
 */
describe('histories read by range of ids', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadSyntheticCity(database.url, HOUSEHOLDS, {
      seed: 20261129,
      sampleSize: 2000,
      // Person histories the generator does not write: moves out of and back into the city.
      extend: (client) =>
        client
          .query(
            `
          INSERT INTO person_residence_history (person_id, effective_on, resident)
          SELECT person_id, d, r FROM (SELECT person_id FROM household_members ORDER BY person_id LIMIT 40) m
           CROSS JOIN (VALUES (date '2015-03-10', false), (date '2019-07-01', true)) AS v(d, r)`,
          )
          .then(() => undefined),
    });
    dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('equal the histories read by id, accounts aside, in id order', async () => {
    const ids: string[] = (await dataSource.query(`SELECT id FROM households ORDER BY id`)).map(
      (r: { id: string }) => r.id,
    );
    expect(ids).toHaveLength(HOUSEHOLDS);
    const byId = await loadHistories(dataSource, ids, { accounts: false });
    // Three ranges: the first ids, the middle, the rest.
    const cuts = [NIL, ids[99], ids[349], ids[ids.length - 1]];
    const ranged = [];
    for (let i = 0; i + 1 < cuts.length; i++)
      ranged.push(...(await loadHistoryRange(dataSource, cuts[i], cuts[i + 1])));
    expect(ranged.map((history) => history.householdId)).toEqual(ids);
    for (const history of ranged) expect(history).toEqual(byId.get(history.householdId));
    // The city held histories worth comparing.
    const dated = ranged.filter(
      (h) =>
        h.regions.length > 1 ||
        h.violations.length > 0 ||
        h.members.some((m) => m.hukou.length > 1 || m.residence.length > 0 || m.disability.length > 0),
    );
    expect(dated.length).toBeGreaterThan(50);
    expect(ranged.some((h) => h.members.some((m) => m.residence.length > 0))).toBe(true);
  });

  it('answer every date of a timeline as a fresh snapshot does (members shared between dates)', async () => {
    const ids: string[] = (await dataSource.query(`SELECT id FROM households ORDER BY id`)).map(
      (r: { id: string }) => r.id,
    );
    const histories = await loadHistories(dataSource, ids);
    const days = (history: HouseholdHistory) => {
      const dates = new Set(['2025-03-01', '2025-01-01', '2025-03-31', '1990-06-30', '2024-12-31']);
      for (const member of history.members) {
        for (const entry of [...member.hukou, ...member.residence, ...member.disability, ...member.complication]) {
          if (entry.effectiveOn !== '-infinity') dates.add(entry.effectiveOn).add(addDays(entry.effectiveOn, -1));
        }
        for (const date of [member.deathDate, member.leftOn, member.collegeAdmittedOn, member.birthDate]) {
          if (date) dates.add(date).add(addDays(date, -1));
        }
      }
      // Later dates first, then earlier ones, then the rest: any order of questions.
      return [...dates].sort().reverse();
    };
    let compared = 0;
    let shared = 0;
    for (const history of histories.values()) {
      const timeline = timelineOf(history);
      const seen = new Set<unknown>();
      for (const date of days(history)) {
        const snapshot = timeline.at(date);
        expect(snapshot).toEqual(snapshotOn(history, date));
        for (const member of snapshot?.members ?? []) {
          if (seen.has(member)) shared++;
          seen.add(member);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(HOUSEHOLDS * 5);
    expect(shared).toBeGreaterThan(HOUSEHOLDS);
  });

  it('stream the same households for the city as for its counties, in id order', async () => {
    const snapshots = new HouseholdSnapshots(dataSource);
    const asOf = '2025-03-01';
    const collect = async (regionPrefix: string, chunkSize: number) => {
      const out: { id: string; region: string }[] = [];
      for await (const chunk of snapshots.streamTimelines({ regionPrefix, asOf, chunkSize })) {
        for (const timeline of chunk) out.push({ id: timeline.householdId, region: timeline.at(asOf)!.regionCode });
      }
      return out;
    };
    const city = await collect('410100', 70);
    expect(city.length).toBeGreaterThan(HOUSEHOLDS * 0.9);
    expect(city.map((h) => h.id)).toEqual([...city.map((h) => h.id)].sort());
    const counties = [...new Set(city.map((h) => h.region.slice(0, 6)))].sort();
    const byCounty: { id: string; region: string }[] = [];
    for (const county of counties) byCounty.push(...(await collect(county, 70)));
    expect(byCounty.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(city);
  });
});
