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

/** A reason the account number is refused, or undefined when it is acceptable. */
export function accountNoProblem(accountNo: unknown): string | undefined {
  if (typeof accountNo !== 'string' || !/^\d{16,19}$/.test(accountNo)) {
    return 'an account number has 16 to 19 digits';
  }
  if (!luhnValid(accountNo)) return 'the account number fails the Luhn check';
  return undefined;
}

/** Bank codes: the CNAPS bank-type code or the bank's short name (`102`, `ICBC`). */
export function bankCodeProblem(bankCode: unknown): string | undefined {
  return typeof bankCode === 'string' && /^[0-9A-Z]{2,12}$/.test(bankCode)
    ? undefined
    : 'a bank code has 2 to 12 digits or capital letters';
}
