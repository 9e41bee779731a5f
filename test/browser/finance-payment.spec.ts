/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { accountNo } from '../support/fixtures.js';
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
  thisMonth,
  TOWNSHIP,
  VILLAGE,
  type Account,
  type Service,
} from './support.js';

/**
 * Finance and audit in a real browser against the built service. Two bereaved families in 韩寺镇
 * are enrolled and batched through the API (the desk's journey shows those screens); then the
 * county's finance officer appropriates, is refused for budget, appropriates the rest, approves,
 * downloads the bank file and imports a result with one failed line; the auditor traces the paid
 * line from the household and from the batch, verifies the ledger and the audit trail, and
 * downloads the budget execution report as XLSX.
 */
const fiscalYear = Number(thisMonth.slice(0, 4));

interface Family {
  householdNo: string;
  householdId: string;
  mother: string;
}

describe('finance pays a batch and an auditor traces it (browser)', () => {
  let service: Service;
  let browser: Browser;
  let finance: Account;
  let auditor: Account;
  let batchId: string;
  let batchNo: string;
  const families: Family[] = [];
  let paidBankRef: string;

  const ok = (response: { status: number; body: any }, status: number) => {
    if (response.status !== status) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  beforeAll(async () => {
    service = await startService({ PUBLIC_NOTICE_DAYS: '0' });
    const admin = service.admin;
    ok(await service.api(admin, 'POST', '/regions', { code: VILLAGE, name: '韩寺村' }), 201);
    const clerk = await service.createUser('CLERK', TOWNSHIP, 'zhao.clerk');
    const officer = await service.createUser('OFFICER', COUNTY, 'sun.officer');
    finance = await service.createUser('FINANCE', COUNTY, 'qian.finance');
    auditor = await service.createUser('AUDITOR', COUNTY, 'zhou.auditor');

    // Two families whose only son died: each mother is paid the special assistance.
    for (const [n, names] of [
      ['1', ['王建国', '李秀英', '王小明']],
      ['2', ['张德胜', '刘桂兰', '张小军']],
    ] as const) {
      const ids = [id('19550310', `0${n}1`), id('19570601', `0${n}2`), id('19850820', `0${n}3`)];
      const household = ok(
        await service.api(clerk, 'POST', '/households', {
          householdNo: `HS-FIN-00${n}`,
          regionCode: VILLAGE,
          address: `韩寺镇韩寺村三组 ${n} 号`,
          members: [
            { idNumber: ids[0], name: names[0], relation: 'HEAD', hukouType: 'RURAL' },
            { idNumber: ids[1], name: names[1], relation: 'SPOUSE', hukouType: 'RURAL' },
            {
              idNumber: ids[2],
              name: names[2],
              relation: 'CHILD',
              hukouType: 'RURAL',
              birthOrder: 1,
              fatherIdNumber: ids[0],
              motherIdNumber: ids[1],
            },
          ],
          bankAccount: { bankCode: '102', accountNo: accountNo(20261200 + Number(n)), holderIdNumber: ids[1] },
        }),
        201,
      );
      const person = (idNumber: string) =>
        (household.members as { personId: string; idNumber: string }[]).find((m) => m.idNumber === idNumber)!.personId;
      ok(
        await service.api(clerk, 'POST', `/households/${household.id}/events`, {
          type: 'DEATH',
          personId: person(ids[2]),
          date: '2020-05-10',
        }),
        201,
      );
      const enrollment = ok(
        await service.api(clerk, 'POST', '/enrollments', {
          householdId: household.id,
          policyCode: POLICY,
          beneficiaryPersonId: person(ids[1]),
          appliedOn: `${thisMonth}-01`,
        }),
        201,
      );
      ok(await service.api(clerk, 'POST', `/enrollments/${enrollment.id}/submit`), 200);
      ok(await service.api(officer, 'POST', `/enrollments/${enrollment.id}/publicize`), 200);
      ok(await service.api(officer, 'POST', `/enrollments/${enrollment.id}/approve`), 200);
      families.push({ householdNo: household.householdNo, householdId: household.id, mother: names[1] });
    }

    const created = ok(
      await service.api(officer, 'POST', '/disbursement-batches', {
        policyCode: POLICY,
        period: thisMonth,
        countyCode: COUNTY,
      }),
      202,
    );
    batchId = created.batch.id;
    batchNo = created.batch.batchNo;
    for (let i = 0; ; i++) {
      const batch = ok(await service.api(officer, 'GET', `/disbursement-batches/${batchId}`), 200);
      if (batch.status === 'GENERATED') break;
      if (i > 300) throw new Error(`the batch is ${batch.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    ok(await service.api(officer, 'POST', `/disbursement-batches/${batchId}/submit`), 200);
    browser = await launchBrowser();
  }, JOURNEY_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it(
    'finance appropriates, is refused for budget, approves, exports and imports the result',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, finance);
      await page.getByRole('heading', { name: '待办' }).waitFor();
      const approveTask = page.getByRole('link', { name: '去审批：待审批的发放批次' });
      await approveTask.waitFor();
      await screenshot(page, 'finance-01-tasks');
      await expectAccessible(page);

      // Half of the money, from the central government only.
      await page.getByRole('menuitem', { name: '预算指标' }).click();
      await page.getByRole('heading', { name: `${fiscalYear} 年度预算指标` }).waitFor();
      await page.getByLabel('指标所属政策').focus();
      await chooseByKeyboard(page, POLICY_NAME);
      await page.getByLabel('金额（元）').fill('10000.00');
      await page.getByRole('button', { name: '下达指标' }).click();
      await page.getByText(/已下达 \d{4} 年 计划生育家庭特别扶助（独生子女死亡） 中央资金 ¥10000\.00/).waitFor();
      await page.getByRole('cell', { name: '¥10000.00' }).first().waitFor();

      // The batch: the provincial line has nothing, so approving is refused and says which line.
      await page.getByRole('menuitem', { name: '待办' }).click();
      await approveTask.click();
      await page.getByRole('link', { name: batchNo }).click();
      await page.getByRole('heading', { name: `发放批次 ${batchNo}` }).waitFor();
      await page.getByText('有预算指标余额不足，审批将被拒绝').waitFor();
      await page.getByText('未下达指标，差额').first().waitFor();
      await page.getByRole('button', { name: '审批通过' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: '审批通过' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: '预算不足，未审批' });
      await refusal.waitFor();
      await expect(refusal.textContent()).resolves.toMatch(/省级资金（县区 410122），差额 ¥\d+\.\d\d/);
      await screenshot(page, 'finance-02-refused-for-budget');
      await expectAccessible(page);

      // The other levels appropriated (as a second officer would), the approval goes through.
      for (const level of ['PROVINCIAL', 'MUNICIPAL', 'COUNTY']) {
        ok(
          await service.api(finance, 'POST', '/budgets/appropriations', {
            fiscalYear,
            policyCode: POLICY,
            fundingLevel: level,
            countyCode: COUNTY,
            amount: '10000.00',
          }),
          201,
        );
      }
      await page.reload();
      await page.getByText('各级预算指标余额充足，可以审批').waitFor({ timeout: 60_000 });
      await screenshot(page, 'finance-03-budget-impact');
      await page.getByRole('button', { name: '审批通过' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: '审批通过' }).click();
      await page.getByText('已审批通过，预算已占用').waitFor();
      await page.getByText('已审批', { exact: true }).first().waitFor();

      // The bank file, as the bank receives it.
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: '下载银行文件' }).click();
      const bankFile = readFileSync((await (await downloading).path())!, 'utf8').replace(/^\uFEFF/, '');
      await page.getByText('已导出银行文件', { exact: true }).first().waitFor();
      const [header, ...records] = bankFile.trim().split(/\r?\n/);
      const columns = header.split(',');
      const lines = records.map((r) => Object.fromEntries(r.split(',').map((v, i) => [columns[i], v])));
      expect(lines).toHaveLength(2);
      const [paid, failed] = lines;
      paidBankRef = `ICBC-${paid.line_no}-0001`;
      const result = (rows: string[]) => ({
        name: 'result.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(['line_no,account_no,amount,status,bank_ref,reason', ...rows].join('\n') + '\n'),
      });

      // A result with a wrong amount is refused whole, with the problem at its line.
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('点击选择或拖入银行回盘文件').click();
      await (
        await chooser
      ).setFiles(
        result([
          `${paid.line_no},${paid.account_no},${paid.amount},SUCCESS,${paidBankRef},`,
          `${failed.line_no},${failed.account_no},1.00,FAILED,,账户已冻结`,
        ]),
      );
      await page.getByText('回盘文件被整体拒收，未做任何更改').waitFor();
      await page.getByRole('cell', { name: new RegExp(`金额 1.00 与应发金额 ${failed.amount} 不符`) }).waitFor();
      await screenshot(page, 'finance-04-result-refused');
      await expectAccessible(page);

      const again = page.waitForEvent('filechooser');
      await page.getByText('点击选择或拖入银行回盘文件').click();
      await (
        await again
      ).setFiles(
        result([
          `${paid.line_no},${paid.account_no},${paid.amount},SUCCESS,${paidBankRef},`,
          `${failed.line_no},${failed.account_no},${failed.amount},FAILED,,账户已冻结`,
        ]),
      );
      await page.getByText('发放成功 1 笔，发放失败 1 笔，未变化 0 笔。').waitFor();
      await page.getByText('已结算', { exact: true }).first().waitFor();
      await page.getByText('发放失败（1）', { exact: true }).click();
      await page.getByRole('cell', { name: '账户已冻结' }).waitFor();
      // The tab re-renders the table: wait until the paid line has left it (a count would race the render).
      await page.getByRole('cell', { name: paidBankRef }).first().waitFor({ state: 'detached' });
      await screenshot(page, 'finance-05-failed-line');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '发放失败与补发' }).click();
      await page.getByText('1 笔发放失败，其中 1 笔待补发').waitFor();
      await page.getByRole('cell', { name: '账户已冻结' }).waitFor();
      await page.getByRole('menuitem', { name: '预算指标' }).click();
      await page.getByRole('img', { name: /预算执行图/ }).waitFor({ timeout: 60_000 });
      await screenshot(page, 'finance-06-budgets');
      await expectAccessible(page);
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'the auditor traces the payment from the household and the batch, verifies, and downloads a report',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, auditor);
      const paidFamily = families[0];
      await page.getByRole('menuitem', { name: '资金追溯' }).click();
      await page.getByLabel('户号、姓名或身份证号').fill(paidFamily.mother);
      await page.getByRole('button', { name: '查询' }).click();
      await page.getByRole('link', { name: paidFamily.householdNo }).click();
      await page.getByRole('heading', { name: `户资金追溯 ${paidFamily.householdNo}` }).waitFor();
      const row = page.getByRole('row').filter({ hasText: batchNo });
      await row.getByText(paidBankRef).or(row.getByText('账户已冻结')).waitFor();
      await screenshot(page, 'audit-01-household-trace');
      await expectAccessible(page);

      await row.getByRole('link', { name: batchNo }).click();
      await page.getByRole('heading', { name: `批次资金路径 ${batchNo}` }).waitFor();
      await page.getByText('各环节金额一致：预算占用、记账、发放行与银行结果相互吻合').waitFor();
      await page.getByRole('cell', { name: '账户已冻结' }).waitFor();
      await screenshot(page, 'audit-02-batch-path');
      await expectAccessible(page);
      await page.getByRole('link', { name: '户资金追溯' }).first().click();
      await page.getByRole('heading', { name: /户资金追溯 HS-FIN-00/ }).waitFor();

      await page.getByRole('menuitem', { name: '账本校验' }).click();
      await page.getByRole('button', { name: '开始校验' }).click();
      await page.getByText('资金账本校验通过').waitFor();
      await page.getByText('审计日志校验通过').waitFor();
      await screenshot(page, 'audit-03-verify');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '审计日志' }).click();
      await page.getByLabel('操作', { exact: true }).fill('batch.approved');
      await page.getByRole('button', { name: '查询' }).click();
      const approval = page.getByRole('row').filter({ hasText: 'qian.finance' });
      await approval.first().waitFor();
      await approval.first().getByRole('button', { name: '展开行' }).click();
      await page.getByRole('cell', { name: 'status', exact: true }).waitFor();
      await screenshot(page, 'audit-04-trail');
      await expectAccessible(page);

      await page.getByRole('menuitem', { name: '统计报表' }).click();
      await page.getByRole('tab', { name: '预算执行' }).waitFor();
      await page.getByRole('cell', { name: '合计' }).waitFor();
      await page.getByRole('img', { name: /按月支出图/ }).waitFor();
      await screenshot(page, 'audit-05-reports');
      await expectAccessible(page);
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: '下载 Excel（XLSX）' }).click();
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile((await (await downloading).path())!);
      const sheet = workbook.worksheets[0];
      const rows: unknown[][] = [];
      sheet.eachRow((r) => rows.push(r.values as unknown[]));
      // Four levels of 10000.00 each were appropriated: the total row's 下达金额 is 40000.
      const column = rows[0].indexOf('下达金额');
      expect(column).toBeGreaterThan(0);
      const total = rows.find((r) => r[1] === 'TOTAL');
      expect(total?.[column]).toBe(40000);
      await expect(page.getByRole('cell', { name: '¥40000.00' }).first().isVisible()).resolves.toBe(true);
      // The overpayment claims report sits beside the others (none is open in this journey).
      await page.getByRole('tab', { name: '多付追回' }).click();
      await page.getByRole('columnheader', { name: '待追回' }).waitFor();
      await page.getByText('本年度没有数据').waitFor();
      await page.context().close();
    },
    JOURNEY_TIMEOUT,
  );
});
