import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import {
  decideTimeline,
  EligibilityService,
  judgeTimeline,
  type HouseholdEligibility,
} from '../../src/modules/eligibility/eligibility.service.js';
import { PoliciesRepository } from '../../src/modules/policies/policies.repository.js';
import type { PoliciesService } from '../../src/modules/policies/policies.service.js';
import type { Verdict } from '../../src/modules/eligibility/decide.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import { loadHistories, timelineOf, type HouseholdHistory } from '../../src/modules/registry/household-history.js';
import { loadHouseholdIds } from '../../src/modules/registry/snapshot.queries.js';
import { BACKENDS, databaseCpuSeconds } from './report.js';

/**
 * What would make the eligibility stream faster, measured on a database kept by
 * `npm run bench -- --keep-database`, through the service itself (EligibilityService over
 * HouseholdSnapshots.streamSnapshots, as the benchmark's eligibility stage drives it), and its two
 * halves apart: the database alone (the chunk queries, nothing decided) and the decisions alone
 * (over histories already in memory), explained (`decideTimeline`) and not (`judgeTimeline`).
 *
 * Usage: node dist/test/bench/eligibility-experiment.js DATABASE_URL [households-for-decide-only]
 */
const url = process.argv[2];
const inMemory = Number(process.argv[3] ?? 20_000);
const asOf = '2025-03-01';
const dataSource = new DataSource(dataSourceOptions(url, 4));
await dataSource.initialize();
const catalogue = await new PoliciesRepository(dataSource).loadCatalogue();
const policies = { catalogue: () => Promise.resolve(catalogue) } as unknown as PoliciesService;
const registry = new HouseholdSnapshots(dataSource);
const service = new EligibilityService(registry, policies);

/**
 * CPU seconds used so far by this database's backends, so that a change can be judged by the work
 * it costs, not only by the wall clock of a machine shared with others.
 */
const databaseCpu = () =>
  databaseCpuSeconds(async () => ((await dataSource.query(BACKENDS)) as { pid: number }[]).map((row) => row.pid));

let mark = { cpu: process.cpuUsage(), db: 0 };
async function start(): Promise<bigint> {
  mark = { cpu: process.cpuUsage(), db: await databaseCpu() };
  return process.hrtime.bigint();
}

async function report(name: string, households: number, started: bigint): Promise<void> {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  const cpu = process.cpuUsage(mark.cpu);
  const nodeCpu = (cpu.user + cpu.system) / 1e6;
  const dbCpu = (await databaseCpu()) - mark.db;
  process.stdout.write(
    `${name}: ${households} households in ${seconds.toFixed(1)} s = ` +
      `${Math.round((households * catalogue.length) / seconds)} household-policy decisions/s ` +
      `(cpu: node ${nodeCpu.toFixed(1)} s, database ${dbCpu.toFixed(1)} s; rss ${rss} MiB)\n`,
  );
}

/** The service's stream, as the benchmark's eligibility stage consumes it. */
async function stream(name: string, chunkSize: number, explain: boolean): Promise<void> {
  const started = await start();
  let households = 0;
  let eligible = 0;
  const chunks: AsyncIterable<HouseholdEligibility<Verdict>[]> = explain
    ? service.streamDecisions({ regionPrefix: '410100', asOf, chunkSize })
    : service.streamVerdicts({ regionPrefix: '410100', asOf, chunkSize });
  for await (const chunk of chunks) {
    for (const household of chunk) {
      households++;
      for (const decision of household.decisions) if (decision.eligible) eligible++;
    }
  }
  await report(`${name} (${eligible} eligible)`, households, started);
}

/** The database half: the stream's chunks, nothing decided. */
async function loadOnly(chunkSize: number): Promise<void> {
  const started = await start();
  let households = 0;
  for await (const chunk of registry.streamTimelines({ regionPrefix: '410100', asOf, chunkSize })) {
    households += chunk.length;
  }
  await report(`database only, chunk ${chunkSize}`, households, started);
}

/** The decision half, over the first households of the city held in memory. */
async function decideOnly(): Promise<void> {
  const histories: HouseholdHistory[] = [];
  let after: string | null = null;
  while (histories.length < inMemory) {
    const ids = await loadHouseholdIds(dataSource, asOf, { after, regionLike: '4101%', limit: 5000 });
    if (ids.length === 0) break;
    const chunk = await loadHistories(dataSource, ids);
    histories.push(...ids.map((id) => chunk.get(id)!));
    after = ids[ids.length - 1];
  }
  for (let round = 0; round < 2; round++) {
    // A timeline caches the snapshots it builds: a fresh one per run, as the stream makes them.
    let started = await start();
    for (const history of histories) decideTimeline(timelineOf(history), asOf, catalogue);
    await report(`decisions only, explained`, histories.length, started);
    started = await start();
    for (const history of histories) judgeTimeline(timelineOf(history), asOf, catalogue);
    await report(`decisions only, unexplained`, histories.length, started);
  }
}

const step = process.argv[4] ?? 'all';
if (step === 'all' || step === 'decide') await decideOnly();
if (step === 'all' || step === 'db') {
  await loadOnly(1000);
  await loadOnly(5000);
}
if (step === 'all' || step === 'stream') {
  await stream('streamDecisions (explained), chunk 1000', 1000, true);
  await stream('streamVerdicts (unexplained), chunk 1000', 1000, false);
  await stream('streamVerdicts (unexplained), chunk 5000', 5000, false);
  await stream('streamDecisions (explained), chunk 1000, again', 1000, true);
}
if (step === 'verdicts') await stream('streamVerdicts (unexplained), chunk 5000', 5000, false);
if (step === 'verdicts1000') await stream('streamVerdicts (unexplained), chunk 1000', 1000, false);
if (step === 'db5000') await loadOnly(5000);
await dataSource.destroy();
