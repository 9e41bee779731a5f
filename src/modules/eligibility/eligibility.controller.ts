import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
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

@ApiTags('eligibility')
@Controller('households/:id')
export class EligibilityController {
  constructor(
    private readonly eligibility: EligibilityService,
    private readonly entitlements: EntitlementsService,
  ) {}

  @Get('eligibility')
  @Roles()
  @ApiOkResponse({ type: EligibilityDto, description: 'One decision per policy and possible beneficiary, explained' })
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
  @ApiOkResponse({
    description:
      '{policyCode, personId, period, total, months:[{month, decidedOn, eligible, amount, versionId, reasons}]}',
  })
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
  @ApiUnprocessableEntityResponse({ description: 'NOT_ELIGIBLE, with the conditions that failed' })
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
  list(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EntitlementDto[]> {
    return this.entitlements.list(actor, id);
  }
}
