import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { QueryRunner } from 'typeorm';
import { projectRoot } from '../../src/common/project-root.js';
import { HouseholdSnapshots } from '../../src/modules/registry/household-snapshots.service.js';
import type { HouseholdSnapshot } from '../../src/modules/registry/household-snapshot.js';
import { luhnComplete, residentId } from '../support/fixtures.js';
import { API, createTestApp, type TestApp } from '../support/app.js';

/**
 * 6,000 households (24,000 rows) by default: the import stages them in three chunks of 2,000 and
 * audits them in two of 5,000, and the county's 4,500 stream in five chunks of 1,000, so every
 * chunked path runs several times, at a fifth of the time 20,000 took. The city-scale run is the
 * same test with `REGISTRY_SCALE_HOUSEHOLDS=20000` (README, "Tests"); the benchmark covers the rest.
 */
const HOUSEHOLDS = Number(process.env.REGISTRY_SCALE_HOUSEHOLDS ?? 6_000);
const VILLAGES = ['410122101201', '410122101202', '410122102201', '410102001201'];
const HEADER =
  'household_no,region_code,address,id_number,name,relation,hukou_type,birth_order,adopted,certificate_no,certificate_issued_on,disability_grade,bank_code,account_no';

const pad = (n: number) => String(n).padStart(2, '0');

