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
import { ID_NUMBER_VIEWED } from '../registry/id-number-view.controller.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { BatchTraceView, HouseholdTraceView } from './dto/trace.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.audit)
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
  @ApiSummary('审计日志（只增不改）')
  list(@Query() query: ListAuditEventsQuery, @CurrentActor() actor: Actor): Promise<Page<AuditEventView>> {
    const { limit, cursor, order, ...filter } = query;
    return this.events.list(actor, filter, { limit, cursor, order });
  }

  /** Who saw whose whole ID number, and why (GET /persons/:id/id-number). */
  @Get('id-number-views')
  @Roles('AUDITOR', 'ADMIN')
  @ApiOkResponse({ type: AuditEventPageDto, description: 'Audited full views of ID numbers: actor, person, reason' })
  @ApiSummary('完整身份证号查看记录（谁、查看了谁、理由）')
  idNumberViews(@Query() query: ListAuditEventsQuery, @CurrentActor() actor: Actor): Promise<Page<AuditEventView>> {
    const { limit, cursor, order, ...filter } = query;
    return this.events.list(actor, { ...filter, action: ID_NUMBER_VIEWED }, { limit, cursor, order });
  }

  @Get('verify')
  @Roles('AUDITOR')
  @ApiOkResponse({
    type: AuditVerifyResultDto,
    description: 'Seals what has committed, then recomputes every audit block; names the first bad block',
  })
  @ApiSummary('校验审计日志的哈希链')
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
  @ApiSummary('立即封存已提交的审计事件')
  seal(): Promise<SealResult> {
    return this.sealer.seal({ wait: true });
  }

  @Get('trace/households/:id')
  @Roles('AUDITOR')
  @ApiOkResponse({
    type: HouseholdTraceView,
    description:
      'Every payment line of the household (batch, policy, periods, amount, bank reference, status) with its ledger transfers and the stored decision, and its enrollments with their transitions and explanations',
  })
  @ApiSummary('追溯一户的全部发放（批次、记账、银行结果、申请流转）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  traceHousehold(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.trace.household(actor, id);
  }

  @Get('trace/batches/:id')
  @Roles('AUDITOR')
  @ApiOkResponse({
    type: BatchTraceView,
    description:
      'Budget lines -> approval -> ledger transfers -> each line’s bank result, with totals checked at each step (`consistent`, `differences`); `lines` is paged by `limit` and `cursor`',
  })
  @ApiSummary('追溯一个批次：预算指标→审批→记账→银行结果，逐级核对')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  traceBatch(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: TraceBatchQuery,
    @CurrentActor() actor: Actor,
  ) {
    return this.trace.batch(actor, id, { limit: query.limit, cursor: query.cursor });
  }
}
