import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiDescription, ApiProblems } from '../openapi/api-problems.decorator.js';
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
    ApiDescription(`Roles: ${who}.`),
    // No token, an expired one, or a disabled account: 401; a role the route does not name: 403.
    ApiProblems(
      roles.length > 0 ? { 401: ['UNAUTHENTICATED'], 403: ['ROLE_FORBIDDEN'] } : { 401: ['UNAUTHENTICATED'] },
    ),
  );
}

/** A route that needs no token (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
