import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { queryPrepared } from '../../database/sql.js';
import { ForbiddenError } from '../errors.js';
import type { Actor } from '../request-context.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';
import type { Role } from './roles.js';
import { isUuid } from '../uuid.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  region: string;
}

type VerifiedClaims = TokenClaims & { exp?: number; nbf?: number };

/** Verified tokens remembered at most (all forgotten at once when full). */
const VERIFIED_TOKENS_KEPT = 10_000;

interface SignedInUserRow {
  id: string;
  username: string;
  role: Role;
  region_code: string;
  disabled: boolean;
}

/**
 * What the guard needs of the user, by primary key: one indexed row, no password hash, a statement
 * prepared once per connection (see `queryPrepared`) and no entity-manager round.
 */
const SIGNED_IN_USER = 'SELECT id, username, role, region_code, disabled FROM users WHERE id = $1';

/**
 * The one global guard. A route is either @Public() or needs a valid token of a user who still
 * exists and is not disabled (checked on every request, so disabling takes effect at once), with
 * one of the roles @Roles() names. A route with neither decorator is refused: forgetting to
 * declare who may call it cannot open it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('A bearer token is required');
    const claims = await this.claimsOf(token);
    const [user] = await queryPrepared<SignedInUserRow>(this.dataSource, SIGNED_IN_USER, [claims.sub]);
    if (!user || user.disabled) throw new UnauthorizedException('The account is disabled or no longer exists');

    const actor: Actor = { id: user.id, username: user.username, role: user.role, regionCode: user.region_code };
    request.actor = actor;

    if (roles === undefined) {
      throw new ForbiddenError('ROUTE_NOT_DECLARED', 'This route declares no roles and is closed');
    }
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw new ForbiddenError('ROLE_FORBIDDEN', `This action needs one of the roles ${roles.join(', ')}`, {
        requiredRoles: roles,
      });
    }
    return true;
  }

  /**
   * The token's claims once its signature and expiry check out. A signature, once verified, is
   * remembered with the token's expiry (a client sends the same token on every request until it
   * expires), so the HMAC runs once per token; the expiry is checked on every request as
   * jsonwebtoken checks it. Only the token's own validity is remembered: the user is read each time.
   */
  private async claimsOf(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp === undefined || Math.floor(Date.now() / 1000) < known.exp) return known;
      this.verified.delete(token);
    }
    let claims: VerifiedClaims;
    try {
      claims = await this.jwt.verifyAsync<VerifiedClaims>(token);
    } catch {
      throw new UnauthorizedException('The token is invalid or has expired');
    }
    // Signed by us but not naming a user as we do (a leaked secret, an old format): not a sign-in.
    if (!isUuid(claims.sub)) {
      throw new UnauthorizedException('The token does not name a user');
    }
    if (claims.nbf === undefined) {
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.clear();
      this.verified.set(token, claims);
    }
    return claims;
  }
}
