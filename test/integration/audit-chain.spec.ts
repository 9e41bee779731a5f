import pg from 'pg';
import { AuditSealer } from '../../src/modules/audit/audit-sealer.js';
import { API, createTestApp, type SignedInUser, type TestApp } from '../support/app.js';

/**
 * The audit trail's hash chain: events are sealed only after their transactions finished (never
 * around a still-running one), blocks are append-only, and an edit made by someone who bypasses the
 * triggers is found and named.
 */
describe('audit hash chain', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let auditor: SignedInUser;
  let client: pg.Client;

  const insertEvent = (db: pg.Client, action: string) =>
    db
      .query<{ id: string }>(
        `INSERT INTO audit_events (action, entity_type, entity_id, region_code, after)
         VALUES ($1, 'thing', '1', '410122', '{"n": 1.50, "s": "x"}') RETURNING id::text`,
        [action],
      )
      .then((r) => r.rows[0].id);
  const verify = async () =>
    (await t.http().get(`${API}/audit/verify`).set('Authorization', auditor.auth).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn('ADMIN', '410100');
    auditor = await t.signIn('AUDITOR', '410100');
    client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', admin.auth)
        .send({ code: `41012210120${i}`, name: `村${i}` });
    }
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  it('seals every committed event and verifies', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, unsealed: 0 });
    expect(result.blocks).toBeGreaterThanOrEqual(1);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(result.events).toBe(rows[0].n);
    expect(result.head.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never seals past an event whose transaction is still running, even if later ids committed', async () => {
    const sealer = t.app.get(AuditSealer);
    await sealer.seal();
    const early = new pg.Client({ connectionString: t.database.url });
    const slow = new pg.Client({ connectionString: t.database.url });
    await early.connect();
    await slow.connect();
    try {
      // `early` holds the older transaction id; `slow` draws the lower event id and stays open;
      // `early` then inserts a higher id and commits. A rule on txid alone would seal `late`.
      await early.query('BEGIN');
      await early.query('SELECT txid_current()');
      await slow.query('BEGIN');
      const slowId = await insertEvent(slow, 'test.slow');
      const lateId = await insertEvent(early, 'test.late');
      await early.query('COMMIT');
      expect(BigInt(lateId)).toBeGreaterThan(BigInt(slowId));

      const first = await sealer.seal({ wait: false });
      expect(BigInt(first.head.lastEventId)).toBeLessThan(BigInt(slowId));

      await slow.query('COMMIT');
      const second = await sealer.seal({ wait: false });
      expect(second.head.lastEventId).toBe(lateId);
      expect(await verify()).toMatchObject({ ok: true, unsealed: 0 });
    } finally {
      await early.end();
      await slow.end();
    }
  });

  it('is held up neither by readers nor by long transactions in other databases', async () => {
    const sealer = t.app.get(AuditSealer);
    const reader = new pg.Client({ connectionString: t.database.url });
    const elsewhere = new pg.Client({ connectionString: process.env.YK_TEST_SERVER_URL });
    await reader.connect();
    await elsewhere.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM audit_events');
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT txid_current()');
      const id = await insertEvent(client, 'test.while-others-wait');
      const sealed = await sealer.seal({ wait: false });
      expect(sealed.head.lastEventId).toBe(id);
    } finally {
      await reader.end();
      await elsewhere.end();
    }
  });

  it('refuses to update, delete or truncate blocks', async () => {
    await expect(client.query(`UPDATE audit_blocks SET event_count = event_count + 1`)).rejects.toThrow(
      'audit_blocks is append-only',
    );
    await expect(client.query(`DELETE FROM audit_blocks`)).rejects.toThrow('audit_blocks is append-only');
    await expect(client.query(`TRUNCATE audit_blocks`)).rejects.toThrow('audit_blocks is append-only');
  });

  it('POST /audit/seal seals on demand (ADMIN)', async () => {
    await insertEvent(client, 'test.on-demand');
    const sealed = await t.http().post(`${API}/audit/seal`).set('Authorization', admin.auth).expect(200);
    expect(sealed.body).toMatchObject({ ran: true, sealedEvents: 1, sealedBlocks: 1 });
  });

  it('names the block of an event a superuser edited behind the triggers', async () => {
    // Several blocks, so that the tampered one is not simply the last.
    for (let i = 0; i < 3; i++) {
      await insertEvent(client, `test.block-${i}`);
      await t.app.get(AuditSealer).seal();
    }
    const before = await verify();
    expect(before.ok).toBe(true);
    const { rows } = await client.query<{ seq: number; first: string }>(
      `SELECT seq::int, first_event_id::text AS first FROM audit_blocks ORDER BY seq LIMIT 1 OFFSET 1`,
    );
    const target = rows[0];

    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(`UPDATE audit_events SET after = '{"n": 2}' WHERE id = $1`, [target.first]);
    await client.query('COMMIT');

    const after = await verify();
    expect(after.ok).toBe(false);
    expect(after.firstBadBlock).toBe(target.seq);
    expect(after.problems).toEqual(
      expect.arrayContaining([{ block: target.seq, problem: 'hash does not match the block content' }]),
    );
    expect(after.blocks).toBe(before.blocks);
  });

  it('names the block of an event deleted behind the triggers', async () => {
    const { rows } = await client.query<{ seq: number; last: string }>(
      `SELECT seq::int, last_event_id::text AS last FROM audit_blocks ORDER BY seq DESC LIMIT 1`,
    );
    await client.query('ALTER TABLE audit_events DISABLE TRIGGER ALL');
    await client.query(`DELETE FROM audit_events WHERE id = $1`, [rows[0].last]);
    await client.query('ALTER TABLE audit_events ENABLE TRIGGER ALL');
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ block: rows[0].seq, problem: expect.stringMatching(/last event/) }),
      ]),
    );
  });
});
