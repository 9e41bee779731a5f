import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles.js';
import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { queryRows } from '../../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import type { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { roleRegionProblem } from './user-rules.js';
import { Transactions } from '../../database/transactions.js';

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

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  region_code: string;
  disabled: boolean;
  real_name: string | null;
  created_at: Date;
}

const COLUMNS = 'id, username, password_hash, role, region_code, disabled, real_name, created_at';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  async findById(id: string): Promise<UserRecord | undefined> {
    const rows: UserRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByUsername(
    username: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserRecord | undefined> {
    const rows: UserRow[] = await manager.query(`SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`, [
      username,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Users in username order after `after` (keyset), at most `limit`. */
  async list(after = '', limit = 500): Promise<UserDto[]> {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM users WHERE username > $1 ORDER BY username LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => toUserDto(toRecord(row)));
  }

  async create(input: CreateUserDto): Promise<UserDto> {
    const problem = roleRegionProblem(input.role, input.regionCode);
    if (problem) throw new ValidationFailedError([{ field: 'regionCode', message: problem }]);
    if (input.password.length < 8) {
      throw new ValidationFailedError([{ field: 'password', message: 'password must have 8 to 200 characters' }]);
    }
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    return this.transactions.run(async (manager) => {
      const region = await manager.query(`SELECT 1 FROM regions WHERE code = $1`, [input.regionCode]);
      if (region.length === 0) {
        throw new ValidationFailedError([
          { field: 'regionCode', message: `region ${input.regionCode} does not exist` },
        ]);
      }
      const rows: UserRow[] = await manager.query(
        `INSERT INTO users (username, password_hash, role, region_code, real_name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [input.username, passwordHash, input.role, input.regionCode, input.realName ?? null],
      );
      if (rows.length === 0) {
        throw new ConflictError('USERNAME_TAKEN', `Username ${input.username} is taken`);
      }
      const user = toUserDto(toRecord(rows[0]));
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
      throw new ValidationFailedError([
        { field: 'body', message: 'give at least one of ' + 'disabled, role, regionCode, realName, password' },
      ]);
    }
    if (fields.length === 1 && input.disabled !== undefined) return this.setDisabled(id, input.disabled);
    const passwordHash =
      input.password === undefined ? undefined : await argon2.hash(input.password, { type: argon2.argon2id });
    return this.transactions.run(async (manager) => {
      const before: UserRow[] = await manager.query(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (before.length === 0) throw new NotFoundError('User', id);
      const role = input.role ?? before[0].role;
      const regionCode = input.regionCode ?? before[0].region_code;
      const problem = roleRegionProblem(role, regionCode);
      if (problem) {
        throw new ValidationFailedError([
          { field: input.regionCode !== undefined ? 'regionCode' : 'role', message: problem },
        ]);
      }
      if (input.regionCode !== undefined) {
        const region = await manager.query(`SELECT 1 FROM regions WHERE code = $1`, [regionCode]);
        if (region.length === 0) {
          throw new ValidationFailedError([{ field: 'regionCode', message: `region ${regionCode} does not exist` }]);
        }
      }
      const rows = await queryRows<UserRow>(
        manager,
        `UPDATE users SET role = $2, region_code = $3, disabled = $4,
                real_name = CASE WHEN $5 THEN $6 ELSE real_name END,
                password_hash = COALESCE($7, password_hash), updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          role,
          regionCode,
          input.disabled ?? before[0].disabled,
          input.realName !== undefined,
          input.realName ?? null,
          passwordHash ?? null,
        ],
      );
      const user = toUserDto(toRecord(rows[0]));
      await this.audit.record(manager, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        regionCode: user.regionCode,
        before: toUserDto(toRecord(before[0])),
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
      const before: UserRow[] = await manager.query(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (before.length === 0) throw new NotFoundError('User', id);
      const rows = await queryRows<UserRow>(
        manager,
        `UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, disabled],
      );
      const user = toUserDto(toRecord(rows[0]));
      await this.audit.record(manager, {
        action: disabled ? 'user.disabled' : 'user.enabled',
        entityType: 'user',
        entityId: id,
        regionCode: user.regionCode,
        before: toUserDto(toRecord(before[0])),
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
      throw new ValidationFailedError([{ field: 'newPassword', message: 'password must have 8 to 200 characters' }]);
    }
    await this.transactions.run(async (manager) => {
      const rows: UserRow[] = await manager.query(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (rows.length === 0) throw new NotFoundError('User', id);
      const user = toRecord(rows[0]);
      if (!(await this.verifyPassword(user, currentPassword))) {
        throw new DomainError(HttpStatus.BAD_REQUEST, 'WRONG_PASSWORD', 'The current password is not right', {}, [
          { field: 'currentPassword', message: 'the current password is not right' },
        ]);
      }
      if (currentPassword === newPassword) {
        throw new ValidationFailedError([
          { field: 'newPassword', message: 'the new password must differ from the current one' },
        ]);
      }
      const passwordHash = await argon2.hash(newPassword, { type: argon2.argon2id });
      await manager.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [id, passwordHash]);
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
