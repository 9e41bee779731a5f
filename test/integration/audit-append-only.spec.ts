import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('audit_events is append-only in the database itself', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      `INSERT INTO audit_events (action, entity_type, entity_id, after) VALUES ('test.created', 'thing', '1', '{"a":1}')`,
    );
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('accepts new events', async () => {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(rows[0].n).toBe(1);
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET after = '{"a":2}'`],
    ['DELETE', `DELETE FROM audit_events`],
    ['TRUNCATE', `TRUNCATE audit_events`],
  ])('refuses %s, even to a superuser', async (operation, sql) => {
    await expect(client.query(sql)).rejects.toThrow(`audit_events is append-only: ${operation} is not allowed`);
    const { rows } = await client.query(`SELECT after FROM audit_events`);
    expect(rows).toEqual([{ after: { a: 1 } }]);
  });
});
