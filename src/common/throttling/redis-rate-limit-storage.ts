import { RateLimitStorage, type RateLimitRecord } from './rate-limit-storage.js';

/** The part of an ioredis client the storage uses (the Bull queue's own connection). */
export interface RedisEval {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * One fixed window per key, counted atomically in Redis (one script: no other client's command
 * runs between its steps), so every API process shares the count: INCR the hits; PEXPIRE them with
 * the window on the first hit (or if the key somehow lost its expiry); once the hits pass the limit
 * SET a block key for the block's duration. Answers the hits, the window's and the block's
 * milliseconds left (0: not blocked).
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if hits == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local blocked = redis.call('PTTL', KEYS[2])
if blocked < 0 then blocked = 0 end
if blocked == 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return {hits, ttl, blocked}`;

/**
 * The rate limit's counts in Redis (with REDIS_URL), on the connection the job queue already
 * holds, under the queue's prefix.
 */
export class RedisRateLimitStorage extends RateLimitStorage {
  constructor(
    private readonly redis: () => RedisEval,
    private readonly prefix: string,
  ) {
    super();
  }

  async increment(key: string, ttlMs: number, limit: number, blockMs: number): Promise<RateLimitRecord> {
    const base = `${this.prefix}:ratelimit:${key}`;
    const [hits, windowMs, blockedMs] = (await this.redis().eval(
      INCREMENT,
      2,
      `${base}:hits`,
      `${base}:blocked`,
      ttlMs,
      limit,
      blockMs,
    )) as [number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(windowMs / 1000),
      isBlocked: blockedMs > 0,
      timeToBlockExpire: Math.ceil(blockedMs / 1000),
    };
  }
}
