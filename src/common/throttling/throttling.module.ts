import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { AppConfig } from '../../config/app-config.js';
import { JOBS_QUEUE } from '../../modules/jobs/job-queue.js';
import { ApiRateLimitGuard } from './api-rate-limit.guard.js';
import { MemoryRateLimitStorage, RateLimitStorage } from './rate-limit-storage.js';
import { RedisRateLimitStorage, type RedisEval } from './redis-rate-limit-storage.js';

/**
 * Rate limits of the HTTP API (docs/operations.md): RATE_LIMIT_MAX requests per
 * RATE_LIMIT_WINDOW_SECONDS per user (or per address before signing in). With REDIS_URL the
 * counts live in Redis, shared by every API process; without it, in the process. Imported by the
 * API only (the worker serves no API), after the feature modules, so that its guard runs after the
 * auth guard and knows the user.
 *
 * Not @nestjs/throttler: its latest release (6.7.1) is CommonJS and `require`s @nestjs/common,
 * which Nest 12 ships as ES modules only; Node 20.19+ loads that through require(esm), but Jest's
 * module runtime cannot (before Node 24.9), so no test could start the API with it. The guard and
 * storage keep its storage contract (increment -> totalHits, timeToExpire, isBlocked,
 * timeToBlockExpire) so that it can take over again.
 */
@Module({})
export class ThrottlingModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ThrottlingModule,
      providers: [
        {
          provide: RateLimitStorage,
          inject: [ModuleRef],
          useFactory: (moduleRef: ModuleRef): RateLimitStorage =>
            config.REDIS_URL
              ? new RedisRateLimitStorage(
                  () =>
                    moduleRef.get<Queue>(getQueueToken(JOBS_QUEUE), { strict: false }).client as unknown as RedisEval,
                  config.QUEUE_PREFIX,
                )
              : new MemoryRateLimitStorage(),
        },
        { provide: APP_GUARD, useClass: ApiRateLimitGuard },
      ],
    };
  }
}
