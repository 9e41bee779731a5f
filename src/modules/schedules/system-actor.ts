import type { Actor } from '../../common/request-context.js';
import { CITY_CODE } from '../../common/region-scope.js';

/**
 * Who the schedules act as: the `yikatong-system` user of migration 1765820000001 (disabled, no
 * usable password), so that what a schedule creates names a creator and the audit trail names it.
 */
export const SYSTEM_ACTOR: Actor = {
  id: '00000000-0000-4000-8000-000000000001',
  username: 'yikatong-system',
  role: 'ADMIN',
  regionCode: CITY_CODE,
};
