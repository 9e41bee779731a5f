import Bull from 'bull';
import { randomUUID } from 'node:crypto';
import { RedisRateLimitStorage, type RedisEval } from '../../src/common/throttling/redis-rate-limit-storage.js';
import { API, createTestApp, type TestApp } from '../support/app.js';
import { runKeyPrefix } from '../support/redis.js';

const LIMIT = 5;

/**
 * The API's rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_SECONDS): per user once signed in,
 * per client address (X-Forwarded-For from a trusted proxy) before; 429 RATE_LIMITED with
 * Retry-After, in Chinese or English. Once with the counts in Redis (when the run has REDIS_URL),
 * once in the process.
 */
describe.each([
  ['Redis', process.env.REDIS_URL ?? ''],
  ['the process', ''],
])('rate limits with the counts in %s (e2e)', (_where, redisUrl) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60', REDIS_URL: redisUrl },
    });
  });
  afterAll(() => t?.close());

  it('gives each signed-in user a budget of their own and answers 429 with Retry-After past it', async () => {
    if (redisUrl) expect(t.config.REDIS_URL).toBe(redisUrl);
    const first = await t.signIn('OFFICER', '410122');
    const second = await t.signIn('OFFICER', '410122');
    const regions = (auth: string) => t.http().get(`${API}/regions?parent=410122`).set('Authorization', auth);

    for (let i = 1; i <= LIMIT; i++) {
      const ok = await regions(first.auth).expect(200);
      expect(ok.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(ok.headers['ratelimit-remaining']).toBe(String(LIMIT - i));
    }
    const refused = await regions(first.auth).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      title: '请求过于频繁',
      detail: '请求过于频繁，请稍后重试',
      retryAfterSeconds: expect.any(Number),
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const english = await regions(first.auth).set('Accept-Language', 'en').expect(429);
    expect(english.body.detail).toMatch(/^More than 5 requests in 60 s; retry after \d+ s$/);

    // The other user, from the same address, still has their whole budget.
    await regions(second.auth).expect(200);
    // Probes are never limited.
    for (let i = 0; i < LIMIT + 2; i++) await t.http().get(`${API}/health/live`).expect(200);
  });

  it('limits callers who are not signed in by their address, as the trusted proxy reports it', async () => {
    const login = (address: string) =>
      t
        .http()
        .post(`${API}/auth/login`)
        .set('X-Forwarded-For', address)
        .send({ username: 'nobody', password: 'wrong-password' });
    for (let i = 0; i < LIMIT; i++) await login('203.0.113.7').expect(401);
    const refused = await login('203.0.113.7').expect(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    await login('198.51.100.20').expect(401);
  });
});

describe('the Redis storage of the rate limit', () => {
  const url = process.env.REDIS_URL;
  const queues: Bull.Queue[] = [];
  afterAll(() => Promise.all(queues.map((queue) => queue.close())));

  (url ? it : it.skip)('counts atomically across processes, each on its own connection', async () => {
    const prefix = `${runKeyPrefix()}ratelimit-${randomUUID()}`;
    const storages = [0, 1].map(() => {
      const queue = new Bull('rate-limit-test', url!, { prefix });
      queues.push(queue);
      return new RedisRateLimitStorage(() => queue.client as unknown as RedisEval, prefix);
    });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => storages[i % 2].increment('user:x', 60_000, 30, 60_000)),
    );
    expect(results.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(results.filter((r) => r.isBlocked)).toHaveLength(10);
    for (const r of results) expect(r.timeToExpire).toBeGreaterThan(0);
    const blocked = results.find((r) => r.isBlocked)!;
    expect(blocked.timeToBlockExpire).toBeGreaterThan(55);
    // A window of its own per key.
    expect(await storages[0].increment('user:y', 60_000, 30, 60_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
