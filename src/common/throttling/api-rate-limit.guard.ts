import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { HealthController } from '../../modules/health/health.controller.js';
import { MetricsController } from '../../modules/metrics/metrics.controller.js';
import type { Actor } from '../request-context.js';
import { RateLimitStorage } from './rate-limit-storage.js';
import { RateLimitedError } from './rate-limited.error.js';

/** Probes and the Prometheus scrape are never limited: an orchestrator polls them from one address. */
const UNLIMITED: readonly unknown[] = [HealthController, MetricsController];

/**
 * The API's rate limit: one budget per signed-in user across every route (the guard runs after
 * the auth guard, which has set `request.actor`), or per client address before signing in
 * (`request.ip`, which honours TRUST_PROXY). Answers carry RateLimit-Limit/-Remaining/-Reset; over
 * the limit, 429 RATE_LIMITED with Retry-After, for the rest of the window.
 */
@Injectable()
export class ApiRateLimitGuard implements CanActivate {
  private readonly windowMs: number;

  constructor(
    private readonly storage: RateLimitStorage,
    private readonly config: AppConfig,
  ) {
    this.windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || UNLIMITED.includes(context.getClass())) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { actor?: Actor }>();
    const response = http.getResponse<Response>();
    const limit = this.config.rateLimitMax;
    const tracker = request.actor ? `user:${request.actor.id}` : `ip:${request.ip ?? 'unknown'}`;
    const record = await this.storage.increment(tracker, this.windowMs, limit, this.windowMs);
    if (record.isBlocked) {
      const retryAfter = Math.max(1, record.timeToBlockExpire);
      response.setHeader('Retry-After', String(retryAfter));
      throw new RateLimitedError(limit, this.config.RATE_LIMIT_WINDOW_SECONDS, retryAfter);
    }
    response.setHeader('RateLimit-Limit', String(limit));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    response.setHeader('RateLimit-Reset', String(record.timeToExpire));
    return true;
  }
}
