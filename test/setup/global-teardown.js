import { Redis } from 'ioredis';
import pg from 'pg';

/** Removes the Redis keys of this run's queues (each file's prefix starts with `prefix`). */
async function deleteRunKeys(url, prefix) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Drops the template and any database a crashed test file left behind, removes the run's Bull
 * keys from Redis, then stops embedded PG.
 */
export default async function globalTeardown() {
  const serverUrl = process.env.YK_TEST_SERVER_URL;
  const template = process.env.YK_TEST_TEMPLATE;
  if (serverUrl && template) {
    const suffix = template.replace(/^yk_tpl_/, '');
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [
        template,
        `yk_t_${suffix}_%`,
      ]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    // Queue prefixes are `yk-test-<database>` (test/support/app.ts and test/support/redis.ts).
    if (process.env.REDIS_URL) await deleteRunKeys(process.env.REDIS_URL, `yk-test-yk_t_${suffix}_`);
  }
  await globalThis.__YIKATONG_EMBEDDED__?.stop();
}
