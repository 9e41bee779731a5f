import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, ValidationFailedError } from '../../common/errors.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import type { RegionDto } from './dto/region.dto.js';
import { parseRegionCode } from './region-code.js';
import { callerText } from '../../common/request-context.js';
import { RegionsRepository, type RegionRow } from './regions.repository.js';

const toDto = (row: RegionRow): RegionDto => ({
  code: row.code,
  name: row.name,
  parentCode: row.parent_code,
  level: row.level,
});

/** The region tree: the read API other modules use (they never query `regions` themselves). */
@Injectable()
export class RegionsService {
  constructor(
    private readonly repository: RegionsRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /** Child regions in code order, after `after` (keyset), at most `limit`. */
  async children(parentCode: string, after = '', limit = 1000): Promise<RegionDto[]> {
    return (await this.repository.children(parentCode, after, limit)).map(toDto);
  }

  /** The region, read through `manager` when given (inside the caller's transaction). */
  async find(code: string, manager?: EntityManager): Promise<RegionDto | undefined> {
    const row = await this.repository.find(code, manager);
    return row && toDto(row);
  }

  async exists(code: string, manager?: EntityManager): Promise<boolean> {
    return (await this.find(code, manager)) !== undefined;
  }

  async create(code: string, name: string): Promise<RegionDto> {
    const parsed = parseRegionCode(code);
    if (typeof parsed === 'string') throw new ValidationFailedError([{ field: 'code', message: parsed }]);
    return this.transactions.run(async (manager) => {
      if (!(await this.repository.lockForShare(manager, parsed.parentCode))) {
        throw new ValidationFailedError([
          { field: 'code', message: callerText('messages.noSuchParentRegion', { parentCode: parsed.parentCode }) },
        ]);
      }
      const inserted = await this.repository.insert(manager, {
        code: parsed.code,
        name,
        parent_code: parsed.parentCode,
        level: parsed.level,
      });
      if (!inserted) {
        throw new ConflictError('REGION_EXISTS', `Region ${code} already exists`, { regionCode: code });
      }
      const region = toDto(inserted);
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
