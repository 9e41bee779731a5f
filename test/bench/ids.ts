/**
 * Identifiers the registry validates, built to pass: GB 11643 resident ID numbers (ISO 7064
 * MOD 11-2 check character) and one-card account numbers (Luhn check digit). Kept here rather than
 * imported so that the generator does not depend on the code it measures.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export function idNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return first17 + CHECK_CHARACTERS[sum % 11];
}

/** Appends the Luhn check digit to `body` (digits only). */
export function withLuhn(body: string): string {
  let sum = 0;
  // The check digit will sit at position 0 from the right, so body's last digit is doubled.
  for (let i = 0; i < body.length; i++) {
    let digit = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}
