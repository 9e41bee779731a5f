import { Controller, Get, Injectable, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { NotFoundError } from '../../common/errors.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { openColumns } from '../../common/pii/keyring.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { queryOne } from '../../database/sql.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';

/** The audit action of a full view of an ID number (listed by GET /audit/id-number-views). */
export const ID_NUMBER_VIEWED = 'person.id_number_viewed';

export class IdNumberViewQuery {
  @ApiProperty({ description: 'Why the full number is needed (recorded in the audit trail)', example: '核对银行退回' })
  @IsString()
  @Length(2, 200)
  reason!: string;
}

export class FullIdNumberDto {
  @ApiProperty() personId!: string;
  @ApiProperty({ example: '410102198001010018' }) idNumber!: string;
}

/**
 * The one way to read a person's whole resident ID through the API (every other answer masks it):
 * the caller gives a reason, and the view is audited (who saw whose number, why) in the same
 * transaction, so no number is shown that the audit trail does not account for.
 */
@Injectable()
export class IdNumberViews {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  view(actor: Actor, personId: string, reason: string): Promise<FullIdNumberDto> {
    return this.transactions.run(async (manager: EntityManager) => {
      const params: unknown[] = [personId];
      const row = await queryOne<{ id_number: string; region_code: string }>(
        manager,
        `SELECT p.id_number_enc AS id_number, h.region_code
           FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
          WHERE p.id = $1 AND ${new RegionScope(actor.regionCode).where('h.region_code', params)}
          ORDER BY m.left_on IS NULL DESC LIMIT 1`,
        params,
      );
      if (!row) throw new NotFoundError('Person', personId);
      const [{ id_number: idNumber }] = openColumns([row], 'id_number');
      await this.audit.record(manager, {
        action: ID_NUMBER_VIEWED,
        entityType: 'person',
        entityId: personId,
        regionCode: row.region_code,
        after: { reason: reason.trim() },
      });
      return { personId, idNumber };
    });
  }
}

@ApiTags(TAGS.registry)
@Controller('persons')
export class IdNumberViewController {
  constructor(private readonly views: IdNumberViews) {}

  @Get(':id/id-number')
  @Roles('CLERK', 'OFFICER', 'FINANCE', 'AUDITOR', 'ADMIN')
  @ApiOkResponse({ type: FullIdNumberDto, description: 'The whole ID number; the view is audited with its reason' })
  @ApiSummary('查看完整身份证号（须说明理由，记入审计）')
  @ApiProblems({ 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] })
  idNumber(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: IdNumberViewQuery,
    @CurrentActor() actor: Actor,
  ): Promise<FullIdNumberDto> {
    return this.views.view(actor, id, query.reason);
  }
}
