import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { PolicySummaryPage } from './dto/policy.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.policies)
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @Roles()
  @ApiOkResponse({ type: PolicySummaryPage, description: 'The 15 policies with the version in force on asOf' })
  @ApiSummary('政策列表（含当日有效的版本）')
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
  @ApiSummary('规则可引用的事实目录')
  facts(): FactDto[] {
    return FACTS.map((fact) => ({ ...fact }));
  }

  @Get(':code')
  @Roles()
  @ApiOkResponse({ type: PolicyDetailDto })
  @ApiSummary('政策详情（含全部版本）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(@Param('code') code: string): Promise<PolicyDetailDto> {
    return this.policies.get(code);
  }

  @Post(':code/versions')
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: PolicyVersionDto })
  @ApiSummary(
    '新增政策版本（标准、规则、资金分担）',
    'VERSION_IN_USE: the new date would cut into a period already paid.',
  )
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['VERSION_IN_USE'] })
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
  @ApiSummary('修改尚未使用的政策版本', 'VERSION_IN_USE: a payment has used this version.')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['VERSION_IN_USE'] })
  amendVersion(
    @Param('code') code: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AmendPolicyVersionDto,
  ): Promise<PolicyVersionDto> {
    return this.policies.amendVersion(code, id, body);
  }
}
