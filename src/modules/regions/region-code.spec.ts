import { parseRegionCode } from './region-code.js';

describe('parseRegionCode', () => {
  it('derives level and parent', () => {
    expect(parseRegionCode('410122')).toEqual({ code: '410122', level: 'COUNTY', parentCode: '410100' });
    expect(parseRegionCode('410122101')).toEqual({ code: '410122101', level: 'TOWNSHIP', parentCode: '410122' });
    expect(parseRegionCode('410122101201')).toEqual({
      code: '410122101201',
      level: 'VILLAGE',
      parentCode: '410122101',
    });
  });

  it('explains malformed codes', () => {
    expect(parseRegionCode('4101221')).toMatch(/6 \(county\), 9 \(township\) or 12/);
    expect(parseRegionCode('410100')).toMatch(/city or province/);
    expect(parseRegionCode('410122000')).toMatch(/cannot be 000/);
    expect(parseRegionCode('41012210a')).toMatch(/digits only/);
  });
});
