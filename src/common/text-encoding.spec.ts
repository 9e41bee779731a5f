import iconv from 'iconv-lite';
import { decodeBuffer, detectEncoding } from './text-encoding.js';

describe('text encoding detection', () => {
  const text = 'household_no,name,address\nH-1,张三丰,河南省郑州市中牟县韩寺镇\nH-2,李四,北街\n';

  it('reads UTF-8 with and without a BOM', async () => {
    expect(await detectEncoding(Buffer.from(text))).toEqual({ encoding: 'utf-8' });
    expect(await detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({
      encoding: 'utf-8',
    });
  });

  it('reads GBK (as GB18030) exactly, also across chunk boundaries', async () => {
    const gbk = iconv.encode(text, 'gbk');
    expect(await detectEncoding(gbk)).toEqual({ encoding: 'gb18030' });
    async function* oneByteAtATime() {
      for (const byte of gbk) yield Buffer.from([byte]);
    }
    expect(await detectEncoding(oneByteAtATime())).toEqual({ encoding: 'gb18030' });
    expect(decodeBuffer(gbk, 'gb18030')).toBe(text);
  });

  it('names the first line valid in neither encoding', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\nc,d\n'), Buffer.from([0x41, 0xff, 0xff, 0x0a]), Buffer.from('e\n')]);
    expect(await detectEncoding(bad)).toEqual({ unreadableLine: 3 });
  });

  it('refuses a UTF-8 line after GBK lines, naming it', async () => {
    const mixed = Buffer.concat([iconv.encode('甲,乙\n', 'gbk'), Buffer.from('丙,丁\n', 'utf8')]);
    // The first line is GBK (not UTF-8); the second, UTF-8 bytes, is not valid GB18030 throughout.
    const verdict = await detectEncoding(mixed);
    expect(verdict).toEqual({ unreadableLine: 2 });
  });

  it('never lets a replacement character through', async () => {
    expect(await detectEncoding(Buffer.from('a,\uFFFD\n'))).toEqual({ unreadableLine: 1 });
  });
});
