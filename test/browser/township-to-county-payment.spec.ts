/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { accountNo } from '../support/fixtures.js';
import {
  chooseByKeyboard,
  COUNTY,
  expectAccessible,
  firstLoadGzipBytes,
  id,
  JOURNEY_TIMEOUT,
  launchBrowser,
  newPage,
  POLICY_NAME,
  screenshot,
  signIn,
  startService,
  thisMonth,
  TOWNSHIP,
  VILLAGE,
  wrongCheck,
  type Account,
  type Service,
} from './support.js';

/**
 * The story the console exists for, in a real browser against the built service: a township clerk
 * in 韩寺镇 registers a family (mistyping an ID number first), records that their only son died,
 * and applies for the special assistance; the county officer publicizes and approves it (a notice
 * of 0 days in this test), creates the month's batch, watches it generate, and submits it.
 */
/** A wait on a server job (the import runs as one): the job queue can be behind the request under load. */
const JOB_WAIT = 90_000;

const FATHER = id('19550310', '011');
const MOTHER = id('19570601', '022');
const SON = id('19850820', '031');

describe('a township clerk and a county officer pay a bereaved family (browser)', () => {
  let service: Service;
  let browser: Browser;
  let clerk: Account;
  let officer: Account;

  beforeAll(async () => {
    service = await startService({ PUBLIC_NOTICE_DAYS: '0' });
    const admin = service.admin;
    const village = await service.api(admin, 'POST', '/regions', { code: VILLAGE, name: '韩寺村' });
    expect(village.status).toBe(201);
    clerk = await service.createUser('CLERK', TOWNSHIP, 'wang.clerk');
    officer = await service.createUser('OFFICER', COUNTY, 'li.officer');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('loads the sign-in page in under 400 KB gzipped', async () => {
    const { bytes, files } = await firstLoadGzipBytes(browser, `${service.url}/login`);
    process.stderr.write(`sign-in page first load: ${(bytes / 1024).toFixed(1)} KB gzipped in ${files.length} files\n`);
    expect(bytes).toBeLessThan(400 * 1024);
  });

  it('serves the console for links into it and keeps unknown API paths as problem details', async () => {
    const deep = await fetch(`${service.url}/households/00000000-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    const api = await fetch(`${service.url}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it(
    'the clerk registers the household by keyboard, records the death, and applies',
    async () => {
      const page = await newPage(browser);
      await page.goto(`${service.url}/`);
      await page.getByRole('heading', { name: /一卡通/ }).waitFor();
      await screenshot(page, '01-sign-in');
      await expectAccessible(page);

      await signIn(page, service, clerk);
      await page.getByRole('heading', { name: '待办' }).waitFor();
      await page.getByText('待提交的申请（草稿）').waitFor();
      await screenshot(page, '02-clerk-tasks');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '登记新户' }).click();
      await page.getByRole('heading', { name: '登记新户' }).waitFor();

      // The whole form by keyboard: the household number has the focus, Tab moves on, Enter submits.
      const kb = page.keyboard;
      const choose = (text: string) => chooseByKeyboard(page, text);
      await page.getByLabel('户号').waitFor();
      await kb.type('HS-2026-001');
      await kb.press('Tab');
      await choose('韩寺村');
      await kb.press('Tab');
      await kb.type('韩寺镇韩寺村一组 8 号');
      await kb.press('Tab');
      await kb.type('王建国');
      await kb.press('Tab'); // relation: 户主 already chosen
      await kb.press('Tab');
      await kb.type(wrongCheck(FATHER));
      const wrong = wrongCheck(FATHER)[17];
      await page.getByText(`校验码错误：第 18 位应为 ${FATHER[17]}，输入的是 ${wrong}，请核对号码`).waitFor();
      await screenshot(page, '03-register-wrong-id');
      await kb.press('Backspace');
      await kb.type(FATHER[17]);
      await page.getByText('出生日期 1955-03-10，性别 男').waitFor();
      await page.getByText(/校验码错误/).waitFor({ state: 'detached' });

      // A new member starts as 子女 (child); typing in the relation list picks another.
      const addMember = async (index: number, name: string, relation: string | undefined, idNumber: string) => {
        await page.getByRole('button', { name: '添加成员' }).focus();
        await kb.press('Enter');
        await page.getByLabel(`成员 ${index} 姓名`).focus();
        await kb.type(name);
        await kb.press('Tab');
        if (relation) await choose(relation);
        await kb.press('Tab');
        await kb.type(idNumber);
      };
      await addMember(2, '李秀英', '配偶', MOTHER);
      await page.getByText('出生日期 1957-06-01，性别 女').waitFor();
      await addMember(3, '王小明', undefined, SON);
      await page.getByLabel('成员 3 孩次').focus();
      await kb.type('1');

      await page.getByLabel('银行代码').focus();
      await kb.type('102');
      await kb.press('Tab');
      await kb.type(accountNo(20261129));
      await kb.press('Tab');
      await kb.type(MOTHER);
      await screenshot(page, '04-register-household');
      await expectAccessible(page);
      await kb.press('Enter');

      await page.getByRole('heading', { name: '家庭档案 HS-2026-001' }).waitFor();
      // The wife is a member (配偶) and, in her son's row, his mother.
      await page.getByRole('cell', { name: '李秀英', exact: true }).first().waitFor();
      await page.getByRole('cell', { name: '配偶' }).waitFor();

      // The son's death, recorded as a life event, appears on the dated timeline.
      await page.getByRole('button', { name: '登记生活事件' }).click();
      const dialog = page.getByRole('dialog', { name: '登记生活事件' });
      await dialog.getByLabel('事件类型').focus();
      await choose('死亡');
      await dialog.getByLabel('发生日期').fill('2020-05-10');
      await kb.press('Enter');
      await dialog.getByLabel('涉及成员').focus();
      await choose('王小明');
      await dialog.getByRole('button', { name: '登记' }).click();
      await page.getByText('2020-05-10 死亡：王小明').waitFor();
      await page.getByRole('cell', { name: '2020-05-10 死亡' }).waitFor();

      // Eligibility today: the mother qualifies for the special assistance, each condition in words.
      const mother = page.getByRole('button', { name: `为李秀英开立申请：${POLICY_NAME}` });
      await mother.waitFor();
      const row = page.getByRole('row').filter({ has: mother });
      await row.getByRole('button', { name: '展开行' }).click();
      await page
        .getByText(/独生子女已?死亡.*实际为? ?是.*，符合/)
        .first()
        .waitFor();
      await screenshot(page, '05-household');
      await expectAccessible(page);

      // The household is found again by a member's name.
      const householdPath = new URL(page.url()).pathname;
      await page.getByRole('menuitem', { name: '户籍档案' }).click();
      await page.getByLabel('户号、姓名或身份证号').fill('李秀');
      await page.getByRole('button', { name: '查询' }).click();
      await page.getByRole('link', { name: 'HS-2026-001' }).waitFor();
      await screenshot(page, '05a-household-search');
      await expectAccessible(page);
      await page.goto(`${service.url}${householdPath}`);
      await page.getByRole('heading', { name: '家庭档案 HS-2026-001' }).waitFor();

      // A lost session returns to sign-in, then to this very page.
      const householdUrl = page.url();
      await page.evaluate(() => {
        const stored = JSON.parse(localStorage.getItem('yikatong.session')!);
        localStorage.setItem('yikatong.session', JSON.stringify({ ...stored, token: 'no-longer-valid' }));
      });
      await page.reload();
      await page.getByText('登录已过期，请重新登录，登录后回到刚才的页面。').waitFor();
      await page.getByLabel('用户名').fill(clerk.username);
      await page.getByLabel('密码').fill(clerk.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '家庭档案 HS-2026-001' }).waitFor();
      expect(page.url()).toBe(householdUrl);

      await page.getByRole('button', { name: `为李秀英开立申请：${POLICY_NAME}` }).click();
      await page.getByRole('heading', { name: `享受申请：${POLICY_NAME}` }).waitFor();
      await page.getByText('草稿', { exact: true }).first().waitFor();
      await page.getByRole('button', { name: '提交' }).click();
      await page.getByText('已提交', { exact: true }).first().waitFor();
      await screenshot(page, '06-enrollment-submitted');
      await expectAccessible(page);

      // Changing one's own password: a wrong current password is refused and said so.
      await page.getByRole('link', { name: /修改密码/ }).click();
      await page.getByLabel('当前密码').fill('not-my-password');
      await page.getByLabel('新密码', { exact: true }).fill('a-new-long-password');
      await page.getByLabel('再次输入新密码').fill('a-new-long-password');
      await page.getByRole('button', { name: '修改密码' }).click();
      // The refusal is at the field it concerns (and headed once above the form, not repeated).
      await page.locator('#currentPassword_help').getByText('当前密码不正确').waitFor();
      await page.getByRole('alert').filter({ hasText: '当前密码不正确' }).first().waitFor();
      await page.getByLabel('当前密码').fill(clerk.password);
      await page.getByRole('button', { name: '修改密码' }).click();
      await page.getByText('密码已修改，下次登录请使用新密码').waitFor();
      clerk.password = 'a-new-long-password';
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.getByRole('button', { name: '登录' }).waitFor();
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'the clerk imports a registry file: problems by row first, then the import',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, clerk, '/households/import');
      await page.getByRole('heading', { name: '批量导入户籍' }).waitFor();
      const header = 'household_no,region_code,address,id_number,name,relation,hukou_type';
      const head = id('19600101', '051');
      const spouse = id('19620202', '062');
      const file = (rows: string[]) => ({
        name: 'registry.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from([header, ...rows].join('\n') + '\n'),
      });
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('点击选择或拖入 CSV 或 Excel（.xlsx）文件').click();
      await (
        await chooser
      ).setFiles(
        file([
          `HS-IMP-1,${VILLAGE},韩寺村二组 1 号,${head},赵大山,HEAD,RURAL`,
          `HS-IMP-1,,,${wrongCheck(spouse)},钱小花,SPOUSE,RURAL`,
        ]),
      );
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page.getByText('文件有 1 处错误，未导入').waitFor({ timeout: JOB_WAIT });
      await page.getByRole('cell', { name: '3', exact: true }).waitFor();
      await screenshot(page, '05b-import-problems');
      await expectAccessible(page);

      const again = page.waitForEvent('filechooser');
      await page.getByText('点击选择或拖入 CSV 或 Excel（.xlsx）文件').click();
      await (
        await again
      ).setFiles(
        file([
          `HS-IMP-1,${VILLAGE},韩寺村二组 1 号,${head},赵大山,HEAD,RURAL`,
          `HS-IMP-1,,,${spouse},钱小花,SPOUSE,RURAL`,
        ]),
      );
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page.getByText('检查通过，可以导入').waitFor({ timeout: JOB_WAIT });
      await page.getByRole('button', { name: '导入', exact: true }).click();
      await page.getByText('导入完成').waitFor({ timeout: JOB_WAIT });
      await page.getByText('已导入 1 户、2 人。').waitFor();
      await expect(page.getByRole('progressbar', { name: '导入进度' }).getAttribute('aria-valuenow')).resolves.toBe(
        '100',
      );
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'the officer publicizes and approves it, then creates, watches and submits the batch',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, officer);
      await page.getByRole('link', { name: '去公示：待公示的申请' }).waitFor();
      await screenshot(page, '07-officer-tasks');

      await page.getByRole('link', { name: '去公示：待公示的申请' }).click();
      await page.getByRole('tab', { name: '已提交', selected: true }).waitFor();
      await page.getByRole('cell', { name: /HS-2026-001 · 李秀英/ }).waitFor();
      await page.getByRole('checkbox', { name: /选择 计划生育家庭特别扶助/ }).check();
      await page.getByRole('button', { name: /批量公示/ }).click();
      await page.getByText('1 件已公示').waitFor();

      await page.getByRole('tab', { name: '公示中' }).click();
      await page.getByText('公示期满，可审批').waitFor();
      await page.getByRole('checkbox', { name: /选择 计划生育家庭特别扶助/ }).check();
      await screenshot(page, '08-enrollment-queue');
      await expectAccessible(page);
      await page.getByRole('button', { name: /批量审批/ }).click();
      await page.getByText('1 件已审批，开始享受').waitFor();

      // The township's publicity list, as printed for the notice board.
      await page.getByRole('menuitem', { name: '公示名单' }).click();
      await page.getByLabel('乡镇代码（9 位）').fill(TOWNSHIP);
      await page.getByRole('button', { name: '查询' }).click();
      await page.getByRole('cell', { name: '李秀英' }).waitFor();
      await expect(page.getByRole('button', { name: '下载 CSV' }).isEnabled()).resolves.toBe(true);
      await screenshot(page, '08a-publicity-list');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '发放批次' }).click();
      await page.getByRole('button', { name: '新建发放批次' }).click();
      await page.getByRole('heading', { name: '新建发放批次' }).waitFor();
      await page.getByLabel('政策').click();
      await page.getByTitle(POLICY_NAME).click();
      await page.getByLabel('发放期间').fill(thisMonth);
      await page.getByRole('button', { name: '生成批次' }).click();
      await page.getByRole('heading', { name: /发放批次 / }).waitFor();
      // Generation runs in the background; the page follows it until the batch is generated.
      await page.getByText('已生成', { exact: true }).first().waitFor({ timeout: 60_000 });
      await page.getByRole('tab', { name: '发放明细（1）' }).waitFor();
      await page.getByRole('cell', { name: '李秀英', exact: true }).waitFor();
      await screenshot(page, '09-batch-generated');
      await expectAccessible(page);

      await page.getByRole('button', { name: '提交审批' }).click();
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.getByText('已提交财政审批').waitFor();
      await page.getByText('已提交', { exact: true }).first().waitFor();
      await screenshot(page, '10-batch-submitted');
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );
});
