import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { CreateRegionDto, ListRegionsQuery, RegionDto } from './dto/region.dto.js';
import { RegionsService, CITY_CODE } from './regions.service.js';

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  /** Division codes are public reference data: every user reads the whole tree. */
  @Get()
  @Roles()
  @ApiOkResponse({ type: [RegionDto], description: 'Child regions of `parent` (default: the city)' })
  list(@Query() query: ListRegionsQuery): Promise<RegionDto[]> {
    return this.regions.children(query.parent ?? CITY_CODE);
  }

  @Post()
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: RegionDto })
  create(@Body() body: CreateRegionDto): Promise<RegionDto> {
    return this.regions.create(body.code, body.name);
  }
}
