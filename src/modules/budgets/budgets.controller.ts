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

@ApiTags('budgets')
@Controller('budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Post('appropriations')
  @HttpCode(201)
  @Roles('FINANCE')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: AppropriationViewDto })
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
  list(@Query() query: ListBudgetsQuery, @CurrentActor() actor: Actor): Promise<Page<BudgetLineView>> {
    const { limit, cursor, ...filter } = query;
    return this.budgets.listLines(actor, filter, { limit, cursor });
  }
}
