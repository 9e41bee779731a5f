import pg from 'pg';
import { CityGenerator, TABLES, type CitySample, type CityStats, type TableName, type Township } from './city.js';
import { copyRows } from './copy.js';

/**
 * The loader child of the bench: generates the synthetic city and COPYs it into the bench
 * database, then VACUUM ANALYZE. It runs in a process of its own so that the generator's memory
 * never counts in the peak RSS reported for the service's stages.
 *
 * Usage (forked by run.ts): load-city.js URL HOUSEHOLDS SEED; answers {stats, sample, villages,
 * seconds, foreignKeysChecked} over IPC.
 */
export interface LoadResult {
  stats: CityStats;
  sample: CitySample;
  villages: number;
  seconds: number;
  /** False when the loader could skip the foreign-key triggers (superuser: session_replication_role). */
  foreignKeysChecked: boolean;
}

const LOAD_CHUNK = 20_000;

async function main(): Promise<void> {
  const [url, householdsArg, seedArg] = process.argv.slice(2);
  const households = Number(householdsArg);
  const started = process.hrtime.bigint();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The generated rows are consistent by construction; a superuser may skip the per-row
  // foreign-key triggers as pg_restore does. Without the privilege, they are checked.
  const foreignKeysChecked = await client.query(`SET session_replication_role = replica`).then(
    () => false,
    () => true,
  );
  const townships = (
    await client.query<Township>(
      `SELECT code, name, substr(code, 1, 6) AS "countyCode" FROM regions WHERE level = 'TOWNSHIP' ORDER BY code`,
    )
  ).rows;
  const city = new CityGenerator(Number(seedArg), townships, households);
  await copyRows(client, 'regions (code, name, parent_code, level)', city.villageRows());
  for (let done = 0; done < households; done += LOAD_CHUNK) {
    const chunk = city.nextChunk(Math.min(LOAD_CHUNK, households - done));
    for (const table of Object.keys(TABLES) as TableName[]) await copyRows(client, TABLES[table], chunk[table]);
    if ((done / LOAD_CHUNK) % 10 === 9) process.stderr.write(`  loaded ${done + LOAD_CHUNK} households\n`);
  }
  await client.query('RESET session_replication_role');
  await client.query('VACUUM ANALYZE');
  await client.end();
  const result: LoadResult = {
    stats: city.stats,
    sample: city.sample,
    villages: city.villages.length,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    foreignKeysChecked,
  };
  process.send!(result);
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
