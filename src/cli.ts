import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from './app.module.js';
import { ROLES, type Role } from './common/auth/roles.js';
import { DomainError } from './common/errors.js';
import { ConfigError } from './config/app-config.js';
import { backupDatabase, BackupError, restoreDatabase } from './database/backup.js';
import { revertLastMigration } from './database/migrate.js';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database/data-source-options.js';
import { rotateKeys } from './common/pii/key-rotation.js';
import { installKeyring, Keyring, keySource } from './common/pii/keyring.js';
import { prepareRuntime, type Runtime } from './database/runtime.js';
import { RegionsService } from './modules/regions/regions.service.js';
import { UsersService } from './modules/users/users.service.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  users:create --username U --password P --role ROLE --region CODE
                       create a user (roles: ${ROLES.join(', ')})
  demo:seed            create demo villages in 中牟县 (410122) and one user of each role,
                       printing their passwords; never runs by itself
  registry:import FILE.csv [--dry-run]
                       import township registers (format: src/modules/registry/import-format.md);
                       every row is checked first and nothing is written if one is bad
  enrollments:import FILE --as ADMIN_USERNAME [--dry-run]
                       import a city's existing rolls (CSV UTF-8/GBK or XLSX; docs/enrollments-import.md)
                       with their original application and approval dates; all or nothing
  migration:run        apply pending migrations
  migration:revert     revert the last migration
  backup [DIR]         pg_dump (custom format) of the database into DIR (default DATA_DIR/backups),
                       with its SHA-256 and the ledger's and audit chain's heads beside it
  restore FILE         restore a backup into the (empty) database of DATABASE_URL
  verify [--heads FILE]
                       verify the ledger's and the audit trail's hash chains (and, with a heads
                       file from a backup or the daily export, that those blocks are unchanged);
                       exits 1 when anything does not verify
  heads:export [DIR]   write the chains' heads now (the daily schedule does it into DATA_DIR/heads)
  keys:rotate [--new-key] [--chunk N]
                       re-encrypt every ID and account number under the newest key, in chunks,
                       resumable, while the service runs; --new-key first adds a key to the key file
                       (PII_KEY_FILE or DATA_DIR/pii-keys.json; with PII_KEYS add it there instead)
