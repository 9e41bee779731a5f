import { batchUnits } from './batch-period.js';

describe('batchUnits', () => {
  it('pays a month with the arrears of the same fiscal year before it', () => {
    const units = batchUnits('MONTHLY', '2012-03');
    expect(units).toMatchObject({ fiscalYear: 2012, units: ['2012-01', '2012-02', '2012-03'] });
  });

  it('pays the twelve months of a year for a monthly benefit batched by year', () => {
    const units = batchUnits('MONTHLY', '2014');
    expect(typeof units !== 'string' && units.units).toHaveLength(12);
  });

  it('pays an annual benefit per year and refuses a month period for it', () => {
    expect(batchUnits('ANNUAL', '2012')).toMatchObject({ fiscalYear: 2012, units: ['2012'] });
    expect(batchUnits('ANNUAL', '2012-12')).toMatch(/period must be YYYY/);
  });

  it('pays a one-time benefit once ever and never a standing one', () => {
    const once = batchUnits('ONE_TIME', '2013-06');
    expect(once).toMatchObject({ fiscalYear: 2013, units: ['ONCE'] });
    expect(typeof once !== 'string' && once.periodOf('ONCE')).toBe('2013-06');
    expect(batchUnits('STANDING', '2013')).toMatch(/never paid/);
  });

  it('refuses malformed periods', () => {
    expect(batchUnits('MONTHLY', '2012-13')).toMatch(/YYYY or YYYY-MM/);
    expect(batchUnits('MONTHLY', '12-03')).toMatch(/YYYY or YYYY-MM/);
  });
});
