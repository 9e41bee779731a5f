import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import { PageQuery, type Page } from '../../common/pagination.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { JobsService, type JobView } from './jobs.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { JobPage, JobView as JobSchema } from './dto/job.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

export class ListJobsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'true: the jobs the caller started (the only list offered)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value === 'true' || value === true)
  @IsIn([true])
  mine?: boolean;
}

@ApiTags(TAGS.jobs)
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Roles()
  @ApiOkResponse({ type: JobPage, description: "The caller's jobs with their state and progress, newest first" })
  @ApiSummary('本人发起的后台任务')
  list(@Query() query: ListJobsQuery, @CurrentActor() actor: Actor): Promise<Page<JobView>> {
    if (!query.mine) throw new ValidationFailedError([{ field: 'mine', message: callerText('messages.mine') }]);
    return this.jobs.mine(actor, query.limit, query.cursor);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ type: JobSchema })
  @ApiSummary('后台任务的状态与进度')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<JobView> {
    return this.jobs.get(id, actor);
  }
}
