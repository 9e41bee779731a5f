/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import {
  chooseByKeyboard,
  expectAccessible,
  JOURNEY_TIMEOUT,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  startService,
  type Account,
  type Service,
} from './support.js';

/**
 * The city's administrator in a real browser: creates a user (the server's region rule first),
 * moves them to another role and region with a new password, disables them,
 * adds a village, and adds a policy version (a rule the server refuses first, its problem shown at
 * its JSON path), reading each version's rule as Chinese sentences.
 */

describe('the administrator manages users, regions and policies (browser)', () => {
  let service: Service;
  let browser: Browser;
  let admin: Account;

  beforeAll(async () => {
    service = await startService();
    admin = service.admin;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it(
    'creates a user, adds a village and a policy version',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, admin);
      await page.getByRole('menuitem', { name: '用户管理' }).click();
      await page.getByRole('heading', { name: '用户管理' }).waitFor();
      await page.getByRole('button', { name: '新建用户' }).click();
      const dialog = page.getByRole('dialog', { name: '新建用户' });
      await dialog.getByLabel('用户名').fill('chen.clerk');
      await dialog.getByLabel('姓名').fill('陈静');
      await dialog.getByLabel('初始密码').fill('a-long-password');
      await dialog.getByLabel('岗位').focus();
      await chooseByKeyboard(page, '乡镇计生专干');
      // A clerk works in a township: a county code is refused by the server, at the field.
      await dialog.getByLabel('区划代码').fill('410122');
      await dialog.getByRole('button', { name: '创建' }).click();
      await dialog
        .getByText(/township/)
        .first()
        .waitFor();
      await screenshot(page, 'admin-01-user-refused');
      await dialog.getByLabel('区划代码').fill('410122101');
      await dialog.getByRole('button', { name: '创建' }).click();
      await page.getByText('已创建用户 chen.clerk').waitFor();
      const row = page.getByRole('row').filter({ hasText: 'chen.clerk' });
      await row.getByText('乡镇计生专干').waitFor();
      await row.getByText('在用').waitFor();
      await screenshot(page, 'admin-02-users');
      await expectAccessible(page);

      await row.getByText('陈静').waitFor();
      const login = (password: string) =>
        fetch(`${service.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'chen.clerk', password }),
        }).then((r) => r.status);
      await expect(login('a-long-password')).resolves.toBe(200);

      // Moved to the county as an officer, with a new password set by the administrator.
      await row.getByRole('button', { name: '修改 chen.clerk' }).click();
      const edit = page.getByRole('dialog', { name: '修改用户 chen.clerk' });
      await edit.getByLabel('岗位').focus();
      await chooseByKeyboard(page, '县区卫健');
      await edit.getByLabel('区划代码').fill('410122');
      await edit.getByLabel('重置密码（不改则留空）').fill('another-long-password');
      await screenshot(page, 'admin-03-user-edit');
      await expectAccessible(page);
      await edit.getByRole('button', { name: '保存' }).click();
      await page.getByText('已保存 chen.clerk，密码已重置').waitFor();
      await row.getByText('县区卫健（计生）股室').waitFor();
      await expect(login('a-long-password')).resolves.toBe(401);
      await expect(login('another-long-password')).resolves.toBe(200);
      await row.getByRole('button', { name: '停用 chen.clerk' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: '停用' }).click();
      await row.getByText('已停用').waitFor();

      await page.getByRole('menuitem', { name: '行政区划' }).click();
      await page.getByRole('link', { name: '410122', exact: true }).click();
      await page.getByRole('link', { name: '410122101', exact: true }).click();
      await page.getByRole('heading', { name: '行政区划 410122101' }).waitFor();
      await page.getByLabel('村（社区）代码后 3 位').fill('205');
      await page.getByLabel('名称').fill('东风村');
      await page.getByRole('button', { name: '添加' }).click();
      await page.getByRole('cell', { name: '410122101205' }).waitFor();
      await page.getByRole('cell', { name: '东风村' }).waitFor();
      await screenshot(page, 'admin-04-regions');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '政策管理' }).click();
      await page.getByRole('link', { name: '农村部分计划生育家庭奖励扶助' }).click();
      await page.getByRole('heading', { name: '农村部分计划生育家庭奖励扶助' }).waitFor();
      // Each version's rule read as sentences (the catalogue's labels), amounts and shares in words.
      await page
        .getByText(/不少于\d+周岁/)
        .first()
        .waitFor();
      await page
        .getByText(/中央 \d+%/)
        .first()
        .waitFor();

      const rule = page.getByLabel('享受条件（JSON）');
      await rule.fill(JSON.stringify({ all: [{ fact: 'person.ageAtYearEnd', op: 'ge', value: 'sixty' }] }, null, 2));
      await page.getByLabel('施行日期').fill('2099-01-01');
      await page.getByLabel('标准（JSON）').fill(JSON.stringify({ kind: 'FIXED', amount: '120.00' }));
      await page.getByRole('button', { name: '新增版本' }).click();
      await page.getByText(/^rule\.all\[0\]\.value：/).waitFor();
      await screenshot(page, 'admin-05-policy-version-refused');
      await expectAccessible(page);

      await rule.fill(JSON.stringify({ all: [{ fact: 'person.ageAtYearEnd', op: 'ge', value: 60 }] }, null, 2));
      await page
        .getByText('读作：本人年龄（按出生年份）不少于60周岁。')
        .or(page.getByText(/读作：.*不少于60周岁。/))
        .waitFor();
      await page.getByRole('button', { name: '新增版本' }).click();
      await page.getByText(/已新增第 \d+ 版，2099-01-01 起施行/).waitFor();
      const newest = page.getByRole('row').filter({ hasText: '2099-01-01 至 今' });
      await newest.getByText('每期 ¥120.00').waitFor();
      await newest.getByText('尚未用于发放').waitFor();
      await screenshot(page, 'admin-06-policy');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '我的后台任务' }).click();
      await page.getByRole('heading', { name: '我的后台任务' }).waitFor();
      await expectAccessible(page);
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );
});
