import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { JobsService, type JobView } from './jobs.service.js';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':id')
  @Roles()
  @ApiOkResponse({ description: '{id, state, progress (0-100), result?, error?}' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<JobView> {
    return this.jobs.get(id, actor);
  }
}
