import { DEFAULT_LANGUAGE, translate, type Language } from '../../common/i18n/i18n.js';
import type { KeyedProblem } from '../../common/i18n/stored-reason.js';

/** One-card bank account numbers: 16 to 19 digits whose last digit is a Luhn check digit. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Why the account number is refused, as a catalogue key (stored with a batch's exceptions), or undefined. */
export function accountNoProblemKey(accountNo: unknown): KeyedProblem | undefined {
  if (typeof accountNo !== 'string' || !/^\d{16,19}$/.test(accountNo)) return { key: 'bankAccount.accountNoFormat' };
  if (!luhnValid(accountNo)) return { key: 'bankAccount.accountNoLuhn' };
  return undefined;
}

/** A reason the account number is refused (in `lang`), or undefined when it is acceptable. */
export function accountNoProblem(accountNo: unknown, lang: Language = DEFAULT_LANGUAGE): string | undefined {
  const problem = accountNoProblemKey(accountNo);
  return problem && translate(problem.key, problem.params, lang);
}

/** Bank codes: the CNAPS bank-type code or the bank's short name (`102`, `ICBC`). */
export function bankCodeProblem(bankCode: unknown, lang: Language = DEFAULT_LANGUAGE): string | undefined {
  return typeof bankCode === 'string' && /^[0-9A-Z]{2,12}$/.test(bankCode)
    ? undefined
    : translate('bankAccount.bankCode', {}, lang);
}
