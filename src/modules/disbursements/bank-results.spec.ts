import { checkResults, checkSummary, CSV_STATUS_WORDS, type PayableLine, type ResultRecord } from './bank-results.js';

const line = (lineNo: number, overrides: Partial<PayableLine> = {}): PayableLine => ({
  id: `line-${lineNo}`,
  lineNo,
  accountNo: `62220200000000000${lineNo}`,
  amount: '960.00',
  status: 'PENDING',
  bankRef: null,
  reason: null,
  ...overrides,
});

const record = (fileLine: number, lineNo: number, overrides: Partial<ResultRecord> = {}): ResultRecord => ({
  fileLine,
  line_no: String(lineNo),
  account_no: `62220200000000000${lineNo}`,
  amount: '960.00',
  status: 'SUCCESS',
  bank_ref: `REF${lineNo}`,
  reason: '',
  ...overrides,
});

describe('checkResults', () => {
  const lines = new Map([1, 2, 3].map((n) => [n, line(n)]));

  it('accepts a good file and turns it into outcomes', () => {
    const check = checkResults(
      [record(2, 1), record(3, 2, { status: 'FAILED', bank_ref: '', reason: 'account closed' }), record(4, 3)],
      lines,
    );
    expect(check.problems).toEqual([]);
    expect(check.outcomes.map((o) => [o.line.lineNo, o.status, o.bankRef, o.reason])).toEqual([
      [1, 'PAID', 'REF1', null],
      [2, 'FAILED', null, 'account closed'],
      [3, 'PAID', 'REF3', null],
    ]);
  });

  it('lists every problem of a bad file: unknown, repeated, wrong account, wrong amount', () => {
    const check = checkResults(
      [
        record(2, 1),
        record(3, 9),
        record(4, 1),
        record(5, 2, { account_no: '6222020000000000999' }),
        record(6, 3, { amount: '959.99' }),
      ],
      lines,
      CSV_STATUS_WORDS,
      'en',
    );
    expect(check.problems.map((p) => p.line)).toEqual([3, 4, 5, 6]);
    expect(check.problems.map((p) => p.message).join('\n')).toMatch(
      /line 9 is not in this batch[\s\S]*repeated[\s\S]*account[\s\S]*amount 959.99 differs from 960.00/,
    );
    // Chinese unless English is asked for.
    expect(checkResults([record(2, 9), record(3, 3, { amount: '959.99' })], lines).problems).toEqual([
      { line: 2, lineNo: '9', message: '第 9 笔不在本批次中' },
      { line: 3, lineNo: '3', message: '第 3 笔：金额 959.99 与应发金额 960.00 不符' },
    ]);
  });

  it('treats amounts numerically and refuses non-amounts', () => {
    expect(checkResults([record(2, 1, { amount: '960' })], lines).problems).toEqual([]);
    expect(checkResults([record(2, 1, { amount: '9.6e2' })], lines).problems).toHaveLength(1);
  });

  it('makes a repeated import a no-op, and refuses one that contradicts a settled line', () => {
    const settled = new Map([[1, line(1, { status: 'PAID', bankRef: 'REF1' })]]);
    expect(checkResults([record(2, 1)], settled)).toEqual({ problems: [], outcomes: [] });
    const contradiction = checkResults([record(2, 1, { status: 'FAILED', bank_ref: '', reason: 'x' })], settled);
    expect(contradiction.problems[0].message).toBe('第 1 笔已按“已发放”结算，结果不能更改');
  });
});

describe('checkResults with a format’s status words', () => {
  const lines = new Map([1, 2].map((n) => [n, line(n)]));
  const words = { success: ['成功'], failure: ['失败'] };

  it('reads the bank’s own words and refuses any other', () => {
    const check = checkResults(
      [record(3, 1, { status: '成功' }), record(4, 2, { status: ' 失败 ', bank_ref: '', reason: '户名不符' })],
      lines,
      words,
    );
    expect(check.problems).toEqual([]);
    expect(check.outcomes.map((o) => [o.line.lineNo, o.status, o.reason])).toEqual([
      [1, 'PAID', null],
      [2, 'FAILED', '户名不符'],
    ]);
    const english = checkResults([record(3, 1, { status: 'SUCCESS' })], lines, words);
    expect(english.problems).toEqual([
      { line: 3, lineNo: '1', message: '第 1 笔：处理结果“SUCCESS”既不是 成功 也不是 失败' },
    ]);
  });
});

describe('checkSummary', () => {
  const records = [record(3, 1), record(4, 2, { amount: '480.50' })];
  const summary = (values: { batch_no?: string; count?: string; total?: string }) => ({ fileLine: 1, values });

  it('accepts a summary that names the batch and counts and totals the records', () => {
    expect(checkSummary(summary({ batch_no: 'B1', count: '2', total: '1440.50' }), records, 'B1')).toEqual([]);
    expect(checkSummary(summary({ count: '2', total: '1440.5' }), records, 'B1')).toEqual([]);
  });

  it('names the summary line for every disagreement', () => {
    const stated = summary({ batch_no: 'B2', count: '3', total: '1440.00' });
    expect(checkSummary(stated, records, 'B1').map((p) => p.message)).toEqual([
      '汇总记录所写批次为 B2，不是 B1',
      '汇总记录笔数为 3，文件有 2 笔',
      '汇总记录总金额为 1440.00，文件各笔合计 1440.50',
    ]);
    const problems = checkSummary(stated, records, 'B1', 'en');
    expect(problems).toEqual([
      { line: 1, message: 'the summary names batch B2, not B1' },
      { line: 1, message: 'the summary counts 3 records; the file has 2' },
      { line: 1, message: "the summary totals 1440.00; the file's records total 1440.50" },
    ]);
    expect(checkSummary(summary({ count: 'two', total: 'x' }), records, 'B1')).toHaveLength(2);
  });
});
