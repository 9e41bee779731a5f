import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { consoleModule } from './common/http/console.js';
import { ThrottlingModule } from './common/throttling/throttling.module.js';
import { ProblemDetailsFilter } from './common/http/problem-details.filter.js';
import { RequestContextInterceptor } from './common/http/request-context.js';
import { AppConfig } from './config/app-config.js';
import { installKeyring, Keyring, keySource } from './common/pii/keyring.js';
import { maskPiiText, redactPii } from './common/pii/redact.js';
import { guardConnectionErrors } from './database/connection-errors.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { Transactions } from './database/transactions.js';
import { LifeEventBus } from './common/life-event-bus.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { BudgetsModule } from './modules/budgets/budgets.module.js';
import { DisbursementsModule } from './modules/disbursements/disbursements.module.js';
import { EligibilityModule } from './modules/eligibility/eligibility.module.js';
import { EnrollmentsModule } from './modules/enrollments/enrollments.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { LabelsModule } from './modules/labels/labels.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { LedgerModule } from './modules/ledger/ledger.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { OverpaymentsModule } from './modules/overpayments/overpayments.module.js';
import { PoliciesModule } from './modules/policies/policies.module.js';
import { RegionsModule } from './modules/regions/regions.module.js';
import { RegistryModule } from './modules/registry/registry.module.js';
import { ReportsModule } from './modules/reports/reports.module.js';
import { SchedulesModule } from './modules/schedules/schedules.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { RUNTIME, type RuntimeSettings } from './runtime-settings.js';

/** Feature modules: each later issue adds its module here. */
const FEATURES = [
  RegionsModule,
  UsersModule,
  AuthModule,
  HealthModule,
  RegistryModule,
  LedgerModule,
  BudgetsModule,
  PoliciesModule,
  EligibilityModule,
  EnrollmentsModule,
  DisbursementsModule,
  OverpaymentsModule,
  ReportsModule,
  SchedulesModule,
  LabelsModule,
];

const connectionLogger = new Logger('Database');

@Global()
@Module({})
class CoreModule {
  static register(config: AppConfig, runtime: RuntimeSettings): DynamicModule {
    installKeyring(new Keyring(keySource(config)));
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(runtime.databaseUrl, config.DB_POOL_SIZE),
          dataSourceFactory: async (options) =>
            guardConnectionErrors(await new DataSource(options!).initialize(), (error) =>
              connectionLogger.warn({ err: error }, 'a database connection was lost'),
            ),
        }),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: RUNTIME, useValue: runtime },
        Transactions,
        LifeEventBus,
      ],
      exports: [AppConfig, RUNTIME, Transactions, LifeEventBus],
    };
  }
}

const actorOf = (request: unknown): string | undefined => (request as { actor?: { username: string } }).actor?.username;

/** Fields that carry ID or account numbers wherever they are logged. */
export const PII_LOG_PATHS = ['idNumber', 'accountNo', 'id_number', 'account_no'].flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
]);

function maskLogArguments(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
  method.apply(
    this,
    args.map((arg) => redactPii(arg)),
  );
}

export function loggerModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(config) });
}

/** The request logger's options (exported for the test that reads its output for numbers). */
export function pinoHttpOptions(config: AppConfig): PinoHttpOptions {
  return {
    level: config.LOG_LEVEL,
    genReqId: (request) => (request as { id?: string }).id ?? '',
    redact: ['req.headers.authorization', 'req.headers.cookie', ...PII_LOG_PATHS],
    // ID and account numbers never reach a log line: known fields are censored above, and every
    // string argument of a log call (messages, errors, URLs with `?q=`) is masked here.
    hooks: { logMethod: maskLogArguments },
    // The actor goes into the line itself, not into `customProps`: those cost two more child
    // loggers (bindings serialised each time) on every request, logged or not.
    customSuccessObject: (request, _response, line) => ({ actor: actorOf(request), ...line }),
    customErrorObject: (request, _response, _error, line) => ({ actor: actorOf(request), ...line }),
    autoLogging: { ignore: (request) => request.url === '/api/v1/health' },
    quietReqLogger: true,
    serializers: {
      req: (request: { id: string; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        url: maskPiiText(request.url),
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
}

/** What both entry points load: the same modules, so the same services and job processors. */
function serviceImports(config: AppConfig, runtime: RuntimeSettings) {
  return [
    CoreModule.register(config, runtime),
    loggerModule(config),
    AuditModule,
    MetricsModule,
    JobsModule.register(config),
    ...FEATURES,
  ];
}

/** The HTTP API (and, without Redis, the in-process job runner). */
@Module({})
export class AppModule {
  static register(config: AppConfig, runtime: RuntimeSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceImports(config, runtime),
        ...consoleModule(),
        // After the feature modules: the rate limit's guard runs after the auth guard.
        ...(config.rateLimitMax > 0 ? [ThrottlingModule.register(config)] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}

/** The worker: no HTTP server. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig, runtime: RuntimeSettings): DynamicModule {
    return { module: WorkerModule, imports: serviceImports(config, runtime) };
  }
}
