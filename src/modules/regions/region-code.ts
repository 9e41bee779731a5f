export type RegionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

export interface ParsedRegionCode {
  code: string;
  level: RegionLevel;
  parentCode: string;
}

/**
 * The shape of a GB/T 2260 code below the city: 6 digits for a county-level unit, 9 for a township,
 * 12 for a village or community; the parent is the code with its last level cut off. Returns a
 * reason string when the code is malformed.
 */
export function parseRegionCode(code: string): ParsedRegionCode | string {
  if (!/^\d+$/.test(code)) return 'a region code holds digits only';
  switch (code.length) {
    case 6:
      if (code.endsWith('00')) return 'a 6-digit code ending in 00 names a city or province, which are fixed';
      return { code, level: 'COUNTY', parentCode: `${code.slice(0, 4)}00` };
    case 9:
      if (code.endsWith('000')) return 'the township part (digits 7-9) cannot be 000';
      return { code, level: 'TOWNSHIP', parentCode: code.slice(0, 6) };
    case 12:
      if (code.endsWith('000')) return 'the village part (digits 10-12) cannot be 000';
      return { code, level: 'VILLAGE', parentCode: code.slice(0, 9) };
    default:
      return 'a region code has 6 (county), 9 (township) or 12 (village) digits';
  }
}
