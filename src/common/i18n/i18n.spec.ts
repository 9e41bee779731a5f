import { ENROLLMENT_STATUSES } from '../../modules/enrollments/enrollment-state.js';
import { BATCH_STATUSES } from '../../modules/disbursements/disbursements.repository.js';
import { POLICY_CODES, FUNDING_LEVELS } from '../../modules/policies/policy-codes.js';
import { POLICY_CATEGORIES } from '../../modules/policies/policy-model.js';
import { EVENT_TYPES } from '../../modules/registry/dto/household.dto.js';
import { HUKOU_TYPES, RELATIONS } from '../../modules/registry/household-rules.js';
import { ROLES } from '../auth/roles.js';
import { catalogueKeys, catalogues, label, languageOf, translate, translateIfKnown } from './i18n.js';

describe('i18n catalogues', () => {
  it('hold exactly the same keys in Chinese and English', () => {
    const zh = catalogueKeys(catalogues['zh-CN']).sort();
    const en = catalogueKeys(catalogues.en).sort();
    expect(zh.filter((key) => !en.includes(key))).toEqual([]);
    expect(en.filter((key) => !zh.includes(key))).toEqual([]);
    expect(zh.length).toBeGreaterThan(150);
  });

  it('name every value of the enums the API answers, in both languages', () => {
    const enums = {
      enrollmentStatus: ENROLLMENT_STATUSES,
      batchStatus: BATCH_STATUSES,
      role: ROLES,
      relation: RELATIONS,
      hukouType: HUKOU_TYPES,
      policyCategory: POLICY_CATEGORIES,
      fundingLevel: FUNDING_LEVELS,
      eventType: EVENT_TYPES,
      policy: POLICY_CODES,
    } as const;
    for (const [catalogue, values] of Object.entries(enums)) {
      for (const value of values) {
        for (const lang of ['zh-CN', 'en'] as const) {
          expect([catalogue, value, translateIfKnown(`labels.${catalogue}.${value}`, {}, lang)]).toEqual([
            catalogue,
            value,
            expect.any(String),
          ]);
        }
      }
    }
    expect(label('batchStatus', 'GENERATION_FAILED')).toBe('生成失败');
    expect(label('batchStatus', 'GENERATION_FAILED', 'en')).toBe('Generation failed');
    expect(label('policy', 'RURAL_REWARD')).toBe('农村部分计划生育家庭奖励扶助');
  });

  it('translates with parameters, Chinese by default', () => {
    expect(translate('errors.NOTICE_PERIOD_NOT_OVER', { noticeEndsOn: '2026-12-01' })).toBe(
      '公示期至 2026-12-01 结束，请于当日或之后审批',
    );
    expect(translate('errors.NOTICE_PERIOD_NOT_OVER', { noticeEndsOn: '2026-12-01' }, 'en')).toBe(
      'The public notice runs until 2026-12-01; approve on or after that day',
    );
    // Interpolated values are text, not HTML.
    expect(translate('errors.NOT_FOUND', { entity: '<b>', id: '&1' })).toBe('未找到 <b> &1');
    expect(translateIfKnown('errors.NO_SUCH_CODE')).toBeUndefined();
  });

  it('reads Accept-Language: English only when preferred, Chinese otherwise', () => {
    expect(languageOf(undefined)).toBe('zh-CN');
    expect(languageOf('')).toBe('zh-CN');
    expect(languageOf('en')).toBe('en');
    expect(languageOf('en-US,en;q=0.9')).toBe('en');
    expect(languageOf('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(languageOf('fr-FR,de;q=0.9')).toBe('zh-CN');
    expect(languageOf('fr, en;q=0.5')).toBe('en');
    expect(languageOf('en;q=0.3, zh;q=0.7')).toBe('zh-CN');
    expect(languageOf('en;q=0')).toBe('zh-CN');
    expect(languageOf(';;;q=abc,,')).toBe('zh-CN');
  });
});
