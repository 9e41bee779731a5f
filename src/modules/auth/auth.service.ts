import { HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { EntityManager } from 'typeorm';
import type { TokenClaims } from '../../common/auth/auth.guard.js';
import { DomainError } from '../../common/errors.js';
import { requestContext } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { UsersService, type UserRecord } from '../users/users.service.js';
import type { LoginResponseDto } from './dto/login.dto.js';
import { Transactions } from '../../database/transactions.js';

/** Failed attempts allowed per (username, address) in the window before 429. */
export const MAX_FAILED_LOGINS = 10;
export const FAILED_LOGIN_WINDOW_SECONDS = 60;

export class TooManyLoginAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      'TOO_MANY_LOGIN_ATTEMPTS',
      `Too many failed sign-ins for this account from this address; try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}

/** The advisory-lock class of sign-in attempts (the second key is the username and address). */
const LOGIN_LOCK_CLASS = 0x6c6f67; // "log"

type LoginOutcome =
  { kind: 'limited'; retryAfterSeconds: number } | { kind: 'refused' } | { kind: 'signed-in'; user: UserRecord };

@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Failed sign-ins are audit events; the limit counts them, so it holds across any number of API
   * processes and survives restarts, and every refusal is on the record. Attempts for one username
   * and address take turns on a transaction-scoped advisory lock, and each is counted (its failure
   * recorded) before the lock is released: forty attempts in parallel are ten failures and thirty
   * refusals, never forty failures that each saw a count below the limit.
   */
  async login(username: string, password: string, expiresInSeconds: number): Promise<LoginResponseDto> {
    const address = requestContext.current()?.address ?? null;
    const key = username.toLowerCase();
    const outcome = await this.transactions.run(async (manager): Promise<LoginOutcome> => {
      await manager.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [
        LOGIN_LOCK_CLASS,
        `${key}\n${address ?? ''}`,
      ]);
      const [recent] = await manager.query(
        `SELECT count(*)::int AS failures,
                ceil(extract(epoch FROM min(occurred_at) + make_interval(secs => $3) - now()))::int AS retry
           FROM audit_events
          WHERE action = 'auth.login_failed' AND entity_id = $1 AND address IS NOT DISTINCT FROM $2
            AND occurred_at > now() - make_interval(secs => $3)`,
        [key, address, FAILED_LOGIN_WINDOW_SECONDS],
      );
      if (recent.failures >= MAX_FAILED_LOGINS) {
        await this.recordFailure(manager, key, 'rate_limited');
        return { kind: 'limited', retryAfterSeconds: Math.max(1, recent.retry ?? FAILED_LOGIN_WINDOW_SECONDS) };
      }
      const user = await this.users.findByUsername(username, manager);
      const valid = user !== undefined && !user.disabled && (await this.users.verifyPassword(user, password));
      if (!user || !valid) {
        await this.recordFailure(manager, key, user?.disabled ? 'disabled' : 'bad_credentials');
        return { kind: 'refused' };
      }
      await this.audit.record(manager, {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        regionCode: user.regionCode,
        actor: { id: user.id, username: user.username, role: user.role },
      });
      return { kind: 'signed-in', user };
    });
    // Thrown after the commit, so that the failure recorded above counts.
    if (outcome.kind === 'limited') throw new TooManyLoginAttemptsError(outcome.retryAfterSeconds);
    if (outcome.kind === 'refused') throw new UnauthorizedException('Unknown username or wrong password');

    const { user } = outcome;
    const claims: TokenClaims = { sub: user.id, role: user.role, region: user.regionCode };
    return {
      accessToken: await this.jwt.signAsync(claims),
      expiresIn: expiresInSeconds,
      user: { id: user.id, username: user.username, role: user.role, regionCode: user.regionCode },
    };
  }

  private recordFailure(manager: EntityManager, username: string, reason: string): Promise<void> {
    return this.audit.record(manager, {
      action: 'auth.login_failed',
      entityType: 'login',
      entityId: username,
      after: { reason },
      actor: null,
    });
  }
}
