import { DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bull';
import { DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '../../config/app-config.js';
import { BullJobDispatcher, bullQueueSettings, InProcessJobDispatcher } from './job-dispatcher.js';
import { JobDispatcher, JOBS_QUEUE } from './job-queue.js';
import { JobExecutor } from './job-executor.js';
import { JobSweeper } from './job-sweeper.js';
import { QueueMetrics } from './queue-metrics.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';

/**
 * Jobs through Bull when REDIS_URL is set, in-process otherwise. Either way the same JobExecutor
 * runs the same @JobProcessor classes and records progress in the `jobs` table, and the same
 * JobSweeper finds jobs that nobody holds.
 */
@Global()
@Module({})
export class JobsModule {
  static register(config: AppConfig): DynamicModule {
    const bull = !config.inProcessJobs;
    return {
      module: JobsModule,
      imports: [
        DiscoveryModule,
        ...(bull
          ? [
              BullModule.forRoot({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
              BullModule.registerQueue({ name: JOBS_QUEUE, settings: bullQueueSettings(config) }),
            ]
          : []),
      ],
      controllers: [JobsController],
      providers: [
        JobExecutor,
        JobsService,
        JobSweeper,
        QueueMetrics,
        bull ? BullJobDispatcher : InProcessJobDispatcher,
        { provide: JobDispatcher, useExisting: bull ? BullJobDispatcher : InProcessJobDispatcher },
      ],
      exports: [JobsService, JobDispatcher, JobSweeper],
    };
  }
}
