/**
 * Where the rate limit counts hits: the contract of @nestjs/throttler's ThrottlerStorage (so the
 * package can take over once it ships as ES modules; see throttling.module.ts).
 */
export interface RateLimitRecord {
  totalHits: number;
  /** Seconds until the window's count starts again. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked caller may come back (0 when not blocked). */
  timeToBlockExpire: number;
}

export abstract class RateLimitStorage {
  /** Counts one hit of `key` in a window of `ttlMs`; past `limit` hits, blocks it for `blockMs`. */
  abstract increment(key: string, ttlMs: number, limit: number, blockMs: number): Promise<RateLimitRecord>;
}

/** The counts in this process (no Redis): one fixed window per key; idle keys are swept. */
export class MemoryRateLimitStorage extends RateLimitStorage {
  private readonly windows = new Map<string, { hits: number; endsAt: number; blockedUntil: number }>();
  private lastSweep = 0;

  increment(key: string, ttlMs: number, limit: number, blockMs: number): Promise<RateLimitRecord> {
    const now = Date.now();
    this.sweep(now, ttlMs);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + ttlMs, blockedUntil: window?.blockedUntil ?? 0 };
      this.windows.set(key, window);
    }
    window.hits++;
    if (window.blockedUntil <= now && window.hits > limit) window.blockedUntil = now + blockMs;
    const blockedMs = Math.max(0, window.blockedUntil - now);
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.endsAt - now) / 1000),
      isBlocked: blockedMs > 0,
      timeToBlockExpire: Math.ceil(blockedMs / 1000),
    });
  }

  private sweep(now: number, ttlMs: number): void {
    if (now - this.lastSweep < ttlMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(key);
    }
  }
}
