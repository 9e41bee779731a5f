import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/** The newcomer's path: no DATABASE_URL, a real PostgreSQL under DATA_DIR that keeps its data. */
describe('embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yikatong-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function query(url: string, sql: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('starts on a free port, stops cleanly and keeps the data for the next start', async () => {
    const first = await startEmbeddedPostgres(dataDir, 'secret-password', () => undefined);
    await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);
    expect(await query(first.url, `SHOW server_encoding`)).toEqual([{ server_encoding: 'UTF8' }]);
    await first.stop();
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();

    const second = await startEmbeddedPostgres(dataDir, 'secret-password', () => undefined);
    try {
      expect(await query(second.url, `SELECT note FROM kept`)).toEqual([{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  });
});
