import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import {
  ClaimDto,
  ClaimPageDto,
  ListClaimsQuery,
  RecheckOverpaymentsDto,
  RefundDto,
  WriteOffDto,
} from './dto/overpayments.dto.js';
import { OverpaymentsService, type ClaimView } from './overpayments.service.js';
import { OverpaymentRecheckService } from './recheck.js';

@ApiTags('overpayments')
@Controller('overpayments')
export class OverpaymentsController {
  constructor(
    private readonly overpayments: OverpaymentsService,
    private readonly recheck: OverpaymentRecheckService,
  ) {}

  @Get()
  @Roles('FINANCE', 'AUDITOR', 'OFFICER')
  @ApiOkResponse({ type: ClaimPageDto })
  list(@Query() query: ListClaimsQuery, @CurrentActor() actor: Actor): Promise<Page<ClaimView>> {
    const { limit, cursor, ...filter } = query;
    return this.overpayments.list(actor, filter, { limit, cursor });
  }

  @Post('recheck')
  @HttpCode(202)
  @Roles('FINANCE', 'OFFICER')
  @ApiAcceptedResponse({
    description: '{jobId}: every paid period in the region decided again (after bulk corrections)',
  })
  startRecheck(@Body() body: RecheckOverpaymentsDto, @CurrentActor() actor: Actor): Promise<{ jobId: string }> {
    return this.recheck.start(actor, body.regionCode ?? actor.regionCode);
  }

  @Get(':id')
  @Roles('FINANCE', 'AUDITOR', 'OFFICER')
  @ApiOkResponse({ type: ClaimDto })
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ClaimView> {
    return this.overpayments.get(actor, id);
  }

  @Post(':id/refunds')
  @HttpCode(201)
  @Roles('FINANCE')
  @ApiCreatedResponse({ type: ClaimDto, description: 'The claim after the refund' })
  refund(@Param('id') id: string, @Body() body: RefundDto, @CurrentActor() actor: Actor): Promise<ClaimView> {
    return this.overpayments.refund(actor, id, body);
  }

  @Post(':id/write-off')
  @HttpCode(200)
  @Roles('FINANCE', 'OFFICER')
  @ApiOkResponse({ type: ClaimDto, description: 'WRITE_OFF_PROPOSED' })
  proposeWriteOff(
    @Param('id') id: string,
    @Body() body: WriteOffDto,
    @CurrentActor() actor: Actor,
  ): Promise<ClaimView> {
    return this.overpayments.proposeWriteOff(actor, id, body.reason);
  }

  @Post(':id/write-off/approve')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiOkResponse({ type: ClaimDto, description: 'WRITTEN_OFF; 403 SELF_APPROVAL_FORBIDDEN for the proposer' })
  approveWriteOff(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ClaimView> {
    return this.overpayments.approveWriteOff(actor, id);
  }
}
