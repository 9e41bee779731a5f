import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { pinoHttpOptions } from '../../src/app.module.js';
import { rotateKeys, SEALED_COLUMNS } from '../../src/common/pii/key-rotation.js';
import { Keyring, pii } from '../../src/common/pii/keyring.js';
import { loadConfig } from '../../src/config/app-config.js';
import { API, createTestApp } from '../support/app.js';
import { exportedBatchOfOne, importResults, lines, resultFile, signInCycle, type Cycle } from '../support/cycle.js';
import { accountNo, ensureVillage, idNumber, registerHousehold } from '../support/fixtures.js';

const COUNTY = '410122';
const VILLAGE = '410122101201';

/**
 * Issue 22: ID and account numbers encrypted at rest (AES-256-GCM, key id in every value, blind
 * index for lookups and uniqueness), every full view accounted for, logs without numbers.
 */
describe('personal information at rest (e2e)', () => {
  let c: Cycle;
  let keyFile: string;

  beforeAll(async () => {
    keyFile = join(mkdtempSync(join(tmpdir(), 'yk-pii-')), 'keys.json');
    // A key file of this test's own (made on first use), so that rotation adds keys only here.
    process.env.PII_KEY_FILE = keyFile;
    c = await signInCycle(
      await createTestApp({ env: { PUBLIC_NOTICE_DAYS: '0', PII_KEY_FILE: keyFile, DATA_DIR: join(keyFile, '..') } }),
      COUNTY,
    );
    await ensureVillage(c.t, c.admin, VILLAGE);
  });
  afterAll(async () => {
    delete process.env.PII_KEY_FILE;
    await c.t?.close();
  });

  /** Every text, varchar, jsonb, json, bytea and array column of every table, searched for `needles`. */
  async function plaintextHits(needles: string[]): Promise<string[]> {
    const columns = (await c.t.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public'
          AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY', 'character')`,
    )) as { table_name: string; column_name: string; data_type: string }[];
    const hits: string[] = [];
    for (const { table_name: table, column_name: column, data_type: type } of columns) {
      const text = type === 'bytea' ? `encode("${column}", 'escape')` : `"${column}"::text`;
      const [row] = (await c.t.dataSource.query(
        `SELECT count(*)::int AS n FROM "${table}" WHERE ${text} LIKE ANY($1::text[])`,
        [needles.map((needle) => `%${needle}%`)],
      )) as { n: number }[];
      if (row.n > 0) hits.push(`${table}.${column}`);
    }
    return hits;
  }

  it('leaves no ID or account number in plaintext after a full payment cycle, bank file in full', async () => {
    const { householdId, batchId } = await exportedBatchOfOne(c, {
      householdNo: 'PII-1',
      regionCode: VILLAGE,
      headName: '秘',
      bankAccountSeed: 71,
    });
    const items = await lines(c, batchId);
    expect(await importResults(c, batchId, resultFile(items)).then((r) => r.status)).toBe(200);
    const household = await c.t
      .http()
      .get(`${API}/households/${householdId}`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    const personIds = (household.body.members as { personId: string }[]).map((m) => m.personId);
    const ids: string[] = [];
    for (const personId of personIds) {
      const full = await c.t
        .http()
        .get(`${API}/persons/${personId}/id-number?reason=${encodeURIComponent('核对')}`)
        .set('Authorization', c.finance.auth)
        .expect(200);
      ids.push(full.body.idNumber as string);
    }
    const account = accountNo(71);
    // The bank file is where the numbers go in full; the answer that lists lines masks them for the officer.
    const file = await c.t
      .http()
      .get(`${API}/disbursement-batches/${batchId}/bank-file`)
      .set('Authorization', c.finance.auth)
      .expect(200);
    expect(file.text).toContain(account);
    expect(file.text).toContain(ids[0]);
    expect(await plaintextHits([...ids, account])).toEqual([]);
    // Every value carries a key id; the re-download is audited with the file's SHA-256.
    const [download] = (await c.t.dataSource.query(
      `SELECT after FROM audit_events WHERE action = 'batch.bank_file_downloaded' AND entity_id = $1`,
      [batchId],
    )) as { after: { sha256: string } }[];
    expect(download.after.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps one person per ID city-wide and one holder per account, and finds households by a full ID', async () => {
    const first = await registerHousehold(c.t, c.clerk, {
      householdNo: 'PII-2',
      regionCode: VILLAGE,
      bankAccountSeed: 72,
      members: [{ name: '甲', relation: 'HEAD', birthDate: '1960-01-02', sex: 'M' }],
    });
    const taken = first.members[0].idNumber;
    const again = await c.t
      .http()
      .post(`${API}/households`)
      .set('Authorization', c.clerk.auth)
      .send({
        householdNo: 'PII-3',
        regionCode: VILLAGE,
        address: '一号',
        members: [{ idNumber: taken, name: '乙', relation: 'HEAD', hukouType: 'RURAL' }],
      });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DUPLICATE_PERSON');
    // The database itself refuses a second person with the same blind index.
    await expect(
      c.t.dataSource.query(
        `INSERT INTO persons (id_number_enc, id_number_bidx, name, sex, birth_date)
         VALUES ($1, $2, '丙', 'M', '1960-01-02')`,
        [pii().encrypt(taken), pii().blindIndex('id', taken)],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    const other = idNumber('1961-03-04', 'M');
    const stranger = await c.t
      .http()
      .post(`${API}/households`)
      .set('Authorization', c.clerk.auth)
      .send({
        householdNo: 'PII-4',
        regionCode: VILLAGE,
        address: '二号',
        members: [{ idNumber: other, name: '丁', relation: 'HEAD', hukouType: 'RURAL' }],
        bankAccount: { bankCode: '102', accountNo: accountNo(72), holderIdNumber: other },
      });
    expect(stranger.status).toBeGreaterThanOrEqual(400);
    expect(stranger.status).toBeLessThan(500);
    const found = await c.t.http().get(`${API}/households?q=${taken}`).set('Authorization', c.officer.auth).expect(200);
    expect(found.body.items.map((h: { id: string }) => h.id)).toEqual([first.id]);
    expect(found.body.items[0].head.idNumber).not.toBe(taken);
  });

  it('shows a whole ID only with a reason, audited, and lists those views to auditors', async () => {
    const household = await registerHousehold(c.t, c.clerk, {
      householdNo: 'PII-5',
      regionCode: VILLAGE,
      members: [{ name: '戊', relation: 'HEAD', birthDate: '1955-05-05', sex: 'F' }],
    });
    const person = household.members[0];
    const read = await c.t
      .http()
      .get(`${API}/households/${household.id}`)
      .set('Authorization', c.clerk.auth)
      .expect(200);
    expect(read.body.members[0].idNumber).not.toBe(person.idNumber);
    await c.t
      .http()
      .get(`${API}/persons/${person.personId}/id-number`)
      .set('Authorization', c.officer.auth)
      .expect(400);
    const full = await c.t
      .http()
      .get(`${API}/persons/${person.personId}/id-number?reason=${encodeURIComponent('银行退回核对')}`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    expect(full.body).toEqual({ personId: person.personId, idNumber: person.idNumber });
    const views = await c.t
      .http()
      .get(`${API}/audit/id-number-views?entityId=${person.personId}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(views.body.items).toHaveLength(1);
    expect(views.body.items[0]).toMatchObject({
      action: 'person.id_number_viewed',
      entityId: person.personId,
      after: { reason: '银行退回核对' },
    });
    expect(JSON.stringify(views.body)).not.toContain(person.idNumber);
    await c.t.http().get(`${API}/audit/id-number-views`).set('Authorization', c.clerk.auth).expect(403);
  });

  it('re-encrypts every value under a new key while requests are served', async () => {
    const keyring = pii();
    const before = keyring.currentKeyId;
    const newKey = keyring.source.addKey!();
    keyring.reload();
    expect(newKey).toBe(before + 1);
    const households = (
      await c.t.http().get(`${API}/households?limit=100`).set('Authorization', c.officer.auth).expect(200)
    ).body.items as { id: string }[];
    const reads = (async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 5; round++) {
        for (const household of households) {
          const response = await c.t
            .http()
            .get(`${API}/households/${household.id}`)
            .set('Authorization', c.finance.auth);
          statuses.push(response.status);
        }
      }
      const registered = await registerHousehold(c.t, c.clerk, {
        householdNo: 'PII-6',
        regionCode: VILLAGE,
        bankAccountSeed: 76,
        members: [{ name: '己', relation: 'HEAD', birthDate: '1950-06-06', sex: 'M' }],
      });
      statuses.push(registered.id ? 201 : 0);
      return statuses;
    })();
    const [statuses, result] = await Promise.all([reads, rotateKeys(c.t.dataSource, keyring, { chunk: 2 })]);
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
    expect(result).toMatchObject({ keyId: newKey, remaining: 0 });
    expect(result.rewritten).toBeGreaterThan(0);
    for (const column of SEALED_COLUMNS) {
      const rows = (await c.t.dataSource.query(`SELECT ${column.column} AS value FROM ${column.table}`)) as {
        value: Buffer;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => Keyring.keyIdOf(row.value) === newKey)).toBe(true);
    }
    const audited = (await c.t.dataSource.query(
      `SELECT action FROM audit_events WHERE entity_type = 'pii_key_rotation' ORDER BY id`,
    )) as { action: string }[];
    expect(audited.map((row) => row.action)).toEqual(['pii.key_rotation_started', 'pii.key_rotation_finished']);
    // Still readable after rotation.
    await c.t.http().get(`${API}/households/${households[0].id}`).set('Authorization', c.finance.auth).expect(200);
  });

  it('keeps ID and account numbers out of request and import log lines', async () => {
    const id = idNumber('1970-07-07', 'F');
    const account = accountNo(77);
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output += chunk.toString();
        callback();
      },
    });
    const logger = pinoHttp({ ...pinoHttpOptions(loadConfig({ LOG_LEVEL: 'info' })) }, sink);
    const server = createServer((req, res) => {
      logger(req, res);
      req.log.info({ idNumber: id, row: { accountNo: account }, line: 3 }, `import line 3: ${id} pays into ${account}`);
      req.log.error({ err: new Error(`duplicate ${id}`) }, 'refused');
      res.end('ok');
    });
    await request(server).get(`/api/v1/households?q=${id}&account=${account}`).expect(200);
    expect(output).toContain('import line 3');
    expect(output).toContain('/api/v1/households?q=');
    expect(output).not.toContain(id);
    expect(output).not.toContain(account);
    expect(output).not.toContain(id.slice(6, 14));
  });
});
