import { ValidationFailedError } from '../errors.js';
import { HostileInputPipe, hostileInputProblems } from './hostile-input.pipe.js';

describe('hostileInputProblems', () => {
  it('names every NUL string and prototype key with its path, at any depth', () => {
    const body = JSON.parse(
      '{"a":"x\\u0000","b":[{"c":"ok"},{"__proto__":{"z":1}}],"constructor":1,"d":{"prototype":{}},"e\\u0000":2}',
    ) as unknown;
    expect(hostileInputProblems(body)).toEqual(
      expect.arrayContaining([
        { field: 'a', message: '含有空字符（NUL）' },
        { field: 'b.1.__proto__', message: '不允许的字段 __proto__' },
        { field: 'constructor', message: '不允许的字段 constructor' },
        { field: 'd.prototype', message: '不允许的字段 prototype' },
        { field: 'e\\u0000', message: '字段名含有空字符（NUL）' },
      ]),
    );
    expect(hostileInputProblems(body)).toHaveLength(5);
  });

  it('accepts ordinary bodies, odd unicode included, and does not walk buffers', () => {
    expect(hostileInputProblems({ name: '张三\u200d😀', tags: ['a', { b: null }], n: 1 })).toEqual([]);
    expect(hostileInputProblems({ file: Buffer.from([0, 0, 0]) })).toEqual([]);
  });

  it('reports at most 20 problems', () => {
    expect(hostileInputProblems(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('HostileInputPipe', () => {
  const pipe = new HostileInputPipe();

  it('refuses a body, a query or a parameter with a problem, naming a parameter by its name', () => {
    expect(() => pipe.transform({ q: 'a\u0000' }, { type: 'query' })).toThrow(ValidationFailedError);
    try {
      pipe.transform('x\u0000', { type: 'param', data: 'id' });
    } catch (error) {
      expect((error as ValidationFailedError).errors).toEqual([{ field: 'id', message: '含有空字符（NUL）' }]);
    }
    expect.assertions(2);
  });

  it('leaves custom parameters (the signed-in actor, an upload) alone', () => {
    const value = { username: 'a\u0000' };
    expect(pipe.transform(value, { type: 'custom' })).toBe(value);
  });
});
