import { compileAmountRule, validateAmountRule, validateFundingShares } from './amount-rule.js';
import type { Reason } from './rule.js';

describe('amount rules', () => {
  it('formats a fixed amount to two places', () => {
    expect(compileAmountRule({ kind: 'FIXED', amount: '960' })({}, null, [])).toBe('960.00');
  });

  it('picks a table case by the fact, and explains a missing case as a failed condition', () => {
    const amountOf = compileAmountRule({
      kind: 'TABLE',
      fact: 'person.complicationGrade',
      cases: [
        { equals: 1, amount: '300.00' },
        { equals: 2, amount: '200.00' },
      ],
    });
    const reasons: Reason[] = [];
    expect(amountOf({}, { 'person.complicationGrade': 2 }, reasons)).toBe('200.00');
    expect(amountOf({}, { 'person.complicationGrade': 3 }, reasons)).toBeUndefined();
    expect(reasons).toEqual([
      {
        condition: 'amount by person.complicationGrade',
        label: '按本人计划生育手术并发症等级定标准：2级，每期200.00元',
        actual: 2,
        expected: 'in [1, 2]',
        passed: true,
      },
      {
        condition: 'amount by person.complicationGrade',
        label: '按本人计划生育手术并发症等级定标准：实际3级，要求为1级、2级之一',
        actual: 3,
        expected: 'in [1, 2]',
        passed: false,
      },
    ]);
  });

  it('keeps cash and non-cash apart, and refuses duplicate cases and negative amounts (in Chinese by default)', () => {
    expect(validateAmountRule({ kind: 'NONE', benefit: 'x' }, 'CASH', 'PERSON')).toEqual([
      { field: 'amount.kind', message: '现金待遇须为 FIXED 或 TABLE 金额' },
    ]);
    expect(validateAmountRule({ kind: 'FIXED', amount: '1.00' }, 'NON_CASH', 'PERSON')).toEqual([
      { field: 'amount.kind', message: '非现金待遇的金额类型须为 NONE' },
    ]);
    expect(
      validateAmountRule(
        {
          kind: 'TABLE',
          fact: 'person.hukouType',
          cases: [
            { equals: 'URBAN', amount: '-1.00' },
            { equals: 'URBAN', amount: '2.00' },
          ],
        },
        'CASH',
        'PERSON',
      ),
    ).toEqual([
      {
        field: 'amount.cases[0].amount',
        message: '金额应为不小于 0、最多两位小数的元金额文本（如 "960.00"）',
      },
      { field: 'amount.cases[1].equals', message: '该取值已有一档' },
    ]);
  });

  it('needs funding shares of known levels adding up to exactly 1', () => {
    expect(validateFundingShares({ MUNICIPAL: '0.5', COUNTY: '0.5' })).toEqual([]);
    expect(validateFundingShares({ CENTRAL: '0.333333', PROVINCIAL: '0.333333', COUNTY: '0.333334' })).toEqual([]);
    expect(validateFundingShares({ MUNICIPAL: '0.5', VILLAGE: '0.5' })).toEqual([
      {
        field: 'fundingShares.VILLAGE',
        message: '未知的资金层级；层级为 CENTRAL, PROVINCIAL, MUNICIPAL, COUNTY',
      },
    ]);
    expect(validateFundingShares({ MUNICIPAL: 0.5, COUNTY: '0.5' })[0].field).toBe('fundingShares.MUNICIPAL');
    expect(validateFundingShares({})).toHaveLength(1);
  });
});
