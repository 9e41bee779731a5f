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
import { ApiAcceptedResponse, ApiConsumes, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import { BankFilesService, type SettlementView } from './bank-files.service.js';
import { CancelBatchDto, CreateBatchDto, LinesQuery, ListBatchesQuery, RejectBatchDto } from './dto/batch.dto.js';
import { DisbursementsService, type BatchView, type LineView } from './disbursements.service.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be 1-200 letters, digits or ._:-' }]);
  }
  return value;
}

@ApiTags('disbursement-batches')
@Controller('disbursement-batches')
export class DisbursementsController {
  constructor(
    private readonly batches: DisbursementsService,
    private readonly bankFiles: BankFilesService,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('OFFICER')
  @ApiAcceptedResponse({ description: '{batch, jobId}: the batch in DRAFT while its lines are generated' })
  create(@Body() body: CreateBatchDto, @CurrentActor() actor: Actor) {
    return this.batches.create(actor, body);
  }

  @Get()
  @Roles()
  list(@Query() query: ListBatchesQuery, @CurrentActor() actor: Actor): Promise<Page<BatchView>> {
    return this.batches.list(actor, query);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ description: 'The batch with its totals and exception list' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.get(actor, id);
  }

  @Get(':id/lines')
  @Roles()
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
    description: '{batch, jobId}: a GENERATION_FAILED batch back in DRAFT, generating from its last committed chunk',
  })
  resume(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.batches.resume(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('OFFICER')
  @ApiOkResponse({ description: 'The batch CANCELLED: its lines cancelled and their claims released' })
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
  submit(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.submit(actor, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key does nothing again' })
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
  close(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<BatchView> {
    return this.batches.close(actor, id);
  }

  @Get(':id/bank-file')
  @Roles('FINANCE')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The bank file of SPEC.md; the same bytes on every download (X-Content-SHA256)' })
  async bankFile(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    const file = await this.bankFiles.export(actor, id);
    response.status(200);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${file.batch.batchNo}.csv"`);
    response.setHeader('X-Content-SHA256', file.sha256);
    await pipeline(file.body(), response);
  }

  @Post(':id/bank-results')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiConsumes('text/csv', 'multipart/form-data')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 200 * 1024 * 1024 } }))
  bankResults(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: Request,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<SettlementView> {
    const content = file?.buffer ?? (Buffer.isBuffer(request.body) ? request.body : undefined);
    if (!content || content.length === 0) {
      throw new ValidationFailedError([
        { field: 'file', message: 'send the result CSV as a text/csv body or as a multipart "file"' },
      ]);
    }
    return this.bankFiles.importResults(actor, id, content);
  }
}
