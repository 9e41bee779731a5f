import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { CreateRegionDto, ListRegionsQuery, RegionDto } from './dto/region.dto.js';
import { RegionsService, CITY_CODE } from './regions.service.js';

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  /** Division codes are public reference data: every user reads the whole tree. */
  @Get()
  @Roles()
  @ApiOkResponse({ description: '{items, nextCursor}: child regions of `parent` (default: the city), by code' })
  async list(@Query() query: ListRegionsQuery): Promise<Page<RegionDto>> {
    const [after] = decodeCursor(query.cursor, [cursorPart.text]) ?? [''];
    const rows = await this.regions.children(query.parent ?? CITY_CODE, after, query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (region) => [region.code],
      (region) => region,
    );
  }

  @Post()
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: RegionDto })
  create(@Body() body: CreateRegionDto): Promise<RegionDto> {
    return this.regions.create(body.code, body.name);
  }
}
