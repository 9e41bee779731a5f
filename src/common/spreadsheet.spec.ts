import { neutraliseFormula } from './spreadsheet.js';

describe('neutraliseFormula', () => {
  it.each(['=1+1', '+86 371', '-cmd', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")'])(
    'prefixes %j with a quote',
    (text) => {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    },
  );

  it.each(['张三', '', 'a=b', ' =x', "'=already"])('keeps %j as it is', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });
});
