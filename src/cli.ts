import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from './app.module.js';
import { ROLES, type Role } from './common/auth/roles.js';
import { DomainError } from './common/errors.js';
import { domainDetail } from './common/http/problem-details.filter.js';
import {
  DEFAULT_LANGUAGE,
  label,
  translate,
  type I18nKey,
  type I18nParams,
  type Language,
} from './common/i18n/i18n.js';
import { requestContext } from './common/request-context.js';
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
import { CITY_CODE } from './common/region-scope.js';

/** The CLI's language: Chinese, or English with `--lang en` anywhere on the command line. */
let lang: Language = DEFAULT_LANGUAGE;
const say = (key: I18nKey, params: I18nParams = {}) => translate(key, params, lang);
const usage = () => say('cli.usage', { roles: ROLES.join(', ') });

/** Takes `--lang X` / `--lang=X` out of the arguments; the rest go to the command. */
function takeLanguage(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--lang') {
      rest.push(argv[i]);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value !== 'en' && value !== 'zh-CN' && value !== 'zh') throw new UsageError(say('cli.langUsage'));
    lang = value === 'en' ? 'en' : 'zh-CN';
  }
  return rest;
}

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
    if (missing.length > 0) {
      throw new UsageError(`${say('cli.missingOptions', { options: `--${missing.join(', --')}` })}\n\n${usage()}`);
    }
    const role = values.role!.toUpperCase() as Role;
    if (!ROLES.includes(role)) throw new UsageError(say('cli.badRole', { roles: ROLES.join(', ') }));
    const user = await withContext(runtime, (app) =>
      app.get(UsersService).create({
        username: values.username!,
        password: values.password!,
        role,
        regionCode: values.region!,
      }),
    );
    const roleName = lang === 'en' ? user.role : label('role', user.role, lang);
    process.stdout.write(`${say('cli.created', { ...user, role: roleName })}\n`);
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
      process.stdout.write(`${say('cli.township', { township, villages: villages.map((v) => v.code).join(', ') })}\n`);
      const demoUsers: { username: string; role: Role; regionCode: string }[] = [
        { username: 'demo.clerk', role: 'CLERK', regionCode: township },
        { username: 'demo.officer', role: 'OFFICER', regionCode: '410122' },
        { username: 'demo.finance', role: 'FINANCE', regionCode: '410122' },
        { username: 'demo.auditor', role: 'AUDITOR', regionCode: '410122' },
        { username: 'demo.admin', role: 'ADMIN', regionCode: CITY_CODE },
      ];
      for (const demo of demoUsers) {
        if (await users.findByUsername(demo.username)) {
          process.stdout.write(`${demo.role.padEnd(8)} ${demo.username.padEnd(14)} ${say('cli.userExists')}\n`);
          continue;
        }
        const password = randomBytes(12).toString('base64url');
        await users.create({ ...demo, password });
        process.stdout.write(
          `${demo.role.padEnd(8)} ${demo.username.padEnd(14)} ${say('cli.password', { password })}\n`,
        );
      }
    });
  },

  'registry:import': async (args, runtime) => {
    // Usage: registry:import FILE [--dry-run]; the format is src/modules/registry/import-format.md.
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError(say('cli.registryUsage'));
    const { createReadStream } = await import('node:fs');
    const { RegistryImportService } = await import('./modules/registry/registry-import.service.js');
    const { ImportRejectedError } = await import('./modules/registry/registry.errors.js');
    try {
      const result = await withContext(runtime, (app) =>
        app
          .get(RegistryImportService)
          .importFile(() => createReadStream(positionals[0]), { dryRun: values['dry-run'] === true }),
      );
      process.stdout.write(`${say(result.dryRun ? 'cli.registryDryRun' : 'cli.registryImported', { ...result })}\n`);
    } catch (error) {
      if (!(error instanceof ImportRejectedError)) throw error;
      writeProblems(error.errors ?? []);
      throw new UsageError(`${error.code}: ${domainDetail(error, lang)}`);
    }
  },

  'enrollments:import': async (args, runtime) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { as: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    });
    if (positionals.length !== 1 || !values.as) {
      throw new UsageError(say('cli.enrollmentsUsage'));
    }
    const { readFile } = await import('node:fs/promises');
    const { EnrollmentsImportService, isImportRefusal } =
      await import('./modules/enrollments/enrollments-import.service.js');
    const bytes = await readFile(positionals[0]);
    await withContext(runtime, async (app) => {
      const user = await app.get(UsersService).findByUsername(values.as!);
      if (!user || user.role !== 'ADMIN') throw new UsageError(say('cli.notAdmin', { username: values.as }));
      try {
        const result = await app.get(EnrollmentsImportService).importFile(bytes, {
          dryRun: values['dry-run'] === true,
          actor: { id: user.id, username: user.username, role: user.role, regionCode: user.regionCode },
        });
        const counts = Object.entries(result.byPolicy)
          .map(([code, count]) => `${code} ${count}`)
          .join(', ');
        const params = { count: result.enrollments, counts: counts ? ` (${counts})` : '', importId: result.importId };
        process.stdout.write(`${say(result.dryRun ? 'cli.enrollmentsDryRun' : 'cli.enrollmentsImported', params)}\n`);
      } catch (error) {
        if (!isImportRefusal(error)) throw error;
        writeProblems(error.errors ?? []);
        throw new UsageError(`${error.code}: ${domainDetail(error, lang)}`);
      }
    });
  },

  backup: async (args, runtime) => {
    const dir = args[0] ?? join(runtime.config.DATA_DIR, 'backups');
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const heads = await withContext(runtime, (app) => app.get(ChainHeadsService).read());
    const result = await backupDatabase(runtime.databaseUrl, dir, heads);
    process.stdout.write(
      `${say('cli.backup', { file: result.file, sha256: result.sha256, heads: result.headsFile })}\n`,
    );
  },

  restore: async (args, runtime) => {
    if (args.length !== 1) throw new UsageError(say('cli.restoreUsage'));
    await restoreDatabase(runtime.databaseUrl, args[0]);
    process.stdout.write(`${say('cli.restored', { file: args[0] })}\n`);
  },

  verify: async (args, runtime) => {
    const { values } = parseArgs({ args, options: { heads: { type: 'string' } } });
    const { LedgerVerifier } = await import('./modules/ledger/ledger-verifier.js');
    const { AuditVerifier } = await import('./modules/audit/audit-verifier.js');
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const ok = await withContext(runtime, async (app) => {
      const ledger = await app.get(LedgerVerifier).verify();
      process.stdout.write(
        `${say(ledger.ok ? 'cli.ledgerOk' : 'cli.ledgerBad', { ...ledger, block: ledger.firstBadBlock })}\n`,
      );
      const audit = await app.get(AuditVerifier).verify();
      process.stdout.write(
        `${say(audit.ok ? 'cli.auditOk' : 'cli.auditBad', { ...audit, block: audit.firstBadBlock })}\n`,
      );
      let headsOk = true;
      if (values.heads) {
        const comparison = await app.get(ChainHeadsService).compare(values.heads);
        headsOk = comparison.ok;
        const line = comparison.ok
          ? say('cli.headsMatch', { file: values.heads })
          : say('cli.headsDiffer', {
              problems: comparison.problems
                .map((problem) =>
                  say(problem.found === undefined ? 'cli.headsMissing' : 'cli.headsHash', {
                    ...problem,
                    chain: say(problem.chain === 'ledger' ? 'cli.chainLedger' : 'cli.chainAudit'),
                  }),
                )
                .join(lang === 'en' ? '; ' : '；'),
            });
        process.stdout.write(`${line}\n`);
      }
      return ledger.ok && audit.ok && headsOk;
    });
    if (!ok) process.exitCode = 1;
  },

  'heads:export': async (args, runtime) => {
    const { ChainHeadsService } = await import('./modules/schedules/chain-heads.js');
    const file = await withContext(runtime, (app) => app.get(ChainHeadsService).export(args[0]));
    process.stdout.write(`${say('cli.headsWritten', { file })}\n`);
  },

  'keys:rotate': async (args, runtime) => {
    const { values } = parseArgs({
      args,
      options: { 'new-key': { type: 'boolean' }, chunk: { type: 'string' } },
      allowPositionals: false,
    });
    const source = keySource(runtime.config);
    if (values['new-key']) {
      if (!source.addKey) throw new UsageError(say('cli.newKeyNeedsFile'));
      process.stdout.write(`${say('cli.keyAdded', { keyId: source.addKey(), file: source.describe })}\n`);
    }
    const keyring = installKeyring(new Keyring(source));
    const chunk = values.chunk === undefined ? 1000 : Number(values.chunk);
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 100_000) throw new UsageError(say('cli.chunkRange'));
    const dataSource = new DataSource(dataSourceOptions(runtime.databaseUrl, 2));
    await dataSource.initialize();
    try {
      const result = await rotateKeys(dataSource, keyring, {
        chunk,
        log: (key, params) => process.stdout.write(`${say(key, params)}\n`),
      });
      process.stdout.write(`${say('cli.keysRotated', { ...result })}\n`);
      if (result.remaining > 0) process.exitCode = 1;
    } finally {
      await dataSource.destroy();
    }
  },
  'migration:run': async () => {
    process.stdout.write(`${say('cli.migrationsUpToDate')}\n`);
  },

  'migration:revert': async (_args, runtime) => {
    await revertLastMigration(runtime.databaseUrl);
    process.stdout.write(`${say('cli.reverted')}\n`);
  },
};

/** The problems of a refused import, one a line on stderr. */
function writeProblems(problems: readonly object[]): void {
  for (const problem of problems) {
    const { line, field, message } = problem as { line?: number; field: string; message: string };
    process.stderr.write(`${say('cli.problem', { line: line ?? '?', field, message })}\n`);
  }
}

async function main(): Promise<void> {
  const [name, ...args] = takeLanguage(process.argv.slice(2));
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stdout.write(usage());
    process.exitCode = name ? 2 : 0;
    return;
  }
  // A restore brings its own schema: the empty target must not be migrated first.
  const runtime = await prepareRuntime({ migrate: name !== 'migration:revert' && name !== 'restore' });
  try {
    // The services word their messages in the context's language, as for an HTTP request.
    await requestContext.run({ requestId: `cli-${name}`, language: lang }, () => command(args, runtime));
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof DomainError
      ? `${error.code}: ${domainDetail(error, lang)}${error.errors ? '\n  ' + error.errors.map((e) => `${e.field}: ${e.message}`).join('\n  ') : ''}`
      : error instanceof ConfigError || error instanceof BackupError
        ? error.message
        : String((error as Error)?.message ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
