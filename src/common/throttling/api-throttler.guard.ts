import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { HealthController } from '../../modules/health/health.controller.js';
import { MetricsController } from '../../modules/metrics/metrics.controller.js';
import type { Actor } from '../request-context.js';
import { RateLimitedError } from './rate-limited.error.js';

/** Probes and the Prometheus scrape are never limited: an orchestrator polls them from one address. */
const UNLIMITED: readonly unknown[] = [HealthController, MetricsController];

/**
 * The API's rate limit: one budget per signed-in user across every route (the guard runs after
 * the auth guard, which has set `request.actor`), or per client address before signing in
 * (`request.ip`, which honours TRUST_PROXY). Over the limit: 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http' || UNLIMITED.includes(context.getClass()));
  }

  protected override getTracker(request: Request & { actor?: Actor }): Promise<string> {
    return Promise.resolve(request.actor ? `user:${request.actor.id}` : `ip:${request.ip ?? 'unknown'}`);
  }

  /** One key per caller, not per route: the limit is the caller's whole budget. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new RateLimitedError(detail.limit, Math.round(detail.ttl / 1000), retryAfter);
  }
}
