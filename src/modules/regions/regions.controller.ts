import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { CreateRegionDto, ListRegionsQuery, RegionDto } from './dto/region.dto.js';
import { RegionsService } from './regions.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { RegionPage } from './dto/region.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { CITY_CODE } from '../../common/region-scope.js';

@ApiTags(TAGS.regions)
@Controller('regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  /** Division codes are public reference data: every user reads the whole tree. */
  @Get()
  @Roles()
  @ApiOkResponse({ type: RegionPage, description: 'Child regions of `parent` (default: the city), by code' })
  @ApiSummary('下级行政区划列表')
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
  @ApiSummary('新增行政区划（上级由代码推出）')
  @ApiProblems({ 409: ['REGION_EXISTS'] })
  create(@Body() body: CreateRegionDto): Promise<RegionDto> {
    return this.regions.create(body.code, body.name);
  }
}
