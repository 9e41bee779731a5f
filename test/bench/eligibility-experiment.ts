import 'reflect-metadata';
import { DataSource, type QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { selectVersionsInForce } from '../../src/modules/eligibility/decide.js';
import { decideSnapshot } from '../../src/modules/eligibility/eligibility.service.js';
import { PoliciesRepository } from '../../src/modules/policies/policies.repository.js';
import { loadSnapshots } from '../../src/modules/registry/snapshot.queries.js';

/**
 * What would make the eligibility stream faster, measured on a database kept by
 * `npm run bench -- --keep-database`: the service's own loader (loadSnapshots) and decision
 * function (decideSnapshot), driven as HouseholdSnapshots.streamSnapshots drives them (one chunk's
 * queries, then its decisions, in turn) and with the next chunk's queries prefetched on a second
 * connection while the current chunk is decided.
 *
 * Usage: node dist/test/bench/eligibility-experiment.js DATABASE_URL
 */
const url = process.argv[2];
const asOf = '2025-03-01';
const dataSource = new DataSource(dataSourceOptions(url, 4));
await dataSource.initialize();
const catalogue = await new PoliciesRepository(dataSource).loadCatalogue();
const inForce = selectVersionsInForce(catalogue, asOf);
const runners: QueryRunner[] = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
for (const runner of runners) await runner.connect();

async function run(name: string, limit: number, prefetch: boolean): Promise<void> {
  const started = process.hrtime.bigint();
  let households = 0;
  let turn = 0;
  const load = (after: string | null) =>
    loadSnapshots(runners[turn++ % 2], asOf, { after, regionLike: '4101%', limit });
  let next = load(null);
  for (;;) {
    const chunk = await next;
    if (chunk.length === 0) break;
    const after = chunk[chunk.length - 1].householdId;
    const more = chunk.length === limit;
    if (prefetch && more) next = load(after);
    for (const snapshot of chunk) {
      decideSnapshot(snapshot, asOf, inForce);
      households++;
    }
    if (!more) break;
    if (!prefetch) next = load(after);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${name}: ${households} households in ${seconds.toFixed(1)} s = ` +
      `${Math.round((households * catalogue.length) / seconds)} household-policy decisions/s\n`,
  );
}

await run('in turn, chunk 1000 (as streamSnapshots)', 1000, false);
await run('next chunk prefetched, chunk 1000', 1000, true);
await run('next chunk prefetched, chunk 5000', 5000, true);
await run('in turn, chunk 1000 (again)', 1000, false);
for (const runner of runners) await runner.release();
await dataSource.destroy();
