import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import { AuditEventsService, type AuditEventView } from './audit-events.service.js';
import { AuditSealer, type SealResult } from './audit-sealer.js';
import { AuditVerifier, type AuditVerifyResult } from './audit-verifier.js';
import {
  AuditEventPageDto,
  AuditVerifyResultDto,
  ListAuditEventsQuery,
  SealResultDto,
  TraceBatchQuery,
} from './dto/audit.dto.js';
import { TraceService } from './trace.service.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly events: AuditEventsService,
    private readonly verifier: AuditVerifier,
    private readonly sealer: AuditSealer,
    private readonly trace: TraceService,
  ) {}

  @Get('events')
  @Roles('AUDITOR')
  @ApiOkResponse({ type: AuditEventPageDto, description: 'The append-only audit trail in your region, by id' })
  list(@Query() query: ListAuditEventsQuery, @CurrentActor() actor: Actor): Promise<Page<AuditEventView>> {
    const { limit, cursor, order, ...filter } = query;
    return this.events.list(actor, filter, { limit, cursor, order });
  }

  @Get('verify')
  @Roles('AUDITOR')
  @ApiOkResponse({
    type: AuditVerifyResultDto,
    description: 'Seals what has committed, then recomputes every audit block; names the first bad block',
  })
  verify(): Promise<AuditVerifyResult> {
    return this.verifier.verify();
  }

  /**
   * Seals committed events now (the periodic job and GET /audit/verify do it anyway). ADMIN only:
   * an AUDITOR's token is refused by every mutating route, without exception.
   */
  @Post('seal')
  @HttpCode(200)
  @Roles('ADMIN')
  @ApiOkResponse({ type: SealResultDto, description: 'What was sealed, and the chain head' })
  seal(): Promise<SealResult> {
    return this.sealer.seal({ wait: true });
  }

  @Get('trace/households/:id')
  @Roles('AUDITOR')
  @ApiOkResponse({
    description:
      'Every payment line of the household (batch, policy, periods, amount, bank reference, status) with its ledger transfers and the stored decision, and its enrollments with their transitions and explanations',
  })
  traceHousehold(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.trace.household(actor, id);
  }

  @Get('trace/batches/:id')
  @Roles('AUDITOR')
  @ApiOkResponse({
    description:
      'Budget lines -> approval -> ledger transfers -> each line’s bank result, with totals checked at each step (`consistent`, `differences`); `lines` is paged by `limit` and `cursor`',
  })
  traceBatch(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: TraceBatchQuery,
    @CurrentActor() actor: Actor,
  ) {
    return this.trace.batch(actor, id, { limit: query.limit, cursor: query.cursor });
  }
}
