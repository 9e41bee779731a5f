import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { JobDispatcher } from './job-queue.js';

/** The queue's own depth by state (Bull's counts, or the in-process runner's), read at scrape time. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly dispatcher: JobDispatcher,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('yk_queue_jobs', "The job queue's own counts by state", ['state'], async () =>
      Object.entries(await this.dispatcher.counts()).map(([state, n]) => [{ state }, n]),
    );
  }
}
