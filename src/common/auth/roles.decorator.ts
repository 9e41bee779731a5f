import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from './roles.js';

export const ROLES_KEY = 'yikatong:roles';
export const PUBLIC_KEY = 'yikatong:public';

/**
 * Who may call a route. The one global guard reads it, and the OpenAPI document shows it, so the
 * docs and the enforcement can never disagree. `@Roles()` with no role means any signed-in user.
 */
export function Roles(...roles: Role[]) {
  const who = roles.length > 0 ? roles.join(', ') : 'any signed-in user';
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiOperation({ description: `Roles: ${who}.` }),
    ApiUnauthorizedResponse({ description: 'No valid token' }),
    ApiForbiddenResponse({ description: `Caller is not ${who}, or the record is out of the caller's region` }),
  );
}

/** A route that needs no token (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
