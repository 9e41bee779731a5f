import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import {
  BulkIdsDto,
  CreateEnrollmentDto,
  ListEnrollmentsQuery,
  PublicityListQuery,
  TransitionReasonDto,
  RecheckDto,
} from './dto/enrollment.dto.js';
import type { EnrollmentAction } from './enrollment-state.js';
import { EnrollmentsService, type EnrollmentView } from './enrollments.service.js';
import { PublicityListService } from './publicity-list.service.js';
import { RecheckService } from './recheck.service.js';

@ApiTags('enrollments')
@Controller('enrollments')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly publicity: PublicityListService,
    private readonly recheck: RecheckService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('CLERK', 'OFFICER')
  @ApiCreatedResponse({ description: 'The enrollment in DRAFT' })
  @ApiConflictResponse({ description: 'DUPLICATE_ENROLLMENT: the beneficiary already holds an open enrollment' })
  create(@Body() body: CreateEnrollmentDto, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.enrollments.create(actor, body);
  }

  @Get()
  @Roles()
  @ApiOkResponse({ description: '{items, nextCursor}' })
  list(@Query() query: ListEnrollmentsQuery, @CurrentActor() actor: Actor): Promise<Page<EnrollmentView>> {
    return this.enrollments.list(actor, query);
  }

  @Get('publicity-list')
  @Roles('CLERK', 'OFFICER', 'AUDITOR')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: '公示名单: enrollments publicized in a township within the date range, as CSV' })
  async publicityList(
    @Query() query: PublicityListQuery,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.publicity.write(actor, query, response);
  }

  @Post('recheck')
  @HttpCode(202)
  @Roles('OFFICER')
  @ApiAcceptedResponse({ description: '{jobId}: the yearly re-check of every active enrollment in scope' })
  startRecheck(@Body() body: RecheckDto, @CurrentActor() actor: Actor): Promise<{ jobId: string }> {
    return this.recheck.start(actor, body.asOf, body.regionCode ?? actor.regionCode);
  }

  @Post('bulk/publicize')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({ description: 'All publicized, or none (409 BULK_ACTION_FAILED lists every failure)' })
  async bulkPublicize(@Body() body: BulkIdsDto, @CurrentActor() actor: Actor) {
    return { items: await this.enrollments.bulk(actor, body.ids, 'publicize') };
  }

  @Post('bulk/approve')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({ description: 'All approved, or none (409 BULK_ACTION_FAILED lists every failure)' })
  async bulkApprove(@Body() body: BulkIdsDto, @CurrentActor() actor: Actor) {
    return { items: await this.enrollments.bulk(actor, body.ids, 'approve') };
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ description: 'The enrollment with its transition history and stored explanations' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.enrollments.get(actor, id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('CLERK', 'OFFICER')
  submit(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'submit');
  }

  @Post(':id/publicize')
  @HttpCode(200)
  @Roles('OFFICER')
  publicize(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'publicize');
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('OFFICER')
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'approve');
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('OFFICER')
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TransitionReasonDto,
    @CurrentActor() actor: Actor,
  ): Promise<EnrollmentView> {
    return this.act(actor, id, 'reject', body.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Roles('OFFICER')
  suspend(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TransitionReasonDto,
    @CurrentActor() actor: Actor,
  ): Promise<EnrollmentView> {
    return this.act(actor, id, 'suspend', body.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('OFFICER')
  resume(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'resume');
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Roles('OFFICER')
  terminate(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TransitionReasonDto,
    @CurrentActor() actor: Actor,
  ): Promise<EnrollmentView> {
    return this.act(actor, id, 'terminate', body.reason);
  }

  private act(actor: Actor, id: string, action: EnrollmentAction, reason?: string): Promise<EnrollmentView> {
    return this.enrollments.transition(actor, id, action, reason);
  }
}
