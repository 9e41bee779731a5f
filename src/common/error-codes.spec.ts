import { AUTH_ERROR_CODES } from '../modules/auth/auth.errors.js';
import { BUDGETS_ERROR_CODES } from '../modules/budgets/budgets.errors.js';
import { DISBURSEMENTS_ERROR_CODES } from '../modules/disbursements/disbursements.errors.js';
import { ELIGIBILITY_ERROR_CODES } from '../modules/eligibility/eligibility.errors.js';
import { ENROLLMENTS_ERROR_CODES } from '../modules/enrollments/enrollments.errors.js';
import { HEALTH_ERROR_CODES } from '../modules/health/health.errors.js';
import { JOBS_ERROR_CODES } from '../modules/jobs/jobs.errors.js';
import { LEDGER_ERROR_CODES } from '../modules/ledger/ledger.errors.js';
import { OVERPAYMENTS_ERROR_CODES } from '../modules/overpayments/overpayments.errors.js';
import { POLICIES_ERROR_CODES } from '../modules/policies/policies.errors.js';
import { REGIONS_ERROR_CODES } from '../modules/regions/regions.errors.js';
import { REGISTRY_ERROR_CODES } from '../modules/registry/registry.errors.js';
import { USERS_ERROR_CODES } from '../modules/users/users.errors.js';
import { COMMON_ERROR_CODES, type ErrorCode } from './errors.js';
import { translateIfKnown } from './i18n/i18n.js';

/** Every code a module declares (the type ErrorCode is their union; the compiler checks the throws). */
const DECLARED: readonly ErrorCode[] = [
  ...COMMON_ERROR_CODES,
  ...AUTH_ERROR_CODES,
  ...BUDGETS_ERROR_CODES,
  ...DISBURSEMENTS_ERROR_CODES,
  ...ELIGIBILITY_ERROR_CODES,
  ...ENROLLMENTS_ERROR_CODES,
  ...HEALTH_ERROR_CODES,
  ...JOBS_ERROR_CODES,
  ...LEDGER_ERROR_CODES,
  ...OVERPAYMENTS_ERROR_CODES,
  ...POLICIES_ERROR_CODES,
  ...REGIONS_ERROR_CODES,
  ...REGISTRY_ERROR_CODES,
  ...USERS_ERROR_CODES,
];

describe('error codes', () => {
  it('each declared code reads in Chinese and English from the catalogue', () => {
    const untranslated = DECLARED.flatMap((code) =>
      (['zh-CN', 'en'] as const)
        .filter((lang) => translateIfKnown(`errors.${code}`, {}, lang) === undefined)
        .map((lang) => `${lang}:${code}`),
    );
    expect(untranslated).toEqual([]);
  });
});
