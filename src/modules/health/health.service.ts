import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { queryRows } from '../../database/sql.js';
import { JobDispatcher } from '../jobs/job-queue.js';

/** How long the database may take to answer a probe. */
const DB_TIMEOUT_MS = 2000;

/**
 * Liveness and readiness, the same in the API and in the worker (which serves them on
 * WORKER_HEALTH_PORT): live means the process answers; ready means it can do its work now: the
 * database answers, Redis answers when jobs go through it, and every migration of this build is
 * applied (a new build against an old schema is not ready).
 */
@Injectable()
export class HealthService {
  private readonly expectedMigrations = MIGRATIONS.map((migration) => new migration().name!);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly jobs: JobDispatcher,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('db', { timeout: DB_TIMEOUT_MS }),
        () => this.queue(),
        () => this.migrations(),
      ]);
    } catch (error) {
      // Terminus answers "not ready" by throwing the result inside a 503.
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  private async queue(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('queue');
    const queue = await this.jobs.health();
    return queue.up
      ? session.up({ mode: queue.mode })
      : session.down({ mode: queue.mode, message: queue.detail ?? 'not answering' });
  }

  private async migrations(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('migrations');
    try {
      const applied = new Set(
        (await queryRows<{ name: string }>(this.dataSource, `SELECT name FROM schema_migrations`)).map((r) => r.name),
      );
      const pending = this.expectedMigrations.filter((name) => !applied.has(name));
      return pending.length === 0
        ? session.up({ applied: applied.size })
        : session.down({ message: 'migrations of this build are not applied', pending });
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
