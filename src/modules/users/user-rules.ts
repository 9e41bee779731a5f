import type { Role } from '../../common/auth/roles.js';
import { CITY_CODE } from '../../common/region-scope.js';

/** The region level each role works at (SPEC.md, "Users and what they do"). */
export function roleRegionProblem(role: Role, regionCode: string): string | undefined {
  const county = /^\d{6}$/.test(regionCode);
  const city = regionCode === CITY_CODE;
  switch (role) {
    case 'CLERK':
      return /^\d{9}$/.test(regionCode) ? undefined : 'a CLERK works in a township (9-digit region code)';
    case 'OFFICER':
      return county && !city ? undefined : 'an OFFICER works in a county (6-digit region code)';
    case 'FINANCE':
      return county ? undefined : 'FINANCE works in a county or the city (6-digit region code)';
    case 'AUDITOR':
      return undefined;
    case 'ADMIN':
      return city ? undefined : `an ADMIN works for the city (${CITY_CODE})`;
  }
}
