import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { FACTS } from '../eligibility/facts.js';
import {
  AmendPolicyVersionDto,
  CreatePolicyVersionDto,
  FactDto,
  PolicyDetailDto,
  PolicyListQuery,
  PolicySummaryDto,
  PolicyVersionDto,
} from './dto/policy.dto.js';
import { PoliciesService } from './policies.service.js';

@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @Roles()
  @ApiOkResponse({ description: '{items, nextCursor}: the 15 policies with the version in force on asOf' })
  async list(@Query() query: PolicyListQuery): Promise<Page<PolicySummaryDto>> {
    const all = await this.policies.list(query.asOf);
    const [after] = decodeCursor(query.cursor, [cursorPart.text]) ?? [''];
    return toPage(
      all.filter((policy) => policy.code > after).slice(0, query.limit + 1),
      query.limit,
      (policy) => [policy.code],
      (policy) => policy,
    );
  }

  /** The fact catalogue rules may test (declared before `:code` so that it is not taken for a code). */
  @Get('facts')
  @Roles()
  @ApiOkResponse({ type: [FactDto] })
  facts(): FactDto[] {
    return FACTS.map((fact) => ({ ...fact }));
  }

  @Get(':code')
  @Roles()
  @ApiOkResponse({ type: PolicyDetailDto })
  get(@Param('code') code: string): Promise<PolicyDetailDto> {
    return this.policies.get(code);
  }

  @Post(':code/versions')
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: PolicyVersionDto })
  @ApiConflictResponse({ description: 'VERSION_IN_USE: the new date would cut into a period already paid' })
  addVersion(
    @Param('code') code: string,
    @Body() body: CreatePolicyVersionDto,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyVersionDto> {
    return this.policies.addVersion(code, body, actor);
  }

  @Put(':code/versions/:id')
  @Roles('ADMIN')
  @ApiOkResponse({ type: PolicyVersionDto })
  @ApiConflictResponse({ description: 'VERSION_IN_USE: a payment has used this version' })
  amendVersion(
    @Param('code') code: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AmendPolicyVersionDto,
  ): Promise<PolicyVersionDto> {
    return this.policies.amendVersion(code, id, body);
  }
}