`;

type Command = (args: string[], runtime: Runtime) => Promise<void>;

/** A command line the CLI cannot act on: printed as it is, exit status 1. */
class UsageError extends Error {}

async function withContext<T>(runtime: Runtime, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(
    WorkerModule.register(runtime.config, {
      databaseUrl: runtime.databaseUrl,
      jwtSecret: runtime.jwtSecret,
      consumeJobs: false,
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

const commands: Record<string, Command> = {
  'users:create': async (args, runtime) => {
    const { values } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string' },
        region: { type: 'string' },
      },
    });
    const missing = ['username', 'password', 'role', 'region'].filter((key) => !values[key as keyof typeof values]);
    if (missing.length > 0) throw new UsageError(`missing --${missing.join(', --')}\n\n${USAGE}`);
    const role = values.role!.toUpperCase() as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const user = await withContext(runtime, (app) =>
      app.get(UsersService).create({
        username: values.username!,
        password: values.password!,
        role,
        regionCode: values.region!,
      }),
    );
    process.stdout.write(`created ${user.role} ${user.username} (${user.id}) in ${user.regionCode}\n`);
  },

  'demo:seed': async (_args, runtime) => {
    await withContext(runtime, async (app) => {
      const regions = app.get(RegionsService);
      const users = app.get(UsersService);
      const township = '410122101'; // 韩寺镇, 中牟县: a real township from the shipped division codes
      const villages = [
        { code: '410122101201', name: '韩寺村（演示）' },
        { code: '410122101202', name: '张庄村（演示）' },
      ];
      for (const village of villages) {
        if (!(await regions.exists(village.code))) await regions.create(village.code, village.name);
      }
      process.stdout.write(`township ${township} 韩寺镇 with villages ${villages.map((v) => v.code).join(', ')}\n`);
      const demoUsers: { username: string; role: Role; regionCode: string }[] = [
        { username: 'demo.clerk', role: 'CLERK', regionCode: township },
        { username: 'demo.officer', role: 'OFFICER', regionCode: '410122' },
        { username: 'demo.finance', role: 'FINANCE', regionCode: '410122' },
        { username: 'demo.auditor', role: 'AUDITOR', regionCode: '410122' },
        { username: 'demo.admin', role: 'ADMIN', regionCode: '410100' },
      ];
      for (const demo of demoUsers) {
        if (await users.findByUsername(demo.username)) {
          process.stdout.write(`${demo.role.padEnd(8)} ${demo.username.padEnd(14)} exists (password unchanged)\n`);
          continue;
        }
        const password = randomBytes(12).toString('base64url');
        await users.create({ ...demo, password });
        process.stdout.write(`${demo.role.padEnd(8)} ${demo.username.padEnd(14)} password ${password}\n`);
      }
    });
  },

  'registry:import': async (args, runtime) => {
    // Usage: registry:import FILE.csv [--dry-run]; the format is src/modules/registry/import-format.md.
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError('usage: npm run cli -- registry:import FILE.csv [--dry-run]');
    const { createReadStream } = await import('node:fs');
    const { RegistryImportService } = await import('./modules/registry/registry-import.service.js');
    const { ImportRejectedError } = await import('./modules/registry/registry.errors.js');
    try {
      const result = await withContext(runtime, (app) =>
        app
          .get(RegistryImportService)
          .importFile(() => createReadStream(positionals[0]), { dryRun: values['dry-run'] === true }),
      );
      process.stdout.write(
        `${result.dryRun ? 'dry run: would import' : 'imported'} ${result.households} households, ${result.persons} persons\n`,
      );
    } catch (error) {
      if (!(error instanceof ImportRejectedError)) throw error;
      for (const problem of error.errors ?? []) {
        const { line, field, message } = problem as { line?: number; field: string; message: string };
        process.stderr.write(`line ${line ?? '?'}: ${field}: ${message}\n`);
      }
      throw new Error(`${error.code}: ${error.message}`, { cause: error });
    }
  },

  'enrollments:import': async (args, runtime) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { as: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    });
    if (positionals.length !== 1 || !values.as) {
      throw new UsageError('usage: npm run cli -- enrollments:import FILE --as ADMIN_USERNAME [--dry-run]');
    }
    const { readFile } = await import('node:fs/promises');
    const { EnrollmentsImportService, isImportRefusal } =
      await import('./modules/enrollments/enrollments-import.service.js');
    const bytes = await readFile(positionals[0]);
    await withContext(runtime, async (app) => {
      const user = await app.get(UsersService).findByUsername(values.as!);
      if (!user || user.role !== 'ADMIN') throw new UsageError(`--as must name an ADMIN user: ${values.as}`);
      try {
        const result = await app.get(EnrollmentsImportService).importFile(bytes, {
          dryRun: values['dry-run'] === true,
          actor: { id: user.id, username: user.username, role: user.role, regionCode: user.regionCode },
        });
        const counts = Object.entries(result.byPolicy)
          .map(([code, count]) => `${code} ${count}`)
          .join(', ');
        process.stdout.write(
          `${result.dryRun ? 'dry run: would import' : 'imported'} ${result.enrollments} enrollments` +
            `${counts ? ` (${counts})` : ''}; import ${result.importId}\n`,
        );
      } catch (error) {
        if (!isImportRefusal(error)) throw error;
        for (const problem of error.errors ?? []) {
          const { line, field, message } = problem as { line?: number; field: string; message: string };
          process.stderr.write(`第 ${line ?? '?'} 行 ${field}: ${message}\n`);
        }
        throw new UsageError(`${error.code}: ${error.message}`);
      }
    });
  },

  backup: async (args, runtime) => {
    const dir = args[0] ?? join(runtime.config.DATA_DIR, 'backups');
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const heads = await withContext(runtime, (app) => app.get(ChainHeadsService).read());
    const result = await backupDatabase(runtime.databaseUrl, dir, heads);
    process.stdout.write(`backup ${result.file}\nsha256 ${result.sha256}\nheads  ${result.headsFile}\n`);
  },

  restore: async (args, runtime) => {
    if (args.length !== 1) throw new UsageError('usage: npm run cli -- restore FILE.dump');
    await restoreDatabase(runtime.databaseUrl, args[0]);
    process.stdout.write(`restored ${args[0]}; check it with: npm run cli -- verify --heads <its .heads.json>\n`);
  },

  verify: async (args, runtime) => {
    const { values } = parseArgs({ args, options: { heads: { type: 'string' } } });
    const { LedgerVerifier } = await import('./modules/ledger/ledger-verifier.js');
    const { AuditVerifier } = await import('./modules/audit/audit-verifier.js');
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const ok = await withContext(runtime, async (app) => {
      const ledger = await app.get(LedgerVerifier).verify();
      process.stdout.write(
        `ledger: ${ledger.ok ? 'verifies' : `DOES NOT VERIFY from block ${ledger.firstBadBlock}`} ` +
          `(${ledger.blocks} blocks, ${ledger.transfers} transfers)\n`,
      );
      const audit = await app.get(AuditVerifier).verify();
      process.stdout.write(
        `audit:  ${audit.ok ? 'verifies' : `DOES NOT VERIFY from block ${audit.firstBadBlock}`} ` +
          `(${audit.blocks} blocks, ${audit.events} events)\n`,
      );
      let headsOk = true;
      if (values.heads) {
        const comparison = await app.get(ChainHeadsService).compare(values.heads);
        headsOk = comparison.ok;
        process.stdout.write(
          comparison.ok ? `heads:  ${values.heads} matches\n` : `heads:  ${comparison.problems.join('; ')}\n`,
        );
      }
      return ledger.ok && audit.ok && headsOk;
    });
    if (!ok) process.exitCode = 1;
  },

  'heads:export': async (args, runtime) => {
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const file = await withContext(runtime, (app) => app.get(ChainHeadsService).export(args[0]));
    process.stdout.write(`heads written to ${file}\n`);
  },

  'keys:rotate': async (args, runtime) => {
    const { values } = parseArgs({
      args,
      options: { 'new-key': { type: 'boolean' }, chunk: { type: 'string' } },
      allowPositionals: false,
    });
    const source = keySource(runtime.config);
    if (values['new-key']) {
      if (!source.addKey) throw new UsageError('--new-key needs a key file: with PII_KEYS, add the key there');
      process.stdout.write(`added key ${source.addKey()} to ${source.describe}\n`);
    }
    const keyring = installKeyring(new Keyring(source));
    const chunk = values.chunk === undefined ? 1000 : Number(values.chunk);
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 100_000) throw new UsageError('--chunk is 1..100000');
    const dataSource = new DataSource(dataSourceOptions(runtime.databaseUrl, 2));
    await dataSource.initialize();
    try {
      const result = await rotateKeys(dataSource, keyring, {
        chunk,
        log: (message) => process.stdout.write(`${message}\n`),
      });
      process.stdout.write(
        `key ${result.keyId}: ${result.rewritten} values re-encrypted, ${result.remaining} still under an older key\n`,
      );
      if (result.remaining > 0) process.exitCode = 1;
    } finally {
      await dataSource.destroy();
    }
  },
  'migration:run': async () => {
    process.stdout.write('migrations are up to date\n');
  },

  'migration:revert': async (_args, runtime) => {
    await revertLastMigration(runtime.databaseUrl);
    process.stdout.write('reverted the last migration\n');
  },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stdout.write(USAGE);
    process.exitCode = name ? 2 : 0;
    return;
  }
  // A restore brings its own schema: the empty target must not be migrated first.
  const runtime = await prepareRuntime({ migrate: name !== 'migration:revert' && name !== 'restore' });
  try {
    await command(args, runtime);
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof DomainError
      ? `${error.code}: ${error.message}${error.errors ? '\n  ' + error.errors.map((e) => `${e.field}: ${e.message}`).join('\n  ') : ''}`
      : error instanceof ConfigError || error instanceof BackupError
        ? error.message
        : String((error as Error)?.message ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
