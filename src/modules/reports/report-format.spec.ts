import { executionRate, TotalsAccumulator, type ReportColumn } from './report-format.js';

describe('report figures', () => {
  it('gives the execution rate as a four-place decimal string, rounding half up', () => {
    expect(executionRate('2880.00', '10000.00')).toBe('0.2880');
    expect(executionRate('1.00', '3.00')).toBe('0.3333');
    expect(executionRate('2.00', '3.00')).toBe('0.6667');
    expect(executionRate('0.00', '5.00')).toBe('0.0000');
    expect(executionRate('10.00', '10.00')).toBe('1.0000');
    expect(executionRate('1.00', '0.00')).toBeNull();
  });

  it('sums money exactly as the rows pass', () => {
    const columns: ReportColumn[] = [
      { key: 'amount', header: 'amount', kind: 'money', total: true },
      { key: 'lines', header: 'lines', kind: 'int', total: true },
      { key: 'name', header: 'name', kind: 'text' },
    ];
    const totals = new TotalsAccumulator(columns);
    for (let i = 0; i < 10; i++) totals.add({ amount: '0.10', lines: 1, name: 'x' });
    totals.add({ amount: '0.20', lines: 2, name: null });
    expect(totals.result()).toEqual({ rows: 11, amount: '1.20', lines: 12 });
  });
});
