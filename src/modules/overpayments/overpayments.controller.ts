import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { JobAcceptedView } from '../jobs/dto/job.view.js';
import type { Actor } from '../../common/request-context.js';
import {
  ClaimDetailDto,
  ClaimPageDto,
  ListClaimsQuery,
  RecheckOverpaymentsDto,
  RefundDto,
  RejectWriteOffDto,
  WriteOffDto,
} from './dto/overpayments.dto.js';
import { OverpaymentsService, type ClaimView } from './overpayments.service.js';
import { OverpaymentRecheckService } from './recheck.js';

@ApiTags(TAGS.overpayments)
@Controller('overpayments')
export class OverpaymentsController {
  constructor(
    private readonly overpayments: OverpaymentsService,
    private readonly recheck: OverpaymentRecheckService,
  ) {}

  @Get()
  @Roles('FINANCE', 'AUDITOR', 'OFFICER')
  @ApiOkResponse({ type: ClaimPageDto })
  @ApiSummary('多付追回单列表（按状态、区域）')
  list(@Query() query: ListClaimsQuery, @CurrentActor() actor: Actor): Promise<Page<ClaimView>> {
    const { limit, cursor, ...filter } = query;
    return this.overpayments.list(actor, filter, { limit, cursor });
  }

  @Post('recheck')
  @HttpCode(202)
  @Roles('FINANCE', 'OFFICER')
  @ApiAcceptedResponse({
    type: JobAcceptedView,
    description: '{jobId}: every paid period in the region decided again (after bulk corrections)',
  })
  @ApiSummary('全区多付复核（批量更正之后重新判定已发放的期间）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  startRecheck(@Body() body: RecheckOverpaymentsDto, @CurrentActor() actor: Actor): Promise<{ jobId: string }> {
    return this.recheck.start(actor, body.regionCode ?? actor.regionCode);
  }

  @Get(':id')
  @Roles('FINANCE', 'AUDITOR', 'OFFICER')
  @ApiOkResponse({ type: ClaimDetailDto })
  @ApiSummary('多付追回单详情：多付期间、起因事件与追回记录')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<ClaimView> {
    return this.overpayments.get(actor, id);
  }

  @Post(':id/refunds')
  @HttpCode(201)
  @Roles('FINANCE')
  @ApiCreatedResponse({ type: ClaimDetailDto, description: 'The claim after the refund' })
  @ApiSummary('登记退款（金额、收据号、日期）')
  @ApiProblems({
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION', 'DUPLICATE_RECEIPT', 'REFUND_EXCEEDS_OUTSTANDING'],
  })
  refund(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RefundDto,
    @CurrentActor() actor: Actor,
  ): Promise<ClaimView> {
    return this.overpayments.refund(actor, id, body);
  }

  @Post(':id/write-off')
  @HttpCode(200)
  @Roles('FINANCE', 'OFFICER')
  @ApiOkResponse({ type: ClaimDetailDto, description: 'WRITE_OFF_PROPOSED' })
  @ApiSummary('提议核销（财务或县级审核员）')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION', 'OFFSETS_PENDING'] })
  proposeWriteOff(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: WriteOffDto,
    @CurrentActor() actor: Actor,
  ): Promise<ClaimView> {
    return this.overpayments.proposeWriteOff(actor, id, body.reason);
  }

  @Post(':id/write-off/approve')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiOkResponse({ type: ClaimDetailDto, description: 'WRITTEN_OFF; 403 SELF_APPROVAL_FORBIDDEN for the proposer' })
  @ApiSummary('批准核销（须由提议人以外的财务人员）')
  @ApiProblems({ 403: ['SELF_APPROVAL_FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  approveWriteOff(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<ClaimView> {
    return this.overpayments.approveWriteOff(actor, id);
  }

  @Post(':id/write-off/reject')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiOkResponse({
    type: ClaimDetailDto,
    description: 'Back to OPEN or RECOVERING; 403 SELF_APPROVAL_FORBIDDEN for the proposer (the checker rejects)',
  })
  @ApiSummary('退回核销提议（须由提议人以外的财务人员，填写理由）')
  @ApiProblems({ 403: ['SELF_APPROVAL_FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  rejectWriteOff(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RejectWriteOffDto,
    @CurrentActor() actor: Actor,
  ): Promise<ClaimView> {
    return this.overpayments.rejectWriteOff(actor, id, body.reason);
  }
}
