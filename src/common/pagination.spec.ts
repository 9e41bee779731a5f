import { cursorPart, decodeCursor, encodeCursor } from './pagination.js';
import { ValidationFailedError } from './errors.js';

const UUID = '0190b3c4-7e5f-7a00-8000-000000000001';

describe('decodeCursor', () => {
  it('gives back the key the server encoded, typed by its shape', () => {
    const key = decodeCursor(encodeCursor([2012, 'A', 'B', 3]), [
      cursorPart.int2,
      cursorPart.text,
      cursorPart.text,
      cursorPart.int4,
    ]);
    expect(key).toEqual([2012, 'A', 'B', 3]);
    expect(decodeCursor(encodeCursor(['H-1', UUID]), [cursorPart.text, cursorPart.uuid])).toEqual(['H-1', UUID]);
    expect(decodeCursor(undefined, [cursorPart.uuid])).toBeUndefined();
  });

  it.each([
    ['an object', encodeCursor({} as unknown as unknown[])],
    ['the wrong arity', encodeCursor(['a', 'b'])],
    ['a number for a uuid', encodeCursor([1])],
    ['text for a uuid', encodeCursor(['not-a-uuid'])],
    ['a NUL in text', encodeCursor(['\u0000'])],
    ['not JSON', Buffer.from('{[').toString('base64url')],
  ])('refuses %s as a uuid cursor', (_, cursor) => {
    expect(() => decodeCursor(cursor, [cursorPart.uuid])).toThrow(ValidationFailedError);
  });

  it.each([[-1], [1.5], [2 ** 31], [1e300], ['1'], [null]])('refuses %j as an int4 key', (value) => {
    expect(() => decodeCursor(encodeCursor([value]), [cursorPart.int4])).toThrow(ValidationFailedError);
  });

  it('bounds smallint and bigint keys to their columns', () => {
    expect(() => decodeCursor(encodeCursor([40_000]), [cursorPart.int2])).toThrow(ValidationFailedError);
    expect(() => decodeCursor(encodeCursor(['9'.repeat(19)]), [cursorPart.int8Text])).toThrow(ValidationFailedError);
    expect(decodeCursor(encodeCursor(['9'.repeat(18)]), [cursorPart.int8Text])).toEqual(['9'.repeat(18)]);
  });
});
