/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { idCheckCharacter } from '../../src/modules/registry/id-number.js';
import { accountNo } from '../support/fixtures.js';
import {
  launchBrowser,
  newPage,
  screenshot,
  seriousViolations,
  signIn,
  startService,
  type Account,
  type Service,
} from './support.js';

/**
 * Overpayment recovery (多付追回) in a real browser against the built service. A bereaved mother's
 * special assistance is paid (through the API: the finance journey shows those screens); then her
 * death is reported late, which opens a claim. The county's finance officer finds it in the claim
 * list, opens it (the overpaid months, each with its cause), records a refund and proposes writing
 * off the rest, which the page then refuses to let her approve herself; a second finance officer
 * approves it and the claim is written off.
 */
const TOWNSHIP = '410122101';
const VILLAGE = '410122101201';
const COUNTY = '410122';
const POLICY = 'SPECIAL_BEREAVED';
const JOURNEY_TIMEOUT = 300_000;
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const thisMonth = today.slice(0, 7);
const fiscalYear = Number(thisMonth.slice(0, 4));
const month = Number(thisMonth.slice(5, 7));
const monthOf = (m: number) => `${fiscalYear}-${String(m).padStart(2, '0')}`;
// Paid from two months back (within the fiscal year); she died in the middle of the first paid
// month, so the months after it were not owed (in January: the day before, so January was not).
const firstMonth = monthOf(Math.max(1, month - 2));
const deathDate = month > 1 ? `${firstMonth}-15` : `${fiscalYear - 1}-12-31`;

const id = (birth: string, sequence: string) => {
  const first17 = `${COUNTY}${birth}${sequence}`;
  return first17 + idCheckCharacter(first17);
};

