import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import type { Queue } from 'bull';
import { AppConfig } from '../../config/app-config.js';
import { JOBS_QUEUE } from '../../modules/jobs/job-queue.js';
import { ApiThrottlerGuard } from './api-throttler.guard.js';
import { RedisThrottlerStorage, type RedisEval } from './redis-throttler-storage.js';

/**
 * Rate limits of the HTTP API (docs/operations.md): RATE_LIMIT_MAX requests per
 * RATE_LIMIT_WINDOW_SECONDS per user (or per address before signing in). With REDIS_URL the
 * counts live in Redis, shared by every API process; without it, in the process. Imported by the
 * API only (the worker serves no API), after the feature modules so that its guard runs after the
 * auth guard and knows the user.
 */
@Module({})
export class ThrottlingModule {
  static register(config: AppConfig): DynamicModule {
    const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    return {
      module: ThrottlingModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [ModuleRef],
          useFactory: (moduleRef: ModuleRef) => ({
            throttlers: [{ name: 'api', ttl: windowMs, limit: config.rateLimitMax, blockDuration: windowMs }],
            storage: config.REDIS_URL
              ? new RedisThrottlerStorage(
                  () =>
                    moduleRef.get<Queue>(getQueueToken(JOBS_QUEUE), { strict: false }).client as unknown as RedisEval,
                  config.QUEUE_PREFIX,
                )
              : new ThrottlerStorageService(),
          }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiThrottlerGuard }],
    };
  }
}
