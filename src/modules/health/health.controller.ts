import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth/roles.decorator.js';
import { problemFor, type ProblemDetails } from '../../common/http/problem-details.filter.js';
import { DomainError } from '../../common/errors.js';
import { JobDispatcher } from '../jobs/job-queue.js';
import { QueueUnavailableError } from '../jobs/jobs.errors.js';
import { HealthService } from './health.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { HealthView as HealthSchema, LiveView, ReadinessView } from './dto/health.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

class DatabaseUnavailableError extends DomainError {
  constructor() {
    super(503, 'DATABASE_UNAVAILABLE', 'The database is not answering');
  }
}

type Status = 'up' | 'down';

export interface HealthView {
  status: 'ok';
  db: Status;
  queue: Status;
  queueMode: 'bull' | 'in-process';
}

@ApiTags(TAGS.health)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly jobs: JobDispatcher,
    private readonly probes: HealthService,
  ) {}

  /** Liveness: the process answers (an orchestrator restarts it when this stops answering). */
  @Get('live')
  @Public()
  @ApiOkResponse({ type: LiveView })
  @ApiSummary('存活探针')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness (terminus): the database answers, Redis answers when jobs go through it, and every
   * migration of this build is applied. 503 with the same body when one is down.
   */
  @Get('ready')
  @Public()
  @ApiOkResponse({ type: ReadinessView, description: 'Terminus: db, queue and migrations' })
  @ApiServiceUnavailableResponse({
    type: ReadinessView,
    description: '{status:"error", error:{...}, details} naming what is down',
  })
  @ApiSummary('就绪探针（数据库、队列、数据库迁移）')
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    const result = await this.probes.readiness();
    response.status(result.status === 'ok' ? 200 : 503);
    return result;
  }

  @Get()
  @Public()
  @ApiOkResponse({ type: HealthSchema })
  @ApiSummary(
    '健康检查（数据库与任务队列）',
    'A problem with `db`, `queue` and `queueMode` when one is down; each dependency is given at most 2 s (REDIS_TIMEOUT_MS for Redis).',
  )
  @ApiProblems({ 503: ['DATABASE_UNAVAILABLE', 'QUEUE_UNAVAILABLE'] })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthView | ProblemDetails> {
    const [queue, db] = await Promise.all([
      this.jobs.health(),
      this.health
        .check([() => this.database.pingCheck('db', { timeout: 2000 })])
        .then((): Status => 'up')
        .catch((): Status => 'down'),
    ]);
    const parts = { db, queue: queue.up ? ('up' as const) : ('down' as const), queueMode: queue.mode };
    if (db === 'up' && queue.up) return { status: 'ok', ...parts };
    const problem = problemFor(
      db === 'down'
        ? new DatabaseUnavailableError()
        : new QueueUnavailableError(queue.detail ?? 'The job queue (Redis) is not answering'),
    );
    response.status(503).type('application/problem+json');
    return { ...problem, ...parts };
  }
}
