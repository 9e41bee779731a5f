import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import {
  CreateEntitlementDto,
  EligibilityDto,
  EligibilityQuery,
  EntitlementDto,
  PeriodAmountQuery,
} from './dto/eligibility.dto.js';
import { EligibilityService } from './eligibility.service.js';
import { EntitlementsService } from './entitlements.service.js';
import type { PeriodAmount } from './period-amount.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { PeriodAmountView } from './dto/period-amount.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.eligibility)
@Controller('households/:id')
export class EligibilityController {
  constructor(
    private readonly eligibility: EligibilityService,
    private readonly entitlements: EntitlementsService,
  ) {}

  @Get('eligibility')
  @Roles()
  @ApiOkResponse({ type: EligibilityDto, description: 'One decision per policy and possible beneficiary, explained' })
  @ApiSummary('资格判定：每项政策、每位可能的受益人，逐条说明')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  async eligibilityOf(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: EligibilityQuery,
    @CurrentActor() actor: Actor,
  ): Promise<EligibilityDto> {
    const result = await this.eligibility.decideFor(actor, id, query.asOf);
    return { householdId: result.householdId, asOf: result.asOf, decisions: result.decisions };
  }

  /** What one beneficiary is owed for a period, month by month (an extension of API.md). */
  @Get('benefit-amounts')
  @Roles()
  @ApiOkResponse({ type: PeriodAmountView })
  @ApiSummary('某受益人某期应发金额（逐月）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  benefitAmount(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PeriodAmountQuery,
    @CurrentActor() actor: Actor,
  ): Promise<PeriodAmount> {
    return this.eligibility.periodAmount(actor, id, query.policyCode, query.personId ?? null, query.period);
  }

  @Post('entitlements')
  @Roles('CLERK', 'OFFICER')
  @ApiCreatedResponse({ type: EntitlementDto, description: 'Issued (201), or the one already issued (200)' })
  @ApiOkResponse({ type: EntitlementDto, description: 'The one already issued for this period' })
  @ApiSummary('出具非现金待遇凭证（优先、减免、保险）')
  @ApiProblems({ 404: ['NOT_FOUND'], 422: ['NOT_ELIGIBLE'] })
  async issue(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateEntitlementDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EntitlementDto> {
    const { entitlement, created } = await this.entitlements.issue(actor, id, body);
    response.status(created ? 201 : 200);
    return entitlement;
  }

  @Get('entitlements')
  @Roles()
  @ApiOkResponse({ type: [EntitlementDto] })
  @ApiSummary('一户的待遇凭证')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  list(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EntitlementDto[]> {
    return this.entitlements.list(actor, id);
  }
}
