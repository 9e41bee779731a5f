import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../src/common/project-root.js';
import { AuditSealer } from '../../src/modules/audit/audit-sealer.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { appropriate, signInCycle } from '../support/cycle.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The operator's path: `backup` a database, `restore` it into an empty one, `verify` both chains. */
describe('backup and restore', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'yikatong-backup-'));
  const restored = `yk_restore_${randomBytes(4).toString('hex')}`;
  const server = () => process.env.YK_TEST_SERVER_URL!;
  const urlOf = (database: string) => {
    const url = new URL(server());
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const cli = (databaseUrl: string, ...args: string[]) =>
    new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        [join(projectRoot(), 'dist', 'src', 'cli.js'), ...args],
        {
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: databaseUrl,
            JWT_SECRET: t.config.JWT_SECRET,
            LOG_LEVEL: 'warn',
            DATA_DIR: dir,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    t = await createTestApp();
    const c = await signInCycle(t);
    await appropriate(c, 2026, 'OCP_REWARD', { MUNICIPAL: '5000.00', COUNTY: '5000.00' });
    await t.app.get(AuditSealer).seal({ wait: true });
  });
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('restores into an empty database where both chains verify against the backup heads', async () => {
    const backup = await cli(t.database.url, 'backup', dir);
    if (backup.code !== 0 && /cannot read a PostgreSQL/.test(backup.stderr)) {
      // The embedded server of `npm test` without DATABASE_URL is newer than this machine's pg_dump:
      // the refusal must say so plainly (the README says how to back up such a database).
      expect(backup.stderr).toMatch(/install the PostgreSQL \d+ client/);
      return;
    }
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    const file = /^备份文件 (.+\.dump)$/m.exec(backup.stdout)![1];
    const headsFile = /^链头文件 (.+)$/m.exec(backup.stdout)![1];
    const heads = JSON.parse(readFileSync(headsFile, 'utf8'));
    expect(heads.ledger.seq).toBeGreaterThanOrEqual(1);
    expect(heads.audit.seq).toBeGreaterThanOrEqual(1);
    expect(readFileSync(file.replace(/\.dump$/, '.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}yikatong-/);

    await admin(`CREATE DATABASE ${restored}`);
    expect(await cli(urlOf(restored), 'restore', file)).toMatchObject({ code: 0 });

    const verify = await cli(urlOf(restored), 'verify', '--heads', headsFile);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^账本：校验通过（\d+ 个区块，\d+ 笔转账）$/m);
    expect(verify.stdout).toMatch(/^审计：校验通过/m);
    expect(verify.stdout).toMatch(/^链头：与 .+ 一致$/m);

    // The restored copy holds the same money: the appropriations' balances.
    const sum = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(`SELECT sum(amount)::text AS total, count(*)::int AS n FROM ledger_transfers`))
          .rows[0];
      } finally {
        await client.end();
      }
    };
    expect(await sum(urlOf(restored))).toEqual(await sum(t.database.url));

    // A restore never overwrites: the same file into the now non-empty database is refused whole.
    const again = await cli(urlOf(restored), 'restore', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/restore into an empty database/);
  }, 180_000);

  it('verify fails when a block the heads file names was changed', async () => {
    const exported = await cli(t.database.url, 'heads:export', dir);
    expect(exported.code).toBe(0);
    const file = /^链头已写入 (.+)$/m.exec(exported.stdout)![1];
    const heads = JSON.parse(readFileSync(file, 'utf8'));
    heads.ledger.hash = 'f'.repeat(64); // as if the database had been rewritten since
    const forged = join(dir, 'forged-heads.json');
    writeFileSync(forged, JSON.stringify(heads));
    const verify = await cli(t.database.url, 'verify', '--heads', forged);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^链头：账本链：第 \d+ 块的哈希为 [0-9a-f]{64}，.+ 导出时为 f{64}$/m);
    const english = await cli(t.database.url, '--lang', 'en', 'verify', '--heads', forged);
    expect(english.code).toBe(1);
    expect(english.stdout).toMatch(/ledger: block \d+ has hash [0-9a-f]{64}, f{64}/);
  }, 120_000);
});
