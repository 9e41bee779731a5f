import type { BankFileFormat, SummaryRecord } from './bank-file-format.js';

/** `汇总|批次号|总笔数|总金额`, first in the payment file and in the bank's answer. */
const SUMMARY: SummaryRecord = {
  position: 'first',
  cells: [{ literal: '汇总' }, { field: 'batch_no' }, { field: 'count' }, { field: 'total' }],
};

/**
 * The batch-payment (代发) text file most Chinese banks take for salaries and benefits: GBK,
 * cells separated by `|`, Windows line endings, a first summary record `汇总|批次号|总笔数|总金额`,
 * then a title row in Chinese and one record per payment. The bank answers in the same layout with
 * 处理结果 `成功` or `失败`; its summary must count and total the records that follow.
 *
 * ```
 * 汇总|B410122-2012-000001|2|1920.00
 * 序号|账号|户名|金额|身份证号|用途|所属期
 * 1|6222020000000000018|王建国|960.00|410122195203100013|农村部分计划生育家庭奖励扶助|2012
 * ```
 */
export const GBK_PAYROLL: BankFileFormat = {
  code: 'GBK_PAYROLL',
  name: { 'zh-CN': '代发工资批量文件(GBK)', en: 'Batch payroll file (GBK)' },
  encoding: 'gbk',
  delimiter: '|',
  lineEnding: '\r\n',
  extension: 'txt',
  payment: {
    titleRow: true,
    summary: SUMMARY,
    columns: [
      { field: 'line_no', header: '序号' },
      { field: 'account_no', header: '账号' },
      { field: 'account_name', header: '户名' },
      { field: 'amount', header: '金额' },
      { field: 'id_number', header: '身份证号' },
      { field: 'policy_name', header: '用途' },
      { field: 'period', header: '所属期' },
    ],
  },
  result: {
    titleRow: true,
    summary: SUMMARY,
    columns: [
      { field: 'line_no', header: '序号' },
      { field: 'account_no', header: '账号' },
      { field: 'account_name', header: '户名' },
      { field: 'amount', header: '金额' },
      { field: 'status', header: '处理结果' },
      { field: 'bank_ref', header: '银行流水号' },
      { field: 'reason', header: '失败原因' },
    ],
    statusWords: { success: ['成功'], failure: ['失败'] },
  },
};
