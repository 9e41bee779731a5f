import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { todayInChina } from '../../common/calendar.js';
import { AppConfig } from '../../config/app-config.js';
import { MetricsRepository } from './metrics.repository.js';

/** The pg pool's counters, as node-postgres exposes them. */
interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The process's Prometheus registry: HTTP latency by route, job durations and outcomes by type
 * (observed where jobs run: the worker, or the API in-process), and state read from the database at
 * scrape time (unfinished jobs, batches by state, transfers posted, budget available per line, the
 * connection pool) plus the Bull queue's own counts when there is one.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly jobDuration: Histogram<'name' | 'outcome'>;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: MetricsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'yk_' });
    this.httpDuration = new Histogram({
      name: 'yk_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.jobDuration = new Histogram({
      name: 'yk_job_duration_seconds',
      help: 'Job runs by job type and outcome (completed, retry, stopped, failed)',
      labelNames: ['name', 'outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [this.registry],
    });
    this.gauge(
      'yk_jobs_unfinished',
      'Jobs waiting or active, by type and state (the jobs table)',
      ['name', 'state'],
      async () =>
        (await this.repository.unfinishedJobs(this.dataSource)).map((r) => [{ name: r.name, state: r.state }, r.n]),
    );
    this.gauge('yk_batches', 'Disbursement batches by status', ['status'], async () =>
      (await this.repository.batchesByStatus(this.dataSource)).map((r) => [{ status: r.status }, r.n]),
    );
    this.gauge('yk_ledger_transfers_posted', 'Ledger transfers posted since the ledger began', [], async () => [
      [{}, await this.repository.transfersPosted(this.dataSource)],
    ]);
    this.gauge(
      'yk_budget_available_yuan',
      'Available amount per budget line of this and the last fiscal year (monitoring; the ledger is exact)',
      ['fiscal_year', 'policy', 'level', 'county'],
      async () => {
        const since = Number(todayInChina().slice(0, 4)) - 1;
        return (await this.repository.budgetAvailable(this.dataSource, since)).map((r) => [
          { fiscal_year: String(r.fiscal_year), policy: r.policy_code, level: r.funding_level, county: r.county_code },
          r.available,
        ]);
      },
    );
    this.gauge(
      'yk_db_pool_connections',
      'PostgreSQL pool of this process: total, idle, waiting',
      ['state'],
      async () => {
        const pool = (this.dataSource.driver as unknown as { master?: PgPoolCounts }).master;
        if (!pool) return [];
        return [
          [{ state: 'total' }, pool.totalCount],
          [{ state: 'idle' }, pool.idleCount],
          [{ state: 'waiting' }, pool.waitingCount],
        ];
      },
    );
  }

  /** A gauge filled at scrape time; a source that is away leaves it empty rather than failing the scrape. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: () => Promise<[Partial<Record<L, string>>, number][]>,
  ): void {
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: async () => {
        const rows = await this.safely(read, []);
        gauge.reset();
        for (const [labels, value] of rows) gauge.set(labels, value);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeJob(name: string, outcome: string, seconds: number): void {
    this.jobDuration.observe({ name, outcome }, seconds);
  }

  /** Whether an Authorization header may read the metrics: anyone, unless METRICS_TOKEN is set. */
  allows(authorization: string | undefined): boolean {
    const token = this.config.METRICS_TOKEN;
    if (!token) return true;
    const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** A gauge whose source is away reports nothing rather than failing the whole scrape. */
  private async safely<T>(read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.logger.warn({ err: error }, 'a metric could not be read');
      return fallback;
    }
  }
}