/** Writes `households` families of four to a file, one row at a time; `bad` breaks that 0-based row. */
async function writeRegister(path: string, households: number, bad?: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  let row = 0;
  for (let i = 0; i < households; i++) {
    // 30 years x 336 days of birth dates, then a sequence block: unique IDs for 100,000+ families.
    const day = `${pad(1 + (i % 12))}${pad(1 + (Math.floor(i / 12) % 28))}`;
    const year = 1950 + (Math.floor(i / 336) % 30);
    const block = Math.floor(i / 10_080) * 4;
    const no = `S-${i}`;
    const village = VILLAGES[i % VILLAGES.length];
    const rows = [
      `${no},${village},测试地址${i},${residentId(`${year}${day}`, 101 + block)},户主${i},HEAD,RURAL,,,${i % 3 === 0 ? `C-${i}` : ''},${i % 3 === 0 ? '2001-02-03' : ''},,102,${luhnComplete(`622202${String(i).padStart(12, '0')}`)}`,
      `${no},,,${residentId(`${year + 2}${day}`, 102 + block)},配偶${i},SPOUSE,RURAL,,,,,,,`,
      `${no},,,${residentId(`${year + 28}${day}`, 103 + block)},子${i},CHILD,RURAL,1,N,,,${i % 7 === 0 ? 2 : ''},,`,
      `${no},,,${residentId(`${year + 30}${day}`, 104 + block)},女${i},CHILD,URBAN,2,Y,,,,,`,
    ];
    for (const line of rows) {
      const text = row === bad ? line.replace(',RURAL,', ',NOMAD,') : line;
      row++;
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

function cli(args: string[], t: TestApp): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'cli.js'), ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.database.url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'silent',
        // Under the run's prefix, so that the global teardown removes its keys.
        QUEUE_PREFIX: `${t.config.QUEUE_PREFIX}-cli`,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('registry at scale (integration)', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.signIn('ADMIN', '410100');
    for (const code of VILLAGES) {
      await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', admin.auth)
        .send({ code, name: `村${code}` })
        .expect(201);
    }
    dir = await mkdtemp(join(tmpdir(), 'yk-registry-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`imports ${HOUSEHOLDS} households through the CLI: one bad row refuses all, then all go in`, async () => {
    const badFile = join(dir, 'bad.csv');
    // A child's row deep in the file: after two staged chunks, which the refusal must roll back.
    const badRow = 4 * Math.floor(HOUSEHOLDS * 0.72) + 2;
    await writeRegister(badFile, HOUSEHOLDS, badRow);
    const refused = await cli(['registry:import', badFile], t);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`第 ${badRow + 2} 行 hukou_type：户口性质须为以下之一：农业户口、非农业户口`);
    expect(refused.stderr).toContain('IMPORT_REJECTED');
    const [{ none }] = await t.dataSource.query(`SELECT count(*)::int AS none FROM households`);
    expect(none).toBe(0);

    const goodFile = join(dir, 'good.csv');
    await writeRegister(goodFile, HOUSEHOLDS);
    const dry = await cli(['registry:import', goodFile, '--dry-run'], t);
    expect(dry).toMatchObject({
      code: 0,
      stdout: `试导入（未写入）：将导入 ${HOUSEHOLDS} 户、${4 * HOUSEHOLDS} 人\n`,
    });
    const started = Date.now();
    const done = await cli(['registry:import', goodFile], t);
    expect(done).toMatchObject({ code: 0, stdout: `已导入 ${HOUSEHOLDS} 户、${4 * HOUSEHOLDS} 人\n` });
    process.stderr.write(`imported ${HOUSEHOLDS} households in ${Date.now() - started} ms (CLI, including start-up)\n`);
    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM households)::int AS households, (SELECT count(*) FROM persons)::int AS persons,
             (SELECT count(*) FROM household_bank_accounts)::int AS accounts,
             (SELECT count(*) FROM household_certificates)::int AS certificates,
             (SELECT count(*) FROM person_grade_history)::int AS grades,
             (SELECT count(*) FROM audit_events WHERE action = 'household.registered')::int AS audited`);
    expect(counts).toEqual({
      households: HOUSEHOLDS,
      persons: 4 * HOUSEHOLDS,
      accounts: HOUSEHOLDS,
      certificates: Math.ceil(HOUSEHOLDS / 3),
      grades: Math.ceil(HOUSEHOLDS / 7),
      audited: HOUSEHOLDS,
    });
  }, 600_000);

  it('streams a county in keyset chunks with a constant number of queries per chunk, equal to single reads', async () => {
    const snapshots = t.app.get(HouseholdSnapshots);
    // Queries per query runner: the stream reads through one runner, while the service's own timers
    // (job sweeps, scheduled sealing) may open others meanwhile; the stream's is the busiest.
    const perRunner: number[] = [];
    const create = t.dataSource.createQueryRunner.bind(t.dataSource);
    const spy = jest.spyOn(t.dataSource, 'createQueryRunner').mockImplementation((mode) => {
      const runner: QueryRunner = create(mode);
      const query = runner.query.bind(runner);
      const index = perRunner.push(0) - 1;
      runner.query = ((...args: Parameters<QueryRunner['query']>) => {
        perRunner[index]++;
        return query(...args);
      }) as QueryRunner['query'];
      return runner;
    });
    const started = Date.now();
    const streamed: HouseholdSnapshot[] = [];
    let chunks = 0;
    try {
      for await (const chunk of snapshots.streamSnapshots({
        regionPrefix: '410122',
        asOf: '2012-12-31',
        chunkSize: 1000,
      })) {
        chunks++;
        for (const snapshot of chunk) if (streamed.length < 200_000) streamed.push(snapshot);
      }
    } finally {
      spy.mockRestore();
    }
    const queries = Math.max(0, ...perRunner);
    process.stderr.write(
      `streamed ${streamed.length} snapshots in ${chunks} chunks, ${queries} queries, ${Date.now() - started} ms\n`,
    );
    const expected = (HOUSEHOLDS * 3) / 4; // three of the four villages are in 410122
    expect(streamed).toHaveLength(expected);
    expect(chunks).toBe(Math.ceil(expected / 1000));
    // Three queries per chunk (households, members, violations), plus the transaction's own statements
    // and the read that finds the end of the keyset after a last full chunk.
    expect(queries).toBeLessThanOrEqual(3 * chunks + 9);
    expect(streamed.every((s) => s.regionCode.startsWith('410122'))).toBe(true);
    const sample = streamed.filter((_, i) => i % 397 === 0);
    for (const snapshot of sample) {
      expect(await snapshots.forHousehold(snapshot.householdId, '2012-12-31')).toEqual(snapshot);
    }
    const withGrade = streamed.find((s) => s.members.some((m) => m.disabilityGrade === 2));
    expect(withGrade).toBeDefined();
  }, 300_000);
});
