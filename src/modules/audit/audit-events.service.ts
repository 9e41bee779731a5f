import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { regionPrefix } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { AuditRepository, type AuditEventFilter, type AuditEventRow } from './audit.repository.js';

export interface AuditEventView {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  address: string | null;
}

const toView = (row: AuditEventRow): AuditEventView => ({
  id: row.id,
  occurredAt: row.occurred_at.toISOString(),
  actorId: row.actor_id,
  actorUsername: row.actor_username,
  actorRole: row.actor_role,
  action: row.action,
  entityType: row.entity_type,
  entityId: row.entity_id,
  regionCode: row.region_code,
  before: row.before,
  after: row.after,
  requestId: row.request_id,
  address: row.address,
});

/** A region code covering the whole city (or more): such a caller also sees events with no region. */
export const coversCity = (regionCode: string) => regionPrefix(regionCode).length <= 4;

@Injectable()
export class AuditEventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AuditRepository,
  ) {}

  /**
   * Events in the caller's region (region_code within it); events without a region (sign-ins,
   * users, policies) only for a caller whose region is the whole city.
   */
  async list(
    actor: Actor,
    filter: AuditEventFilter,
    page: { limit: number; cursor?: string; order: 'asc' | 'desc' },
  ): Promise<Page<AuditEventView>> {
    const [after] = decodeCursor(page.cursor, [cursorPart.int8Text]) ?? [];
    const rows = await this.repository.listEvents(
      this.dataSource.manager,
      filter,
      { prefix: regionPrefix(actor.regionCode), withoutRegion: coversCity(actor.regionCode) },
      after,
      page.order,
      page.limit,
    );
    return toPage(rows, page.limit, (row) => [row.id], toView);
  }
}
