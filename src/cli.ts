import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from './app.module.js';
import { ROLES, type Role } from './common/auth/roles.js';
import { DomainError } from './common/errors.js';
import { ConfigError } from './config/app-config.js';
import { revertLastMigration } from './database/migrate.js';
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
  migration:run        apply pending migrations
  migration:revert     revert the last migration
`;

type Command = (args: string[], runtime: Runtime) => Promise<void>;

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
    if (missing.length > 0) throw new Error(`missing --${missing.join(', --')}\n\n${USAGE}`);
    const role = values.role!.toUpperCase() as Role;
    if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
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
    if (positionals.length !== 1) throw new Error('usage: npm run cli -- registry:import FILE.csv [--dry-run]');
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
  const runtime = await prepareRuntime({ migrate: name !== 'migration:revert' });
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
      : error instanceof ConfigError
        ? error.message
        : String((error as Error)?.message ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
