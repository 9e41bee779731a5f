import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql.js';

export interface RegionRow {
  code: string;
  name: string;
  parent_code: string | null;
  level: string;
}

const COLUMNS = 'code, name, parent_code, level';

/** The `regions` table: the only SQL that reads or writes it. */
@Injectable()
export class RegionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Child regions in code order, after `after` (keyset), at most `limit`. */
  children(parentCode: string, after: string, limit: number): Promise<RegionRow[]> {
    return queryRows<RegionRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM regions WHERE parent_code = $1 AND code > $2 ORDER BY code LIMIT $3`,
      [parentCode, after, limit],
    );
  }

  async find(code: string, manager: EntityManager = this.dataSource.manager): Promise<RegionRow | undefined> {
    const [row] = await queryRows<RegionRow>(manager, `SELECT ${COLUMNS} FROM regions WHERE code = $1`, [code]);
    return row;
  }

  /** Whether `code` exists, holding it (FOR SHARE) until the transaction ends: a child is being added. */
  async lockForShare(manager: EntityManager, code: string): Promise<boolean> {
    const rows = await queryRows(manager, `SELECT code FROM regions WHERE code = $1 FOR SHARE`, [code]);
    return rows.length > 0;
  }

  /** Inserts the region; undefined when the code exists already (the primary key decides). */
  async insert(manager: EntityManager, region: RegionRow): Promise<RegionRow | undefined> {
    const [row] = await queryRows<RegionRow>(
      manager,
      `INSERT INTO regions (code, name, parent_code, level) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code) DO NOTHING
       RETURNING ${COLUMNS}`,
      [region.code, region.name, region.parent_code, region.level],
    );
    return row;
  }
}
