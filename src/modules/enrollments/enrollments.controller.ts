import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ValidationFailedError } from '../../common/errors.js';
import { FILE_BODY_TYPES } from '../../common/http/body-limits.js';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import { callerText, type Actor } from '../../common/request-context.js';
import {
  BulkIdsDto,
  CreateEnrollmentDto,
  ListEnrollmentsQuery,
  PublicityListQuery,
  TransitionReasonDto,
  RecheckDto,
} from './dto/enrollment.dto.js';
import type { EnrollmentAction } from './enrollment-state.js';
import { MAX_ROLLS_FILE, rollsTemplate, XLSX_CONTENT_TYPE } from './enrollments-import-format.js';
import { RollsImportResultDto } from './enrollments-import.dto.js';
import { EnrollmentsImportService, type RollsImportResult } from './enrollments-import.service.js';
import { EnrollmentsService, type EnrollmentView } from './enrollments.service.js';
import { PublicityListService } from './publicity-list.service.js';
import { RecheckService } from './recheck.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiDownload } from '../../common/openapi/api-download.decorator.js';
import { ApiFileUpload } from '../../common/openapi/api-file-upload.decorator.js';
import {
  EnrollmentDetailView,
  EnrollmentListView,
  EnrollmentPage,
  EnrollmentView as EnrollmentSchema,
} from './dto/enrollment.view.js';
import { JobAcceptedView } from '../jobs/dto/job.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.enrollments)
@Controller('enrollments')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly publicity: PublicityListService,
    private readonly recheck: RecheckService,
    private readonly rolls: EnrollmentsImportService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('CLERK', 'OFFICER')
  @ApiCreatedResponse({ type: EnrollmentSchema, description: 'The enrollment in DRAFT' })
  @ApiSummary(
    '新建申请（草稿）',
    'DUPLICATE_ENROLLMENT: the beneficiary already holds an open enrollment in this policy.',
  )
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['DUPLICATE_ENROLLMENT'] })
  create(@Body() body: CreateEnrollmentDto, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.enrollments.create(actor, body);
  }

  @Get()
  @Roles()
  @ApiOkResponse({ type: EnrollmentPage })
  @ApiSummary('申请列表（按政策、状态、区域）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  list(@Query() query: ListEnrollmentsQuery, @CurrentActor() actor: Actor): Promise<Page<EnrollmentView>> {
    return this.enrollments.list(actor, query);
  }

  @Get('publicity-list')
  @Roles('CLERK', 'OFFICER', 'AUDITOR')
  @ApiDownload({
    description: '公示名单: enrollments publicized in a township within the date range, as CSV',
    files: ['text/csv'],
  })
  @ApiSummary('下载公示名单（CSV）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
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
  @ApiAcceptedResponse({
    type: JobAcceptedView,
    description: 'The yearly re-check of every active enrollment in scope',
  })
  @ApiSummary('年度资格复核（后台任务）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'], 503: ['QUEUE_UNAVAILABLE'] })
  startRecheck(@Body() body: RecheckDto, @CurrentActor() actor: Actor): Promise<{ jobId: string }> {
    return this.recheck.start(actor, body.asOf, body.regionCode ?? actor.regionCode);
  }

  @Post('bulk/publicize')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({
    type: EnrollmentListView,
    description: 'All publicized, or none (409 BULK_ACTION_FAILED lists every failure)',
  })
  @ApiSummary('批量公示')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['BULK_ACTION_FAILED'] })
  async bulkPublicize(@Body() body: BulkIdsDto, @CurrentActor() actor: Actor) {
    return { items: await this.enrollments.bulk(actor, body.ids, 'publicize') };
  }

  @Post('bulk/approve')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({
    type: EnrollmentListView,
    description: 'All approved, or none (409 BULK_ACTION_FAILED lists every failure)',
  })
  @ApiSummary('批量审批通过')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['BULK_ACTION_FAILED'] })
  async bulkApprove(@Body() body: BulkIdsDto, @CurrentActor() actor: Actor) {
    return { items: await this.enrollments.bulk(actor, body.ids, 'approve') };
  }

  @Post('import')
  @HttpCode(200)
  @Roles('ADMIN')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ROLLS_FILE, files: 1 } }))
  @ApiSummary('导入存量享受对象（原系统的申请、审批日期和审批人；CSV：UTF-8 或 GBK；或 XLSX）')
  @ApiFileUpload({
    description:
      'The rolls file of docs/enrollments-import.md (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, or XLSX from ' +
      'GET /enrollments/import-template), as the multipart field `file` or as the whole body',
    alsoAsBody: ['text/csv', XLSX_CONTENT_TYPE],
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiOkResponse({ type: RollsImportResultDto })
  @ApiProblems({ 409: ['IMPORT_CONFLICT'], 422: ['IMPORT_REJECTED'] })
  importRolls(
    @Req() request: Request,
    @Body() body: unknown,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<RollsImportResult> {
    const bytes = file?.buffer ?? (Buffer.isBuffer(body) && request.is([...FILE_BODY_TYPES]) ? body : undefined);
    if (!bytes) {
      throw new ValidationFailedError([{ field: 'file', message: callerText('messages.sendImportFile') }]);
    }
    return this.rolls.importFile(bytes, { dryRun: dryRun === 'true' || dryRun === '1', actor });
  }

  @Get('import-template')
  @Roles('ADMIN')
  @ApiSummary('下载存量享受对象导入模板（中文表头，XLSX 或 CSV）')
  @ApiQuery({ name: 'format', required: false, enum: ['xlsx', 'csv'] })
  @ApiDownload({ description: 'The template file', files: [XLSX_CONTENT_TYPE, 'text/csv'] })
  async importTemplate(@Query('format') format: string | undefined, @Res() response: Response): Promise<void> {
    if (format !== undefined && format !== 'xlsx' && format !== 'csv') {
      throw new ValidationFailedError([{ field: 'format', message: callerText('messages.templateFormat') }]);
    }
    const template = await rollsTemplate(format ?? 'xlsx');
    response.setHeader('Content-Type', template.contentType);
    response.setHeader('Content-Disposition', `attachment; filename="${template.filename}"`);
    response.end(template.body);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({
    type: EnrollmentDetailView,
    description: 'The enrollment with its transition history and stored explanations',
  })
  @ApiSummary('申请详情（含流转记录与判定说明）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.enrollments.get(actor, id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('CLERK', 'OFFICER')
  @ApiSummary('提交申请（重新判定资格）')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({
    403: ['ROLE_FORBIDDEN'],
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION'],
    422: ['NOT_ELIGIBLE'],
  })
  submit(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'submit');
  }

  @Post(':id/publicize')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiSummary('公示申请')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  publicize(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'publicize');
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiSummary('审批通过（公示期满后，由他人审批）')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({
    403: ['SELF_APPROVAL_FORBIDDEN'],
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION', 'NOTICE_PERIOD_NOT_OVER'],
    422: ['NOT_ELIGIBLE'],
  })
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'approve');
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiSummary('驳回申请')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
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
  @ApiSummary('暂停发放')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
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
  @ApiSummary('恢复发放')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'], 422: ['NOT_ELIGIBLE'] })
  resume(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<EnrollmentView> {
    return this.act(actor, id, 'resume');
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiSummary('终止享受')
  @ApiOkResponse({ type: EnrollmentSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
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
