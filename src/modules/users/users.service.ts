import { HttpStatus, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import type { EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles.js';
import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { RegionsService } from '../regions/regions.service.js';
import type { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { roleRegionProblem } from './user-rules.js';
import { callerText } from '../../common/request-context.js';
import { UsersRepository, type UserRow } from './users.repository.js';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  regionCode: string;
  disabled: boolean;
  realName: string | null;
  createdAt: Date;
}

const toRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  role: row.role,
  regionCode: row.region_code,
  disabled: row.disabled,
  realName: row.real_name,
  createdAt: row.created_at,
});

export const toUserDto = (user: UserRecord): UserDto => ({
  id: user.id,
  username: user.username,
  role: user.role,
  regionCode: user.regionCode,
  realName: user.realName,
  disabled: user.disabled,
  createdAt: user.createdAt.toISOString(),
});

@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly regions: RegionsService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.repository.findById(id);
    return row && toRecord(row);
  }

  async findByUsername(username: string, manager?: EntityManager): Promise<UserRecord | undefined> {
    const row = await this.repository.findByUsername(username, manager);
    return row && toRecord(row);
  }

  /** Users in username order after `after` (keyset), at most `limit`. */
  async list(after = '', limit = 500): Promise<UserDto[]> {
    return (await this.repository.list(after, limit)).map((row) => toUserDto(toRecord(row)));
  }

  async create(input: CreateUserDto): Promise<UserDto> {
    const problem = roleRegionProblem(input.role, input.regionCode);
    if (problem) throw new ValidationFailedError([{ field: 'regionCode', message: problem }]);
    if (input.password.length < 8) {
      throw new ValidationFailedError([{ field: 'password', message: callerText('messages.password') }]);
    }
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    return this.transactions.run(async (manager) => {
      if (!(await this.regions.exists(input.regionCode, manager))) {
        throw new ValidationFailedError([
          { field: 'regionCode', message: callerText('messages.noSuchRegion', { regionCode: input.regionCode }) },
        ]);
      }
      const row = await this.repository.insert(manager, {
        username: input.username,
        passwordHash,
        role: input.role,
        regionCode: input.regionCode,
        realName: input.realName ?? null,
      });
      if (!row) throw new ConflictError('USERNAME_TAKEN', `Username ${input.username} is taken`);
      const user = toUserDto(toRecord(row));
      await this.audit.record(manager, {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        regionCode: user.regionCode,
        after: user,
      });
      return user;
    });
  }

  /**
   * An ADMIN's change to a user: enable or disable, role, region, real name, or a new password (a
   * reset). Role and region are checked together (a CLERK works in a township, ...). Audited as
   * `user.updated` with before and after; a reset as `user.password-reset` (never the password).
   */
  async update(id: string, input: UpdateUserDto): Promise<UserDto> {
    const fields = (['disabled', 'role', 'regionCode', 'realName', 'password'] as const).filter(
      (field) => input[field] !== undefined,
    );
    if (fields.length === 0) {
      throw new ValidationFailedError([{ field: 'body', message: callerText('messages.userChange') }]);
    }
    if (fields.length === 1 && input.disabled !== undefined) return this.setDisabled(id, input.disabled);
    const passwordHash =
      input.password === undefined ? undefined : await argon2.hash(input.password, { type: argon2.argon2id });
    return this.transactions.run(async (manager) => {
      const before = await this.repository.lock(manager, id);
      if (!before) throw new NotFoundError('User', id);
      const role = input.role ?? before.role;
      const regionCode = input.regionCode ?? before.region_code;
      const problem = roleRegionProblem(role, regionCode);
      if (problem) {
        throw new ValidationFailedError([
          { field: input.regionCode !== undefined ? 'regionCode' : 'role', message: problem },
        ]);
      }
      if (input.regionCode !== undefined && !(await this.regions.exists(regionCode, manager))) {
        throw new ValidationFailedError([
          { field: 'regionCode', message: callerText('messages.noSuchRegion', { regionCode }) },
        ]);
      }
      const row = await this.repository.update(manager, id, {
        role,
        regionCode,
        disabled: input.disabled ?? before.disabled,
        realName: input.realName,
        passwordHash,
      });
      const user = toUserDto(toRecord(row));
      await this.audit.record(manager, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        regionCode: user.regionCode,
        before: toUserDto(toRecord(before)),
        after: user,
      });
      if (passwordHash !== undefined) {
        await this.audit.record(manager, {
          action: 'user.password-reset',
          entityType: 'user',
          entityId: id,
          regionCode: user.regionCode,
        });
      }
      return user;
    });
  }

  async setDisabled(id: string, disabled: boolean): Promise<UserDto> {
    return this.transactions.run(async (manager) => {
      const before = await this.repository.lock(manager, id);
      if (!before) throw new NotFoundError('User', id);
      const user = toUserDto(toRecord(await this.repository.setDisabled(manager, id, disabled)));
      await this.audit.record(manager, {
        action: disabled ? 'user.disabled' : 'user.enabled',
        entityType: 'user',
        entityId: id,
        regionCode: user.regionCode,
        before: toUserDto(toRecord(before)),
        after: user,
      });
      return user;
    });
  }

  /**
   * A user changes their own password. The row is locked while the current password is checked,
   * so two changes at once cannot both succeed with the same old password. Audited without hashes.
   */
  async changePassword(id: string, currentPassword: string, newPassword: string): Promise<void> {
    if (newPassword.length < 8) {
      throw new ValidationFailedError([{ field: 'newPassword', message: callerText('messages.password') }]);
    }
    await this.transactions.run(async (manager) => {
      const row = await this.repository.lock(manager, id);
      if (!row) throw new NotFoundError('User', id);
      const user = toRecord(row);
      if (!(await this.verifyPassword(user, currentPassword))) {
        throw new DomainError(HttpStatus.BAD_REQUEST, 'WRONG_PASSWORD', 'The current password is not right', {}, [
          { field: 'currentPassword', message: callerText('messages.currentPassword') },
        ]);
      }
      if (currentPassword === newPassword) {
        throw new ValidationFailedError([{ field: 'newPassword', message: callerText('messages.samePassword') }]);
      }
      const passwordHash = await argon2.hash(newPassword, { type: argon2.argon2id });
      await this.repository.setPasswordHash(manager, id, passwordHash);
      await this.audit.record(manager, {
        action: 'user.password_changed',
        entityType: 'user',
        entityId: id,
        regionCode: user.regionCode,
      });
    });
  }

  verifyPassword(user: UserRecord, password: string): Promise<boolean> {
    return argon2.verify(user.passwordHash, password);
  }
}
