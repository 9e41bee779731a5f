import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import { FILE_BODY_TYPES } from '../../common/http/body-limits.js';
import { PageQuery, type Page } from '../../common/pagination.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { BankAccountDto, CreateHouseholdDto, HouseholdQuery, SearchHouseholdsQuery } from './dto/household.dto.js';
import { LIFE_EVENT_DTOS, LifeEventDto, type LifeEventRequest } from './dto/life-events.dto.js';
import { LifeEventPipe } from './events/life-event.pipe.js';
import {
  HouseholdEventPageDto,
  HouseholdPageDto,
  HouseholdViewDto,
  ImportResultDto,
  LifeEventResultDto,
} from './dto/household-view.dto.js';
import { HouseholdEventsService, type LifeEventView } from './household-events.service.js';
import type { HouseholdView } from './household-view.js';
import { HouseholdsService, type HouseholdEventView, type HouseholdListItem } from './households.service.js';
import { todayInChina } from '../../common/calendar.js';
import { importTemplate, TEMPLATE_FORMATS, XLSX_CONTENT_TYPE, type TemplateFormat } from './import-template.js';
import { RegistryImportService, type ImportResult } from './registry-import.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiFileUpload } from '../../common/openapi/api-file-upload.decorator.js';
import { ApiDownload } from '../../common/openapi/api-download.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { RecordIdPipe } from '../../common/http/record-id.pipe.js';

const HOUSEHOLD_ID = new RecordIdPipe('Household');

interface UploadedCsv {
  path: string;
  originalname: string;
  size: number;
}

