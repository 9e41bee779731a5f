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
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import { PageQuery, type Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import {
  BankAccountDto,
  CreateHouseholdDto,
  HouseholdQuery,
  LifeEventDto,
  SearchHouseholdsQuery,
} from './dto/household.dto.js';
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
import { todayInChina } from './dates.js';
import { RegistryImportService, type ImportResult } from './registry-import.service.js';

interface UploadedCsv {
  path: string;
  originalname: string;
  size: number;
}

@ApiTags('registry')
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
  create(@Body() body: CreateHouseholdDto, @CurrentActor() actor: Actor): Promise<HouseholdView> {
    return this.households.create(body, actor);
  }

  @Get()
  @Roles()
  @ApiOkResponse({ type: HouseholdPageDto, description: 'ID numbers are masked in lists' })
  search(@Query() query: SearchHouseholdsQuery, @CurrentActor() actor: Actor): Promise<Page<HouseholdListItem>> {
    return this.households.search(actor, query);
  }

  @Post('import')
  @HttpCode(200)
  @Roles('CLERK')
  @UseInterceptors(FileInterceptor('file', { dest: tmpdir(), limits: { fileSize: 1024 * 1024 * 1024, files: 1 } }))
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ description: 'The CSV of src/modules/registry/import-format.md, as the body or a multipart `file`' })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiOkResponse({ type: ImportResultDto, description: '422 IMPORT_REJECTED with errors [{line, field, message}]' })
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
        return await this.importer.import(createReadStream(file.path), { dryRun: dry, actor });
      } finally {
        await unlink(file.path).catch(() => undefined);
      }
    }
    if (typeof body !== 'string' || !request.is(['text/csv', 'text/plain'])) {
      throw new ValidationFailedError([
        { field: 'body', message: 'send the CSV as a text/csv body or as the multipart field `file`' },
      ]);
    }
    return this.importer.import(Readable.from([body]), { dryRun: dry, actor });
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ type: HouseholdViewDto, description: 'As of `asOf` (default today), masked for roles without need' })
  get(@Param('id') id: string, @Query() query: HouseholdQuery, @CurrentActor() actor: Actor): Promise<HouseholdView> {
    return this.households.get(id, actor, query.asOf);
  }

  @Get(':id/events')
  @Roles()
  @ApiOkResponse({ type: HouseholdEventPageDto, description: 'The append-only log of life events, oldest first' })
  listEvents(
    @Param('id') id: string,
    @Query() page: PageQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<HouseholdEventView>> {
    return this.households.events(id, actor, page);
  }

  @Post(':id/events')
  @HttpCode(201)
  @Roles('CLERK')
  @ApiCreatedResponse({ type: LifeEventResultDto, description: 'The recorded event and the household after it' })
  appendEvent(
    @Param('id') id: string,
    @Body() body: LifeEventDto,
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
  async setBankAccount(
    @Param('id') id: string,
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
