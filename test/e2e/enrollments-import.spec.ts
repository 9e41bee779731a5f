import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { projectRoot } from '../../src/common/project-root.js';
import { API, createTestApp, type TestApp } from '../support/app.js';
import { generate, lines, signInCycle, type Cycle } from '../support/cycle.js';
import { ensureVillage, registerHousehold } from '../support/fixtures.js';

const VILLAGE = '410122101201';
const HEADER = '政策代码,身份证号,户号,申请日期,审批日期,审批人,备注';

interface Family {
  id: string;
  headId: string;
  householdNo: string;
}

/**
 * Existing rolls: a city adopting Yikatong brings its enrollments with their original dates and
 * approvers (`POST /enrollments/import`, `enrollments:import`), validated whole, all or nothing.
 */
describe('existing rolls import (e2e)', () => {
  let t: TestApp;
  let c: Cycle;
  let dir: string;
  let seed = 700;

  /** An urban only-child family holding a certificate issued on `issuedOn`, with a one-card account. */
  async function family(no: string, issuedOn: string): Promise<Family> {
    const household = await registerHousehold(t, c.clerk, {
      householdNo: no,
      regionCode: VILLAGE,
      hukouType: 'URBAN',
      certificate: { certificateNo: `CERT-${no}`, issuedOn },
      bankAccountSeed: seed++,
      members: [
        { name: '父亲', relation: 'HEAD', birthDate: '1975-04-02', sex: 'M' },
        { name: '母亲', relation: 'SPOUSE', birthDate: '1977-08-09', sex: 'F' },
        { name: '独生子', relation: 'CHILD', birthDate: '2005-02-03', sex: 'M', birthOrder: 1 },
      ],
    });
    return { id: household.id, headId: household.members[0].idNumber, householdNo: no };
  }

  const upload = (bytes: Buffer | string, as = c.admin, query = '', filename = 'rolls.csv') =>
    t
      .http()
      .post(`${API}/enrollments/import${query}`)
      .set('Authorization', as.auth)
      .attach('file', Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'), filename);

  async function counts() {
    const [row] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM enrollments)::int AS enrollments,
             (SELECT count(*) FROM enrollment_transitions)::int AS transitions,
             (SELECT count(*) FROM audit_events WHERE action = 'enrollment.imported')::int AS audits`);
    return row as { enrollments: number; transitions: number; audits: number };
  }

  beforeAll(async () => {
    t = await createTestApp();
    c = await signInCycle(t);
    await ensureVillage(t, c.admin, VILLAGE);
    dir = mkdtempSync(join(tmpdir(), 'rolls-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('imports a good file with its original history, and the first batch pays the arrears the rule allows', async () => {
    const early = await family('ROLL-A', '2010-03-01'); // applied 2011: paid from January 2012
    const late = await family('ROLL-B', '2012-01-15'); // applied February 2012: January is owed (same fiscal year)
    const next = await family('ROLL-C', '2011-01-01'); // applied 2013: nothing is owed for 2012
    const csv = [
      HEADER,
      `OCP_REWARD,${early.headId},ROLL-A,2011-05-10,2011-06-20,张科长,原编号 0001`,
      `OCP_REWARD,${late.headId},,2012/2/10,2012-03-01,李主任,`,
      `OCP_REWARD,${next.headId},ROLL-C,2013-01-10,2013-01-25,张科长,`,
    ].join('\r\n');
    const before = await counts();

    const dry = await upload(csv, c.admin, '?dryRun=true').expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, enrollments: 3, byPolicy: { OCP_REWARD: 3 } });
    expect(await counts()).toEqual(before);

    const { body } = await upload(csv).expect(200);
    expect(body).toMatchObject({ dryRun: false, enrollments: 3, byPolicy: { OCP_REWARD: 3 } });
    expect(await counts()).toEqual({
      enrollments: before.enrollments + 3,
      transitions: before.transitions + 9,
      audits: before.audits + 1,
    });

    const listed = await t
      .http()
      .get(`${API}/enrollments?householdId=${early.id}`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    expect(listed.body.items).toHaveLength(1);
    const enrollment = listed.body.items[0];
    expect(enrollment).toMatchObject({
      status: 'ACTIVE',
      appliedOn: '2011-05-10',
      activeFrom: '2011-06-20',
      openedBy: c.admin.id,
      approvedBy: null,
    });
    expect(enrollment.approvedAt).toBe('2011-06-19T16:00:00.000Z'); // 00:00 in Beijing
    const detail = await t
      .http()
      .get(`${API}/enrollments/${enrollment.id}`)
      .set('Authorization', c.auditor.auth)
      .expect(200);
    expect(
      detail.body.history.map((h: Record<string, unknown>) => [h.from, h.to, h.asOf, h.actorName, h.imported]),
    ).toEqual([
      [null, 'SUBMITTED', '2011-05-10', null, true],
      ['SUBMITTED', 'APPROVED', '2011-06-20', '张科长', true],
      ['APPROVED', 'ACTIVE', '2011-06-20', '张科长', true],
    ]);
    expect(detail.body.history[0].reason).toContain(body.importId);
    expect(detail.body.history[0].reason).toContain('原编号 0001');
    expect(detail.body.history[1].explanation).toMatchObject({ policyCode: 'OCP_REWARD', eligible: true });

    const [audit] = await t.dataSource.query(
      `SELECT actor_id, action, after FROM audit_events WHERE entity_type = 'enrollment-import' AND entity_id = $1`,
      [body.importId],
    );
    expect(audit).toMatchObject({ actor_id: c.admin.id, action: 'enrollment.imported' });
    expect(audit.after.enrollments).toBe(3);

    // The first batch: March 2012 with the arrears of January and February, for the two families
    // that applied in 2012 or before; nothing for the one that applied in 2013.
    const batch = await generate(c, 'OCP_REWARD', '2012-03');
    const paid = (await lines(c, batch.id)) as unknown as { householdId: string; amount: string; periods: string[] }[];
    const byHousehold = new Map(paid.map((line) => [line.householdId, line]));
    expect(byHousehold.get(early.id)).toMatchObject({ amount: '30.00', periods: ['2012-01', '2012-02', '2012-03'] });
    expect(byHousehold.get(late.id)).toMatchObject({ amount: '30.00', periods: ['2012-01', '2012-02', '2012-03'] });
    expect(byHousehold.has(next.id)).toBe(false);

    // The same beneficiaries again: each already holds an open enrollment.
    const again = await upload(csv).expect(422);
    expect(again.body.code).toBe('IMPORT_REJECTED');
    expect(again.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3, 4]);
    expect(again.body.errors[0].message).toContain('已有未结束的申请');
  });

  it('writes nothing when one row is bad, and names each bad row with its reason (Chinese, or English)', async () => {
    const good = await family('ROLL-D', '2010-01-01');
    const early = await family('ROLL-E', '2012-06-01'); // certificate issued after the application
    const csv = [
      HEADER,
      `OCP_REWARD,${good.headId},ROLL-D,2012-01-05,2012-01-20,张科长,`,
      `OCP_REWARD,${early.headId},ROLL-E,2012-03-01,2012-03-20,张科长,`,
      `OCP_REWARD,${good.headId},ROLL-D,2012-01-05,2012-01-20,张科长,`,
      `OCP_REWARD,${good.headId},,2012-01-05,2012-01-04,,`,
      `NO_SUCH,410122199001011234,,2012-01-05,2012-01-20,张科长,`,
    ].join('\n');
    const before = await counts();
    const refused = await upload(csv).expect(422);
    expect(refused.body).toMatchObject({ code: 'IMPORT_REJECTED', errorCount: 6 });
    expect(refused.body.detail).toContain('未导入任何内容');
    expect(refused.body.errors).toEqual([
      {
        line: 3,
        field: 'policy_code',
        message:
          '按申请日期 2012-03-01 施行的政策版本，不符合“独生子女父母奖励费”的条件：持有有效的独生子女父母光荣证：实际否，要求是',
      },
      { line: 4, field: 'id_number', message: '与第 2 行重复（同一对象、同一政策）' },
      { line: 5, field: 'approved_by_name', message: '“审批人”不能为空' },
      { line: 5, field: 'approved_on', message: '审批日期 2012-01-04 早于申请日期 2012-01-05' },
      { line: 6, field: 'policy_code', message: '未知的政策“NO_SUCH”' },
      { line: 6, field: 'id_number', message: '身份证号 410122199001011234 未在本辖区登记' },
    ]);
    expect(await counts()).toEqual(before);

    const english = await upload(csv).set('Accept-Language', 'en').expect(422);
    expect(english.body.detail).toBe('The file has 6 problem(s); nothing was imported');
    expect(english.body.errors[0].message).toMatch(/^not eligible for .* under the version in force on 2012-03-01/);
  });

  it('reads a GBK file with Chinese policy names, and an XLSX from the template', async () => {
    const gbk = await family('ROLL-F', '2009-05-01');
    const text = [HEADER, `独生子女父母奖励费,${gbk.headId},ROLL-F,2012年3月5日,2012-04-01,王主任,旧系统`].join('\r\n');
    const { body } = await upload(iconv.encode(text, 'gbk')).expect(200);
    expect(body.enrollments).toBe(1);
    const [row] = await t.dataSource.query(
      `SELECT e.applied_on::text, t.actor_name FROM enrollments e
         JOIN enrollment_transitions t ON t.enrollment_id = e.id AND t.to_status = 'APPROVED'
        WHERE e.household_id = $1`,
      [gbk.id],
    );
    expect(row).toEqual({ applied_on: '2012-03-05', actor_name: '王主任' });

    const template = await t
      .http()
      .get(`${API}/enrollments/import-template?format=xlsx`)
      .set('Authorization', c.admin.auth)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(template.body as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect((sheet.getRow(1).values as string[]).slice(1)).toEqual(HEADER.split(','));
    const xlsx = await family('ROLL-G', '2009-05-01');
    sheet.addRow(['OCP_REWARD', xlsx.headId, 'ROLL-G', new Date(Date.UTC(2012, 4, 6)), '2012-05-20', '赵科长', '']);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const imported = await upload(file, c.admin, '', 'rolls.xlsx').expect(200);
    expect(imported.body.enrollments).toBe(1);
    const listed = await t
      .http()
      .get(`${API}/enrollments?householdId=${xlsx.id}`)
      .set('Authorization', c.officer.auth)
      .expect(200);
    expect(listed.body.items[0]).toMatchObject({ appliedOn: '2012-05-06', activeFrom: '2012-05-20' });
  });

  it('is for an ADMIN only', async () => {
    const csv = `${HEADER}\n`;
    for (const user of [c.clerk, c.officer, c.finance, c.auditor]) {
      const refused = await upload(csv, user).expect(403);
      expect(refused.body.code).toBe('ROLE_FORBIDDEN');
    }
    await t.http().post(`${API}/enrollments/import`).attach('file', Buffer.from(csv), 'rolls.csv').expect(401);
  });

  it('runs from the CLI as a named ADMIN, printing what it imported, or each bad row and exit status 1', async () => {
    const household = await family('ROLL-H', '2010-01-01');
    const file = join(dir, 'rolls.csv');
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(projectRoot(), 'dist', 'src', 'cli.js'), 'enrollments:import', ...args],
          {
            env: {
              PATH: process.env.PATH,
              DATABASE_URL: t.database.url,
              JWT_SECRET: t.config.JWT_SECRET,
              LOG_LEVEL: 'warn',
            },
          },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });

    writeFileSync(file, [HEADER, `OCP_REWARD,${household.headId},ROLL-H,2012-01-05,2012-02-01,张科长,`].join('\n'));
    const done = await cli(file, '--as', c.admin.username);
    expect(done).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^已导入 1 条享受记录 \(OCP_REWARD 1\)；导入批次 [0-9a-f-]{36}\n$/),
    });

    const again = await cli(file, '--as', c.admin.username);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('第 2 行 id_number：该对象在此政策下已有未结束的申请');
    expect(again.stderr).toContain('IMPORT_REJECTED');
    // English on request, the problems included.
    const english = await cli(file, '--as', c.admin.username, '--lang', 'en');
    expect(english.code).toBe(1);
    expect(english.stderr).toContain('line 2: id_number: the beneficiary already holds enrollment');
  }, 300_000); // each CLI run starts the service's context: slow on a loaded machine
});
