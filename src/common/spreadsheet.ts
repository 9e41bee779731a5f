/** What makes a spreadsheet read a cell as a formula (or, for tab and CR, shift it into one). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet must show it, never run it (CSV/formula injection, OWASP): text
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Applied to text
 * columns only: money and counts the server formats itself (`-5.00` is an amount, not a formula)
 * are written exact, so a spreadsheet still sums them and the bank still reads them.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
