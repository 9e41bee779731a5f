import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { addDays } from '../../src/common/calendar.js';
import { loadHistories, payingAccountOn, snapshotOn } from '../../src/modules/registry/household-history.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import { loadSnapshots } from '../../src/modules/registry/snapshot.queries.js';
import { loadSyntheticCity } from '../support/city.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const HOUSEHOLDS = 1000;

/**
 * A batch decides each month from one read of a household's history (`loadHistories` +
 * `snapshotOn`); a single eligibility question reads the household as of a date in SQL
 * (`loadSnapshots`). On a synthetic city (moves, hukou changes, deaths, grades, revoked
 * certificates, violations, changed accounts) the two must agree on every household and date,
 * the dates of the records themselves and the day before each included.
 */
describe('household histories answer every date as the as-of SQL does', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadSyntheticCity(database.url, HOUSEHOLDS, { seed: 20261128, sampleSize: 2000 });
    dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('agrees with loadSnapshots on 1,000 households over the dates that matter', async () => {
    const ids = (await dataSource.query(`SELECT id FROM households ORDER BY id`)).map((r: { id: string }) => r.id);
    expect(ids).toHaveLength(HOUSEHOLDS);
    const recorded: { day: string }[] = await dataSource.query(`
      SELECT DISTINCT to_char(d, 'YYYY-MM-DD') AS day FROM (
        SELECT effective_on AS d FROM household_region_history
        UNION SELECT effective_on FROM person_hukou_history
        UNION SELECT effective_on FROM person_grade_history
        UNION SELECT effective_on FROM household_bank_accounts
        UNION SELECT recorded_on FROM household_violations
        UNION SELECT revoked_on FROM household_certificates
        UNION SELECT death_date FROM persons) t
       WHERE isfinite(d) AND d >= '1985-01-01'
       ORDER BY 1`);
    // Every record's date and the day before it (sampled evenly to keep the run short), and
    // the first of March of each year for the slow changes (ages, births, joins).
    const step = Math.max(1, Math.floor(recorded.length / 50));
    const dates = new Set<string>();
    for (let i = 0; i < recorded.length; i += step) {
      dates.add(recorded[i].day);
      dates.add(addDays(recorded[i].day, -1));
    }
    for (let year = 1985; year <= 2026; year++) dates.add(`${year}-03-01`);
    expect(dates.size).toBeGreaterThan(100);

    const histories = await loadHistories(dataSource, ids);
    expect(histories.size).toBe(HOUSEHOLDS);
    let compared = 0;
    let changing = 0;
    const mismatches: unknown[] = [];
    for (const date of dates) {
      const expected = await loadSnapshots(dataSource, date, { householdIds: ids });
      const byId = new Map(expected.map((s) => [s.householdId, s]));
      for (const id of ids) {
        const actual = snapshotOn(histories.get(id)!, date);
        if (!isDeepStrictEqual(actual, byId.get(id) ?? null)) mismatches.push({ date, actual, expected: byId.get(id) });
        compared++;
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // The city must have held histories worth comparing, not only constant households.
    for (const history of histories.values()) {
      if (
        history.regions.length > 1 ||
        history.accounts.length > 1 ||
        history.certificates.some((c) => c.revokedOn !== null) ||
        history.members.some((m) => m.hukou.length > 1 || m.disability.length > 0 || m.complication.length > 0)
      ) {
        changing++;
      }
    }
    expect(compared).toBe(HOUSEHOLDS * dates.size);
    expect(changing).toBeGreaterThan(50);
  }, 300_000);

  it('gives the account a payment goes to as accountsOn does', async () => {
    const ids: string[] = (await dataSource.query(`SELECT id FROM households ORDER BY id`)).map(
      (r: { id: string }) => r.id,
    );
    const histories = await loadHistories(dataSource, ids);
    const snapshots = new HouseholdSnapshots(dataSource);
    let accounts = 0;
    for (const date of ['2000-01-01', '2015-06-30', '2024-03-01', '2026-11-28']) {
      const expected = await snapshots.accountsOn(ids, date);
      const mismatches = ids.filter((id) => {
        const account = payingAccountOn(histories.get(id)!, date);
        if (account === undefined) return false; // a holder from outside: accountsOn answers it
        if (account) accounts++;
        return !isDeepStrictEqual(account, expected.get(id) ?? null);
      });
      expect(mismatches).toEqual([]);
    }
    expect(accounts).toBeGreaterThan(1000);
  });

  it('leaves unknown households out', async () => {
    const histories = await loadHistories(dataSource, ['00000000-0000-4000-8000-000000000000']);
    expect(histories.size).toBe(0);
  });
});
