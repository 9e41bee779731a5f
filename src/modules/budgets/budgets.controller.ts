import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import { AppropriationDto, AppropriationViewDto, BudgetLinePageDto, ListBudgetsQuery } from './dto/budgets.dto.js';
import {
  BudgetsService,
  IDEMPOTENCY_KEY_PATTERN,
  type AppropriationView,
  type BudgetLineView,
} from './budgets.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key answers the first result and moves no money again',
};

function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new ValidationFailedError([
      { field: 'Idempotency-Key', message: 'has 1-200 letters, digits, dots, colons, dashes or underscores' },
    ]);
  }
  return value;
}

@ApiTags(TAGS.budgets)
@Controller('budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Post('appropriations')
  @HttpCode(201)
  @Roles('FINANCE')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: AppropriationViewDto })
  @ApiSummary('下达预算指标（按年度、政策、资金层级、县）')
  @ApiProblems({ 400: ['AMOUNT_OUT_OF_RANGE'], 403: ['OUT_OF_SCOPE'], 409: ['IDEMPOTENCY_KEY_REUSED'] })
  appropriate(
    @Body() body: AppropriationDto,
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') key?: string,
  ): Promise<AppropriationView> {
    return this.budgets.appropriate(actor, body, idempotencyKey(key));
  }

  @Post('appropriations/:transferId/reverse')
  @HttpCode(201)
  @Roles('FINANCE')
  @ApiHeader({ ...IDEMPOTENCY_HEADER, description: 'Accepted; a transfer is reversed at most once anyway' })
  @ApiCreatedResponse({ type: AppropriationViewDto, description: 'The REVERSAL transfer' })
  @ApiSummary('冲销一笔预算指标')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['ALREADY_REVERSED', 'INSUFFICIENT_BUDGET'], 422: ['NOT_AN_APPROPRIATION'] })
  reverse(
    @Param('transferId') transferId: string,
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') key?: string,
  ): Promise<AppropriationView> {
    idempotencyKey(key);
    if (!/^[1-9]\d{0,17}$/.test(transferId)) throw new NotFoundError('Transfer', transferId);
    return this.budgets.reverseAppropriation(actor, transferId);
  }

  @Get()
  @Roles('FINANCE', 'AUDITOR')
  @ApiOkResponse({
    type: BudgetLinePageDto,
    description: 'Appropriated, committed, spent and available per budget line',
  })
  @ApiSummary('预算指标执行情况（下达、占用、支出、可用）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  list(@Query() query: ListBudgetsQuery, @CurrentActor() actor: Actor): Promise<Page<BudgetLineView>> {
    const { limit, cursor, ...filter } = query;
    return this.budgets.listLines(actor, filter, { limit, cursor });
  }
}