@ApiTags(TAGS.registry)
@ApiExtraModels(LifeEventDto, ...Object.values(LIFE_EVENT_DTOS))
@Controller('households')
export class RegistryController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly events: HouseholdEventsService,
    private readonly importer: RegistryImportService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('CLERK')
  @ApiCreatedResponse({ type: HouseholdViewDto, description: 'The household with members[].personId' })
  @ApiSummary('登记户籍（户及其成员）')
  @ApiProblems({
    400: ['INVALID_ID_NUMBER'],
    403: ['OUT_OF_SCOPE'],
    409: ['DUPLICATE_HOUSEHOLD', 'DUPLICATE_PERSON', 'DUPLICATE_CERTIFICATE', 'ACCOUNT_HELD_BY_ANOTHER'],
    422: ['REGION_NOT_FOUND'],
  })
  create(@Body() body: CreateHouseholdDto, @CurrentActor() actor: Actor): Promise<HouseholdView> {
    return this.households.create(body, actor);
  }

  @Get()
  @Roles()
  @ApiOkResponse({ type: HouseholdPageDto, description: 'ID numbers are masked in lists' })
  @ApiSummary('查询户籍（户号、姓名或身份证号）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  search(@Query() query: SearchHouseholdsQuery, @CurrentActor() actor: Actor): Promise<Page<HouseholdListItem>> {
    return this.households.search(actor, query);
  }

  @Post('import')
  @HttpCode(200)
  @Roles('CLERK')
  @UseInterceptors(FileInterceptor('file', { dest: tmpdir(), limits: { fileSize: 1024 * 1024 * 1024, files: 1 } }))
  @ApiSummary('批量导入户籍（CSV：UTF-8 或 GBK；或按模板填写的 XLSX）')
  @ApiFileUpload({
    description:
      'The file of src/modules/registry/import-format.md (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, or XLSX from ' +
      'GET /households/import-template), as the multipart field `file` or as the whole body',
    alsoAsBody: ['text/csv', XLSX_CONTENT_TYPE],
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiOkResponse({ type: ImportResultDto })
  @ApiProblems({ 409: ['IMPORT_CONFLICT'], 422: ['IMPORT_REJECTED'] })
  async import(
    @Req() request: Request,
    @Body() body: unknown,
    @UploadedFile() file: UploadedCsv | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<ImportResult> {
    const dry = dryRun === 'true' || dryRun === '1';
    if (file) {
      try {
        return await this.importer.importFile(() => createReadStream(file.path), { dryRun: dry, actor });
      } finally {
        await unlink(file.path).catch(() => undefined);
      }
    }
    if (!Buffer.isBuffer(body) || !request.is([...FILE_BODY_TYPES])) {
      throw new ValidationFailedError([{ field: 'body', message: callerText('messages.sendImportFile') }]);
    }
    return this.importer.importFile(() => Readable.from([body]), { dryRun: dry, actor });
  }

  @Get('import-template')
  @Roles()
  @ApiSummary('下载户籍导入模板（中文表头，XLSX 或 CSV）')
  @ApiQuery({ name: 'format', required: false, enum: TEMPLATE_FORMATS, description: 'xlsx (default) or csv' })
  @ApiDownload({ description: 'The template file', files: [XLSX_CONTENT_TYPE, 'text/csv'] })
  async importTemplate(@Query('format') format: string | undefined, @Res() response: Response): Promise<void> {
    const chosen = format ?? 'xlsx';
    if (!(TEMPLATE_FORMATS as readonly string[]).includes(chosen)) {
      throw new ValidationFailedError([{ field: 'format', message: callerText('messages.templateFormat') }]);
    }
    const file = await importTemplate(chosen as TemplateFormat);
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    response.end(file.body);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ type: HouseholdViewDto, description: 'As of `asOf` (default today), masked for roles without need' })
  @ApiSummary('查看一户（成员、子女、证件、一卡通账户）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(
    @Param('id', HOUSEHOLD_ID) id: string,
    @Query() query: HouseholdQuery,
    @CurrentActor() actor: Actor,
  ): Promise<HouseholdView> {
    return this.households.get(id, actor, query.asOf);
  }

  @Get(':id/events')
  @Roles()
  @ApiOkResponse({ type: HouseholdEventPageDto, description: 'The append-only log of life events, oldest first' })
  @ApiSummary('一户的生活事件记录')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  listEvents(
    @Param('id', HOUSEHOLD_ID) id: string,
    @Query() page: PageQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<HouseholdEventView>> {
    return this.households.events(id, actor, page);
  }

  @Post(':id/events')
  @HttpCode(201)
  @Roles('CLERK')
  @ApiBody({
    description:
      'One class per type (`type` is the discriminator): `{type, personId?, date, data?}` with the data of the type. ' +
      'LifeEventDto is the envelope they share, for clients that build the body before choosing its type; the ' +
      'server validates every body against the class of its type.',
    schema: {
      anyOf: [
        {
          oneOf: Object.values(LIFE_EVENT_DTOS).map((dto) => ({ $ref: getSchemaPath(dto) })),
          discriminator: {
            propertyName: 'type',
            mapping: Object.fromEntries(
              Object.entries(LIFE_EVENT_DTOS).map(([type, dto]) => [type, getSchemaPath(dto)]),
            ),
          },
        },
        { $ref: getSchemaPath(LifeEventDto) },
      ],
    },
  })
  @ApiCreatedResponse({ type: LifeEventResultDto, description: 'The recorded event and the household after it' })
  @ApiSummary('登记生活事件（出生、死亡、收养、迁入迁出、成员加入离开、更正等）')
  @ApiProblems({
    400: ['INVALID_ID_NUMBER'],
    404: ['NOT_FOUND'],
    409: [
      'PERSON_ALREADY_DEAD',
      'ALREADY_ADMITTED',
      'MEMBER_ALREADY_LEFT',
      'CERTIFICATE_ALREADY_ISSUED',
      'DUPLICATE_CERTIFICATE',
      'NO_ACTIVE_CERTIFICATE',
      'VIOLATION_ALREADY_RECORDED',
      'QUOTA_ALREADY_WAIVED',
      'EVENT_ALREADY_WITHDRAWN',
      'BIRTH_ORDER_TAKEN',
      'DUPLICATE_PERSON',
      'ACCOUNT_HELD_BY_ANOTHER',
      'EVENT_HAS_DEPENDENTS',
      'MEMBER_ALREADY_IN_HOUSEHOLD',
      'MEMBER_WAS_IN_HOUSEHOLD',
    ],
    422: [
      'INVALID_EVENT_DATA',
      'EVENT_BEFORE_BIRTH',
      'EVENT_BEFORE_ISSUE',
      'EVENT_CONTRADICTS_RECORD',
      'EVENT_DATE_IN_FUTURE',
      'EVENT_NO_CHANGE',
      'EVENT_OUT_OF_ORDER',
      'PERSON_DECEASED',
      'PERSON_NOT_IN_HOUSEHOLD',
      'REGION_NOT_FOUND',
      'CORRECTION_NOT_SUPPORTED',
      'HOLDER_NOT_MEMBER',
      'HOLDER_DECEASED',
      'HOLDER_NOT_ADULT',
      'MEMBER_NAME_DIFFERS',
    ],
  })
  appendEvent(
    @Param('id', HOUSEHOLD_ID) id: string,
    @Body(LifeEventPipe) body: LifeEventRequest,
    @CurrentActor() actor: Actor,
  ): Promise<LifeEventView> {
    return this.events.append(id, body, actor);
  }

  @Put(':id/bank-account')
  @Roles('CLERK')
  @ApiOkResponse({
    type: HouseholdViewDto,
    description: 'The household with its new account (a BANK_ACCOUNT_CHANGE event dated today)',
  })
  @ApiSummary('设置或更换一卡通账户')
  @ApiProblems({
    404: ['NOT_FOUND'],
    409: ['ACCOUNT_HELD_BY_ANOTHER'],
    422: ['HOLDER_NOT_MEMBER', 'HOLDER_DECEASED', 'HOLDER_NOT_ADULT', 'EVENT_NO_CHANGE', 'EVENT_OUT_OF_ORDER'],
  })
  async setBankAccount(
    @Param('id', HOUSEHOLD_ID) id: string,
    @Body() body: BankAccountDto,
    @CurrentActor() actor: Actor,
  ): Promise<HouseholdView> {
    const event = await this.events.append(
      id,
      {
        type: 'BANK_ACCOUNT_CHANGE',
        date: todayInChina(),
        data: { bankCode: body.bankCode, accountNo: body.accountNo, holderPersonId: body.holderPersonId },
      },
      actor,
    );
    return event.household;
  }
}
