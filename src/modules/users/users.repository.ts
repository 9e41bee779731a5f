import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles.js';
import { queryRows } from '../../database/sql.js';

export interface UserRow {
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

/** What an ADMIN's change writes (the row's own values where the change leaves them). */
export interface UserChange {
  role: Role;
  regionCode: string;
  disabled: boolean;
  /** undefined: keep; null or a name: set. */
  realName: string | null | undefined;
  /** undefined: keep. */
  passwordHash: string | undefined;
}

/** The `users` table: the only SQL that reads or writes it. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await queryRows<UserRow>(this.dataSource, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return row;
  }

  async findByUsername(
    username: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserRow | undefined> {
    const [row] = await queryRows<UserRow>(manager, `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`, [
      username,
    ]);
    return row;
  }

  /** Users in username order after `after` (keyset), at most `limit`. */
  list(after: string, limit: number): Promise<UserRow[]> {
    return queryRows<UserRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM users WHERE username > $1 ORDER BY username LIMIT $2`,
      [after, limit],
    );
  }

  /** The user, locked for the rest of the transaction. */
  async lock(manager: EntityManager, id: string): Promise<UserRow | undefined> {
    const [row] = await queryRows<UserRow>(manager, `SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /** Inserts the user; undefined when the username is taken (the unique index decides). */
  async insert(
    manager: EntityManager,
    user: { username: string; passwordHash: string; role: Role; regionCode: string; realName: string | null },
  ): Promise<UserRow | undefined> {
    const [row] = await queryRows<UserRow>(
      manager,
      `INSERT INTO users (username, password_hash, role, region_code, real_name) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [user.username, user.passwordHash, user.role, user.regionCode, user.realName],
    );
    return row;
  }

  async update(manager: EntityManager, id: string, change: UserChange): Promise<UserRow> {
    const [row] = await queryRows<UserRow>(
      manager,
      `UPDATE users SET role = $2, region_code = $3, disabled = $4,
              real_name = CASE WHEN $5 THEN $6 ELSE real_name END,
              password_hash = COALESCE($7, password_hash), updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        change.role,
        change.regionCode,
        change.disabled,
        change.realName !== undefined,
        change.realName ?? null,
        change.passwordHash ?? null,
      ],
    );
    return row;
  }

  async setDisabled(manager: EntityManager, id: string, disabled: boolean): Promise<UserRow> {
    const [row] = await queryRows<UserRow>(
      manager,
      `UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, disabled],
    );
    return row;
  }

  async setPasswordHash(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [id, passwordHash]);
  }
}
