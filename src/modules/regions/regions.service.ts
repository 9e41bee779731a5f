import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, ValidationFailedError } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { RegionDto } from './dto/region.dto.js';
import { parseRegionCode } from './region-code.js';
import { Transactions } from '../../database/transactions.js';

interface RegionRow {
  code: string;
  name: string;
  parent_code: string | null;
  level: string;
}

const toDto = (row: RegionRow): RegionDto => ({
  code: row.code,
  name: row.name,
  parentCode: row.parent_code,
  level: row.level,
});

@Injectable()
export class RegionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /** Child regions in code order, after `after` (keyset), at most `limit`. */
  async children(parentCode: string, after = '', limit = 1000): Promise<RegionDto[]> {
    const rows: RegionRow[] = await this.dataSource.query(
      `SELECT code, name, parent_code, level FROM regions WHERE parent_code = $1 AND code > $2 ORDER BY code LIMIT $3`,
      [parentCode, after, limit],
    );
    return rows.map(toDto);
  }

  async find(code: string): Promise<RegionDto | undefined> {
    const rows: RegionRow[] = await this.dataSource.query(
      `SELECT code, name, parent_code, level FROM regions WHERE code = $1`,
      [code],
    );
    return rows[0] && toDto(rows[0]);
  }

  async exists(code: string): Promise<boolean> {
    return (await this.find(code)) !== undefined;
  }

  async create(code: string, name: string): Promise<RegionDto> {
    const parsed = parseRegionCode(code);
    if (typeof parsed === 'string') throw new ValidationFailedError([{ field: 'code', message: parsed }]);
    return this.transactions.run(async (manager) => {
      const parent: RegionRow[] = await manager.query(`SELECT code FROM regions WHERE code = $1 FOR SHARE`, [
        parsed.parentCode,
      ]);
      if (parent.length === 0) {
        throw new ValidationFailedError([
          { field: 'code', message: `parent region ${parsed.parentCode} does not exist` },
        ]);
      }
      const inserted: RegionRow[] = await manager.query(
        `INSERT INTO regions (code, name, parent_code, level) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO NOTHING
         RETURNING code, name, parent_code, level`,
        [parsed.code, name, parsed.parentCode, parsed.level],
      );
      if (inserted.length === 0) {
        throw new ConflictError('REGION_EXISTS', `Region ${code} already exists`, { regionCode: code });
      }
      const region = toDto(inserted[0]);
      await this.audit.record(manager, {
        action: 'region.created',
        entityType: 'region',
        entityId: code,
        regionCode: code,
        after: region,
      });
      return region;
    });
  }
}
