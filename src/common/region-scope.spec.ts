import { ForbiddenError } from './errors.js';
import { regionCovers, regionPrefix, RegionScope } from './region-scope.js';

describe('region scope', () => {
  it('derives the prefix of each level', () => {
    expect(regionPrefix('410000')).toBe('41');
    expect(regionPrefix('410100')).toBe('4101');
    expect(regionPrefix('410122')).toBe('410122');
    expect(regionPrefix('410122101')).toBe('410122101');
    expect(regionPrefix('410122101201')).toBe('410122101201');
  });

  it('lets the city see its counties, a county its townships and villages, and no one a neighbour', () => {
    expect(regionCovers('410100', '410122101201')).toBe(true);
    expect(regionCovers('410122', '410122101201')).toBe(true);
    expect(regionCovers('410122101', '410122101201')).toBe(true);
    expect(regionCovers('410122101', '410122102001')).toBe(false);
    expect(regionCovers('410122', '410102001')).toBe(false);
    expect(regionCovers('410122101201', '410122101')).toBe(false);
  });

  it('refuses a record outside the scope with 403 and builds a parameterised condition', () => {
    const scope = new RegionScope('410122');
    expect(() => scope.assert('410102001001', 'household')).toThrow(ForbiddenError);
    const params: unknown[] = ['x'];
    expect(scope.where('h.region_code', params)).toBe('h.region_code LIKE $2');
    expect(params).toEqual(['x', '410122%']);
  });
});
