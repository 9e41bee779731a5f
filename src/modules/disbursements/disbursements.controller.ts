import {
  Body,
  Controller,
  Get,
  Headers,
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
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import type { Page } from '../../common/pagination.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { BankFilesService, type SettlementView } from './bank-files.service.js';
import { contentType } from './bank-formats/writer.js';
import { CancelBatchDto, CreateBatchDto, LinesQuery, ListBatchesQuery, RejectBatchDto } from './dto/batch.dto.js';
import { DisbursementsService, type BatchView, type LineView } from './disbursements.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiFileUpload } from '../../common/openapi/api-file-upload.decorator.js';
import { ApiDownload } from '../../common/openapi/api-download.decorator.js';
import {
  BatchAcceptedView,
  BatchLinePage,
  BatchPage,
  BatchView as BatchSchema,
  SettlementView as SettlementSchema,
} from './dto/batch.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: callerText('messages.idempotencyKey') }]);
  }
  return value;
}

@ApiTags(TAGS.disbursements)
@Controller('disbursement-batches')
export class DisbursementsController {
  constructor(
    private readonly batches: DisbursementsService,
    private readonly bankFiles: BankFilesService,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('OFFICER')
  @ApiAcceptedResponse({ type: BatchAcceptedView, description: 'The batch in DRAFT while its lines are generated' })
  @ApiSummary('生成发放批次（后台任务）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'], 404: ['NOT_FOUND'], 422: ['NOT_PAYABLE'], 503: ['QUEUE_UNAVAILABLE'] })
  create(@Body() body: CreateBatchDto, @CurrentActor() actor: Actor) {
    return this.batches.create(actor, body);
  }

  @Get()
  @Roles()
  @ApiSummary('发放批次列表')
  @ApiOkResponse({ type: BatchPage })
  list(@Query() query: ListBatchesQuery, @CurrentActor() actor: Actor): Promise<Page<BatchView>> {
    return this.batches.list(actor, query);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ type: BatchSchema, description: 'The batch with its totals and exception list' })
  @ApiSummary('批次详情（合计与例外名单）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.get(actor, id);
  }

  @Get(':id/lines')
  @Roles()
  @ApiSummary('批次明细（每人每期）')
  @ApiOkResponse({ type: BatchLinePage, description: 'Account numbers in full for FINANCE only' })
  @ApiProblems({ 404: ['NOT_FOUND'] })
  lines(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: LinesQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<LineView>> {
    return this.batches.lines(actor, id, query.limit, query.cursor);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @Roles('OFFICER')
  @ApiAcceptedResponse({
    type: BatchAcceptedView,
    description: 'A GENERATION_FAILED batch back in DRAFT, generating from its last committed chunk',
  })
  @ApiSummary('继续生成失败的批次')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'], 503: ['QUEUE_UNAVAILABLE'] })
  resume(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.batches.resume(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({
    type: BatchSchema,
    description: 'The batch CANCELLED: its lines cancelled and their claims released',
  })
  @ApiSummary('作废批次（释放明细与占用）')
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  cancel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CancelBatchDto,
    @CurrentActor() actor: Actor,
  ): Promise<BatchView> {
    return this.batches.cancel(actor, id, body.reason);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('OFFICER', 'FINANCE')
  @ApiSummary('提交批次审批')
  @ApiOkResponse({ type: BatchSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  submit(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.submit(actor, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key does nothing again' })
  @ApiSummary('审批批次（占用预算并记账，提交人不得审批）')
  @ApiOkResponse({ type: BatchSchema })
  @ApiProblems({
    403: ['SELF_APPROVAL_FORBIDDEN'],
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION', 'INSUFFICIENT_BUDGET', 'IDEMPOTENCY_KEY_REUSED', 'ACCOUNT_LIMIT_EXCEEDED'],
  })
  approve(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<BatchView> {
    return this.batches.approve(actor, id, idempotencyKey(key));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiSummary('退回批次（提交人不得退回）')
  @ApiOkResponse({ type: BatchSchema })
  @ApiProblems({ 403: ['SELF_APPROVAL_FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RejectBatchDto,
    @CurrentActor() actor: Actor,
  ): Promise<BatchView> {
    return this.batches.reject(actor, id, body.reason);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiSummary('关闭批次')
  @ApiOkResponse({ type: BatchSchema })
  @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'] })
  close(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.close(actor, id);
  }

  @Get(':id/bank-file')
  @Roles('FINANCE')
  @ApiQuery({
    name: 'format',
    required: false,
    description:
      "A bank format code of GET /bank-formats; the county's format when absent (the batch's own once exported)",
  })
  @ApiDownload({
    description:
      'The bank file in its format; the same bytes on every download (X-Content-SHA256, X-Bank-Format name them)',
    files: ['text/csv', 'text/plain'],
  })
  @ApiSummary('下载银行代发文件（可选银行格式）')
  @ApiProblems({
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION', 'BANK_FORMAT_CONFLICT'],
    422: ['BANK_FORMAT_UNKNOWN', 'BANK_FILE_UNENCODABLE'],
  })
  async bankFile(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('format') format: string | string[] | undefined,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    if (Array.isArray(format) || (format !== undefined && (format.length === 0 || format.length > 40))) {
      throw new ValidationFailedError([{ field: 'format', message: callerText('messages.bankFormat') }]);
    }
    const file = await this.bankFiles.export(actor, id, format);
    response.status(200);
    response.setHeader('Content-Type', contentType(file.format));
    response.setHeader('Content-Disposition', `attachment; filename="${file.batch.batchNo}.${file.format.extension}"`);
    response.setHeader('X-Content-SHA256', file.sha256);
    response.setHeader('X-Bank-Format', file.format.code);
    await pipeline(file.body(), response);
  }

  @Post(':id/bank-results')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiFileUpload({
    description: "The bank's result file in the batch's bank format",
    alsoAsBody: ['text/csv', 'text/plain'],
  })
  @ApiOkResponse({ type: SettlementSchema })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 200 * 1024 * 1024 } }))
  @ApiSummary('导入银行回盘文件（结算批次）')
  @ApiProblems({
    404: ['NOT_FOUND'],
    409: ['INVALID_STATE_TRANSITION', 'ACCOUNT_LIMIT_EXCEEDED'],
    422: ['BANK_FILE_REJECTED'],
  })
  bankResults(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: Request,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<SettlementView> {
    const content = file?.buffer ?? (Buffer.isBuffer(request.body) ? request.body : undefined);
    if (!content || content.length === 0) {
      throw new ValidationFailedError([{ field: 'file', message: callerText('messages.sendResultFile') }]);
    }
    return this.bankFiles.importResults(actor, id, content);
  }
}
