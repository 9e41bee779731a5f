/// <reference lib="dom" />
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import {
  chooseByKeyboard,
  COUNTY,
  expectAccessible,
  id,
  JOURNEY_TIMEOUT,
  launchBrowser,
  newPage,
  POLICY,
  POLICY_NAME,
  screenshot,
  signIn,
  startService,
  TOWNSHIP,
  VILLAGE,
  type Account,
  type Service,
} from './support.js';

/**
 * The desks' everyday repairs, in a real browser against the built service: a township clerk sees
 * who is whose parent, adds a grandchild who joins the household, withdraws a death recorded in
 * error and corrects the address; the county officer rejects an application with a reason, sees a
 * bulk approval refused row by row (one of the rows he submitted himself), approves the rest, and
 * is told which batch is now to be made; the clerk imports an Excel file made from the template.
 */

const FATHER = id('19550310', '011');
const MOTHER = id('19570601', '022');
const SON = id('19850820', '031');
const GRANDSON = id('20150301', '051');

describe('the township and county desks correct, reject and import (browser)', () => {
  let service: Service;
  let browser: Browser;
  let clerk: Account;
  let officer: Account;
  let householdId: string;
  let members: Record<string, string>;

  beforeAll(async () => {
    service = await startService({ PUBLIC_NOTICE_DAYS: '0' });
    const admin = service.admin;
    expect((await service.api(admin, 'POST', '/regions', { code: VILLAGE, name: '韩寺村' })).status).toBe(201);
    clerk = await service.createUser('CLERK', TOWNSHIP, 'zhao.clerk');
    officer = await service.createUser('OFFICER', COUNTY, 'sun.officer');
    const created = await service.api(clerk, 'POST', '/households', {
      householdNo: 'HS-DESK-1',
      regionCode: VILLAGE,
      address: '韩寺镇韩寺村三组 5 号',
      members: [
        { idNumber: FATHER, name: '王建国', relation: 'HEAD', hukouType: 'RURAL' },
        { idNumber: MOTHER, name: '李秀英', relation: 'SPOUSE', hukouType: 'RURAL' },
        { idNumber: SON, name: '王小明', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
      ],
    });
    expect(created.status).toBe(201);
    householdId = created.body.id;
    members = Object.fromEntries(
      (created.body.members as { name: string; personId: string }[]).map((m) => [m.name, m.personId]),
    );
    const death = await service.api(clerk, 'POST', `/households/${householdId}/events`, {
      type: 'DEATH',
      personId: members['王小明'],
      date: '2020-05-10',
    });
    expect(death.status).toBe(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  const memberRow = (page: Page, name: string) =>
    page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });

  it(
    'the clerk sees parent links, adds a grandchild, withdraws a wrong death and corrects the address',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, clerk, `/households/${householdId}`);
      await page.getByRole('heading', { name: '家庭档案 HS-DESK-1' }).waitFor();
      // The son's parents are the head and his wife, linked at registration.
      const son = memberRow(page, '王小明');
      await son.getByRole('cell', { name: '李秀英', exact: true }).waitFor();
      await son.getByRole('cell', { name: '王建国', exact: true }).waitFor();

      // A grandson joins, his father the late son: the whole form by keyboard.
      const kb = page.keyboard;
      const choose = (text: string) => chooseByKeyboard(page, text);
      await page.getByRole('button', { name: '登记生活事件' }).click();
      const dialog = page.getByRole('dialog', { name: '登记生活事件' });
      await dialog.getByLabel('事件类型').waitFor();
      await choose('成员加入本户');
      await kb.press('Tab');
      await kb.type('2024-01-10');
      await kb.press('Enter');
      await dialog.getByLabel('新成员姓名').focus();
      await kb.type('王小宝');
      await kb.press('Tab');
      await kb.type(GRANDSON);
      await dialog.getByText('出生日期 2015-03-01，性别 男').waitFor();
      await kb.press('Tab');
      await choose('其他');
      await kb.press('Tab');
      await choose('农业');
      await dialog.getByLabel('父亲').focus();
      await choose('王小明');
      await screenshot(page, '11-member-joined', { fullPage: false });
      await expectAccessible(page);
      await dialog.getByRole('button', { name: '登记' }).focus();
      await kb.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await page.getByText(/2024-01-10 成员加入本户：王小宝/).waitFor();
      const grandson = memberRow(page, '王小宝');
      await grandson.getByRole('cell', { name: '王小明', exact: true }).waitFor();
      await grandson.getByRole('cell', { name: '其他' }).waitFor();

      // A death recorded in error, then withdrawn with a reason (by keyboard).
      await page.getByRole('button', { name: '登记生活事件' }).click();
      await dialog.getByLabel('事件类型').waitFor();
      await choose('死亡');
      await dialog.getByLabel('发生日期').fill('2024-02-01');
      await kb.press('Enter');
      await dialog.getByLabel('涉及成员').focus();
      await choose('李秀英');
      await dialog.getByRole('button', { name: '登记' }).click();
      await dialog.waitFor({ state: 'detached' });
      await memberRow(page, '李秀英').getByText('2024-02-01 死亡').waitFor();

      await page.getByRole('button', { name: '撤销：2024-02-01 死亡：李秀英' }).focus();
      await kb.press('Enter');
      const withdraw = page.getByRole('dialog', { name: '撤销登记有误的事件' });
      await withdraw.getByText(/撤销 2024-02-01 登记的“死亡”（李秀英）/).waitFor();
      // The reason has the focus: one types it at once.
      await kb.type('误录：李秀英健在，死亡的是邻居');
      await screenshot(page, '12-withdraw-event', { fullPage: false });
      await expectAccessible(page);
      await withdraw.getByRole('button', { name: '撤销事件' }).focus();
      await kb.press('Enter');
      await withdraw.waitFor({ state: 'detached' });
      await page.getByText('撤销 2024-02-01 登记的死亡（李秀英），原因：误录：李秀英健在，死亡的是邻居').waitFor();
      await page.getByText('已撤销', { exact: true }).waitFor();
      await memberRow(page, '李秀英').getByText('健在').waitFor();
      // A withdrawn event is not offered for withdrawal again.
      await page.getByRole('button', { name: '撤销：2024-02-01 死亡：李秀英' }).first().waitFor({ state: 'detached' });

      // A mistyped address, corrected with a reason.
      await page.getByRole('button', { name: '更正登记信息' }).click();
      const correction = page.getByRole('dialog', { name: '更正登记信息' });
      await correction.getByLabel('更正项目').waitFor();
      await choose('地址');
      await correction.getByLabel('正确的地址').fill('韩寺镇韩寺村三组 15 号');
      await correction.getByLabel('更正原因').fill('门牌号录错');
      await correction.getByRole('button', { name: '更正', exact: true }).click();
      await correction.waitFor({ state: 'detached' });
      await page.getByText('地址更正为 韩寺镇韩寺村三组 15 号，原因：门牌号录错').waitFor();
      await page.getByText('韩寺镇韩寺村三组 15 号', { exact: true }).waitFor();
      await screenshot(page, '13-household-corrected');
      await expectAccessible(page);
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'the officer sees a bulk approval refused row by row, approves the rest, rejects with a reason, and is told the batch to make',
    async () => {
      // The mother's application by the clerk; the father's opened and submitted by the officer himself.
      const open = async (user: Account, person: string) => {
        const opened = await service.api(user, 'POST', '/enrollments', {
          householdId,
          policyCode: POLICY,
          beneficiaryPersonId: members[person],
        });
        expect(opened.status).toBe(201);
        expect((await service.api(user, 'POST', `/enrollments/${opened.body.id}/submit`)).status).toBe(200);
        return opened.body.id as string;
      };
      const mothers = await open(clerk, '李秀英');
      const fathers = await open(officer, '王建国');
      const publicized = await service.api(officer, 'POST', '/enrollments/bulk/publicize', { ids: [mothers, fathers] });
      expect(publicized.status).toBe(200);

      const page = await newPage(browser);
      await signIn(page, service, officer, '/enrollments?status=PUBLICIZED');
      await page.getByRole('tab', { name: '公示中', selected: true }).waitFor();
      await page.getByRole('cell', { name: /HS-DESK-1 · 李秀英/ }).waitFor();
      await page.getByRole('cell', { name: /HS-DESK-1 · 王建国/ }).waitFor();
      const row = (name: string) => page.getByRole('row').filter({ hasText: `HS-DESK-1 · ${name}` });
      await row('李秀英').getByRole('checkbox').check();
      await row('王建国').getByRole('checkbox').check();
      await page.getByRole('button', { name: /批量审批（已选 2 件）/ }).click();

      // All or nothing: the server's answer for each row.
      await page.getByText('批量操作未执行').waitFor();
      await row('王建国').getByText('未通过：不能审批自己经办的事项').waitFor();
      await row('李秀英').getByText('本行可以办理，因其他行未通过而未执行').waitFor();
      await screenshot(page, '14-bulk-approve-refused');
      await expectAccessible(page);

      // The father's is left out; the mother's is approved.
      await row('王建国').getByRole('checkbox').uncheck();
      await page.getByRole('button', { name: /批量审批（已选 1 件）/ }).click();
      await page.getByText('1 件已审批，开始享受').waitFor();

      // The one he may not approve goes back, with the reason.
      await row('王建国').getByRole('button', { name: '退回' }).click();
      const reject = page.getByRole('dialog', { name: `退回申请：${POLICY_NAME}` });
      await reject.getByRole('button', { name: '退回' }).click();
      await reject.getByText('请填写退回原因').waitFor();
      await reject.getByLabel('退回原因').fill('经办人与审批人为同一人，请乡镇重新提交');
      await reject.getByRole('button', { name: '退回' }).click();
      await reject.waitFor({ state: 'detached' });
      await page.getByRole('tab', { name: '已退回' }).click();
      await row('王建国').getByText('原因：经办人与审批人为同一人，请乡镇重新提交').waitFor();
      await expectAccessible(page);

      // 待办: the mother's assistance is in force this month and no batch pays it yet.
      await page.getByRole('menuitem', { name: /待办/ }).click();
      await page.getByRole('link', { name: '去新建：本期待建的发放批次' }).waitFor();
      const card = page.locator('.ant-card').filter({ hasText: '本期待建的发放批次' });
      await card.getByText('1', { exact: true }).waitFor();
      await screenshot(page, '15-officer-tasks-batches');
      await page.getByRole('link', { name: '去新建：本期待建的发放批次' }).click();
      await page.getByRole('heading', { name: '新建发放批次' }).waitFor();
      const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
        .format(new Date())
        .slice(0, 7);
      await expect(page.getByLabel('发放期间').inputValue()).resolves.toBe(month);
      await page.getByTitle(POLICY_NAME).first().waitFor();
      await expectAccessible(page);
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'the clerk downloads the Excel template, imports it with a wrong row, then fixed',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, clerk, '/households/import');
      await page.getByRole('heading', { name: '批量导入户籍' }).waitFor();
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: '下载模板（Excel）' }).click();
      const template = await downloading;
      expect(template.suggestedFilename()).toBe('registry-import-template.xlsx');

      // The template filled in as a township would: its own Chinese headers, one family of two.
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await readFile(await template.path())) as never);
      const sheet = workbook.worksheets[0];
      const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
      const head = id('19600101', '071');
      const spouse = id('19620202', '082');
      const filled = async (spouseId: string) => {
        const book = new ExcelJS.Workbook();
        const out = book.addWorksheet('户籍导入');
        out.addRow(headers);
        const row = (values: Record<string, string>) => out.addRow(headers.map((h) => values[h] ?? ''));
        row({
          户号: 'HS-XLSX-1',
          '村（社区）代码': VILLAGE,
          家庭住址: '韩寺村四组 2 号',
          身份证号: head,
          姓名: '赵大山',
          与户主关系: '户主',
          户口性质: '农业',
        });
        row({ 户号: 'HS-XLSX-1', 身份证号: spouseId, 姓名: '钱小花', 与户主关系: '配偶', 户口性质: '农业' });
        return {
          name: '韩寺村.xlsx',
          mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          buffer: Buffer.from(await book.xlsx.writeBuffer()),
        };
      };
      const choose = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
        const chooser = page.waitForEvent('filechooser');
        await page.getByText('点击选择或拖入 CSV 或 Excel（.xlsx）文件').click();
        await (await chooser).setFiles(file);
      };

      await choose(await filled(spouse.slice(0, 17) + (spouse[17] === '0' ? '1' : '0')));
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page.getByText('文件有 1 处错误，未导入').waitFor();
      await page.getByRole('cell', { name: '3', exact: true }).waitFor();
      await expectAccessible(page);

      await choose(await filled(spouse));
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page.getByText('检查通过，可以导入').waitFor();
      await page.getByRole('button', { name: '导入', exact: true }).click();
      await page.getByText('导入完成').waitFor();
      await page.getByText('已导入 1 户、2 人。').waitFor();
      await expect(page.getByRole('progressbar', { name: '导入进度' }).getAttribute('aria-valuenow')).resolves.toBe(
        '100',
      );
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );
});