describe('finance recovers an overpayment: claim list, claim page, refund, write-off by maker and checker (browser)', () => {
  let service: Service;
  let browser: Browser;
  let finance: Account;
  let finance2: Account;
  let claimNo: string;
  let overpaidMonths: string[];

  const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);
  const ok = (response: { status: number; body: any }, status: number) => {
    if (response.status !== status) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  /** The bank's result file, every line paid (a CSV body, which the JSON helper cannot send). */
  async function settle(batchId: string, user: Account) {
    const lines = ok(await service.api(user, 'GET', `/disbursement-batches/${batchId}/lines?limit=500`), 200).items as {
      lineNo: number;
      accountNo: string;
      amount: string;
    }[];
    const csv = [
      'line_no,account_no,amount,status,bank_ref,reason',
      ...lines.map((l) => `${l.lineNo},${l.accountNo},${l.amount},SUCCESS,OPB${l.lineNo},`),
    ].join('\n');
    const login = await fetch(`${service.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(user),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { Authorization: `Bearer ${accessToken}` };
    const exported = await fetch(`${service.url}/api/v1/disbursement-batches/${batchId}/bank-file`, { headers: auth });
    expect(exported.status).toBe(200);
    await exported.arrayBuffer();
    const imported = await fetch(`${service.url}/api/v1/disbursement-batches/${batchId}/bank-results`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'text/csv' },
      body: csv,
    });
    expect(imported.status).toBe(200);
  }

  beforeAll(async () => {
    service = await startService({ PUBLIC_NOTICE_DAYS: '0' });
    const admin = (service as unknown as { admin: Account }).admin;
    ok(await service.api(admin, 'POST', '/regions', { code: VILLAGE, name: '韩寺村' }), 201);
    const clerk = await service.createUser('CLERK', TOWNSHIP, 'zhao.clerk');
    const officer = await service.createUser('OFFICER', COUNTY, 'sun.officer');
    finance = await service.createUser('FINANCE', COUNTY, 'qian.finance');
    finance2 = await service.createUser('FINANCE', COUNTY, 'wu.finance');

    // A family whose only son died in 2020: the mother is paid the special assistance.
    const ids = [id('19550310', '011'), id('19570601', '012'), id('19850820', '013')];
    const household = ok(
      await service.api(clerk, 'POST', '/households', {
        householdNo: 'HS-OP-001',
        regionCode: VILLAGE,
        address: '韩寺镇韩寺村三组 1 号',
        members: [
          { idNumber: ids[0], name: '王建国', relation: 'HEAD', hukouType: 'RURAL' },
          { idNumber: ids[1], name: '李秀英', relation: 'SPOUSE', hukouType: 'RURAL' },
          {
            idNumber: ids[2],
            name: '王小明',
            relation: 'CHILD',
            hukouType: 'RURAL',
            birthOrder: 1,
            fatherIdNumber: ids[0],
            motherIdNumber: ids[1],
          },
        ],
        bankAccount: { bankCode: '102', accountNo: accountNo(20261301), holderIdNumber: ids[1] },
      }),
      201,
    );
    const person = (idNumber: string) =>
      (household.members as { personId: string; idNumber: string }[]).find((m) => m.idNumber === idNumber)!.personId;
    const event = (body: object) => service.api(clerk, 'POST', `/households/${household.id}/events`, body);
    ok(await event({ type: 'DEATH', personId: person(ids[2]), date: '2020-05-10' }), 201);
    const enrollment = ok(
      await service.api(clerk, 'POST', '/enrollments', {
        householdId: household.id,
        policyCode: POLICY,
        beneficiaryPersonId: person(ids[1]),
        appliedOn: `${firstMonth}-01`,
      }),
      201,
    );
    ok(await service.api(clerk, 'POST', `/enrollments/${enrollment.id}/submit`), 200);
    ok(await service.api(officer, 'POST', `/enrollments/${enrollment.id}/publicize`), 200);
    ok(await service.api(officer, 'POST', `/enrollments/${enrollment.id}/approve`), 200);

    for (const level of ['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY']) {
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
    const created = ok(
      await service.api(officer, 'POST', '/disbursement-batches', {
        policyCode: POLICY,
        period: thisMonth,
        countyCode: COUNTY,
      }),
      202,
    );
    const batchId = created.batch.id as string;
    for (let i = 0; ; i++) {
      const batch = ok(await service.api(officer, 'GET', `/disbursement-batches/${batchId}`), 200);
      if (batch.status === 'GENERATED') break;
      if (i > 300) throw new Error(`the batch is ${batch.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    ok(await service.api(officer, 'POST', `/disbursement-batches/${batchId}/submit`), 200);
    ok(await service.api(finance, 'POST', `/disbursement-batches/${batchId}/approve`), 200);
    await settle(batchId, finance);

    // The mother's death, reported late: the months paid after it were not owed.
    ok(await event({ type: 'DEATH', personId: person(ids[1]), date: deathDate }), 201);
    const claims = ok(await service.api(finance, 'GET', '/overpayments'), 200).items as {
      claimNo: string;
      lines: { period: string }[];
    }[];
    expect(claims).toHaveLength(1);
    claimNo = claims[0].claimNo;
    overpaidMonths = claims[0].lines.map((l) => l.period);
    expect(overpaidMonths.length).toBeGreaterThan(0);
    browser = await launchBrowser();
  }, JOURNEY_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it(
    'finance finds the claim, records a refund and proposes a write-off; a second finance officer approves it',
    async () => {
      const page = await newPage(browser);
      await signIn(page, service, finance);
      await page.getByRole('menuitem', { name: '多付追回' }).click();
      await page.getByRole('heading', { name: '多付追回' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: claimNo });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('待追回');
      // The status filter keeps the claim among the open ones and drops it from the recovered.
      await page.getByLabel('状态').click();
      await page.getByTitle('已追回').click();
      await page.getByText('没有符合条件的追回单').waitFor();
      await page.getByLabel('状态').click();
      await page.getByTitle('待追回').click();
      await row.waitFor();
      await screenshot(page, 'overpayments-01-claim-list');
      await expectAccessible(page);

      // The claim: each overpaid month, what was paid and owed, and the late death that caused it.
      await page.getByRole('link', { name: claimNo }).click();
      await page.getByRole('heading', { name: `追回单 ${claimNo}` }).waitFor();
      for (const period of overpaidMonths) {
        const periodRow = page
          .getByRole('row', { name: new RegExp(`^${period} `) })
          .filter({ hasText: `死亡（${deathDate}）` });
        await periodRow.waitFor();
      }
      const outstandingBefore = await page
        .locator('.ant-descriptions-item')
        .filter({ hasText: '未追回' })
        .textContent();
      expect(outstandingBefore).toMatch(/¥\d+\.\d\d/);
      await page.getByText('发现多付，立追回单').waitFor();
      await screenshot(page, 'overpayments-02-claim');
      await expectAccessible(page);

      // A refund of 10.00 with its receipt.
      await page.getByRole('button', { name: '登记退款' }).click();
      const refund = page.getByRole('dialog');
      // The day first (Enter takes it from the picker; the empty fields keep the form from sending).
      await refund.getByLabel('收款日期').fill(today);
      await page.keyboard.press('Enter');
      await refund.getByText('请填写退款金额').waitFor();
      await refund.getByLabel('退款金额（元）').fill('10.00');
      await refund.getByLabel('收据号').fill('SJ-2026-0001');
      await screenshot(page, 'overpayments-03-refund', { fullPage: false });
      await expectAccessible(page);
      await refund.getByRole('button', { name: '登记退款' }).click();
      await page.getByText('退款已登记').waitFor();
      await page.locator('.ant-descriptions-item').filter({ hasText: '状态' }).getByText('追回中').waitFor();
      await page.getByRole('row').filter({ hasText: 'SJ-2026-0001' }).filter({ hasText: '¥10.00' }).waitFor();

      // The rest proposed for write-off: the proposer is told she cannot approve it herself.
      await page.getByRole('button', { name: '提议核销' }).click();
      const propose = page.getByRole('dialog');
      await propose.getByLabel('核销理由').fill('户主年迈，家庭无力退还，经村委会核实');
      await propose.getByRole('button', { name: '提议核销' }).click();
      await page.getByText('已提议核销，待另一名财政人员审批').waitFor();
      await page.getByText('您是提议人，不能批准或退回本人的提议，须由另一名财政人员审批。').waitFor();
      await expect(page.getByRole('button', { name: '批准核销' }).isDisabled()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: '退回核销提议' }).isDisabled()).resolves.toBe(true);
      await screenshot(page, 'overpayments-04-proposed');
      await expectAccessible(page);
      const claimPath = new URL(page.url()).pathname;
      await page.context().close();

      // The second finance officer approves: written off, the loss spent.
      const checker = await newPage(browser);
      await signIn(checker, service, finance2, claimPath);
      await checker.getByRole('heading', { name: `追回单 ${claimNo}` }).waitFor();
      await checker.getByText(/qian\.finance 提议核销未追回的 ¥\d+\.\d\d/).waitFor();
      await checker.getByRole('button', { name: '批准核销' }).click();
      await checker.getByRole('tooltip').getByRole('button', { name: '批准核销' }).click();
      await checker.getByText('已批准核销').waitFor();
      await checker.locator('.ant-descriptions-item').filter({ hasText: '状态' }).getByText('已核销').waitFor();
      await checker.getByText('qian.finance 提议，wu.finance 批准').waitFor();
      await checker.getByText('批准核销（wu.finance）').waitFor();
      await expect(
        checker.locator('.ant-descriptions-item').filter({ hasText: '未追回' }).textContent(),
      ).resolves.toContain('¥0.00');
      await screenshot(checker, 'overpayments-05-written-off');
      await expectAccessible(checker);
      await checker.context().close();
    },
    JOURNEY_TIMEOUT,
  );
});
