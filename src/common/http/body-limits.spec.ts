import fc from 'fast-check';
import { jsonDepth } from './body-limits.js';

/** The nesting depth of a parsed value, the slow and obvious way. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

const bytes = (text: string) => Buffer.from(text);

describe('jsonDepth', () => {
  it('equals the depth of the parsed value for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(jsonDepth(bytes(text))).toBe(depthOf(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth(bytes(JSON.stringify({ a: '[[[{{{', b: 'say \\"[[[\\"' })))).toBe(1);
    expect(jsonDepth(bytes('["\\\\",[["]"]]]'))).toBe(3);
  });

  it('stops counting just past the limit, so a 100,000-level body costs no more than the limit', () => {
    const deep = bytes(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonDepth(deep, 64)).toBe(65);
    expect(jsonDepth(deep)).toBe(100_000);
  });
});
