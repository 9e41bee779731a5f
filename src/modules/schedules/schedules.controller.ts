import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { SchedulesService, type ScheduleView } from './schedules.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ScheduleListView, ScheduleView as ScheduleSchema } from './dto/schedule.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

export class UpdateScheduleDto {
  @ApiPropertyOptional({ example: '0 0 1 1 *', description: 'minute hour day month weekday, China time' })
  @IsOptional()
  @IsString()
  @Length(9, 100)
  cron?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ScheduleNameParam {
  @ApiProperty({ example: 'yearly-recheck' })
  @Matches(/^[a-z][a-z0-9-]{1,62}$/)
  name!: string;
}

@ApiTags(TAGS.schedules)
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @Roles('ADMIN', 'AUDITOR')
  @ApiOkResponse({ type: ScheduleListView, description: 'Each schedule with its cron (China time), next and last run' })
  @ApiSummary('定时任务列表')
  async list(): Promise<{ items: ScheduleView[] }> {
    return { items: await this.schedules.list() };
  }

  @Patch(':name')
  @Roles('ADMIN')
  @ApiOkResponse({ type: ScheduleSchema, description: 'The schedule as changed (audited)' })
  @ApiSummary('修改定时任务（时间表、启用）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  update(
    @Param() params: ScheduleNameParam,
    @Body() body: UpdateScheduleDto,
    @CurrentActor() actor: Actor,
  ): Promise<ScheduleView> {
    return this.schedules.update(actor, params.name, body);
  }
}
