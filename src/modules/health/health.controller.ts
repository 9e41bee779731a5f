import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth/roles.decorator.js';
import { JobDispatcher } from '../jobs/job-dispatcher.js';

type Status = 'up' | 'down';

export interface HealthView {
  status: 'ok' | 'error';
  db: Status;
  queue: Status;
  queueMode: 'bull' | 'in-process';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly jobs: JobDispatcher,
  ) {}

  @Get()
  @Public()
  @ApiOkResponse({ description: '{status:"ok", db:"up", queue:"up", queueMode}' })
  @ApiServiceUnavailableResponse({ description: 'The database or the queue is not answering' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    const queue = await this.jobs.health();
    let db: Status = 'up';
    try {
      await this.health.check([() => this.database.pingCheck('db', { timeout: 3000 })]);
    } catch {
      db = 'down';
    }
    const view: HealthView = {
      status: db === 'up' && queue.up ? 'ok' : 'error',
      db,
      queue: queue.up ? 'up' : 'down',
      queueMode: queue.mode,
    };
    response.status(view.status === 'ok' ? 200 : 503);
    return view;
  }
}
