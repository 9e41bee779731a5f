import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { HouseholdsService } from './households.service.js';
import { ParentLinksRepository } from './parent-links.repository.js';

export class ParentViewDto {
  @ApiProperty() personId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Whether the parent is (or was) a member of this household' }) member!: boolean;
}

export class MemberParentsDto {
  @ApiProperty() personId!: string;
  @ApiProperty({ type: ParentViewDto, nullable: true }) mother!: ParentViewDto | null;
  @ApiProperty({ type: ParentViewDto, nullable: true }) father!: ParentViewDto | null;
}

export class HouseholdParentsDto {
  @ApiProperty({ type: [MemberParentsDto] }) items!: MemberParentsDto[];
}

/**
 * GET /households/:id/parents: each member's own mother and father as the rules read them (the
 * household view lists members by their relation to the head, which is not parenthood).
 */
@ApiTags(TAGS.registry)
@Controller('households')
export class ParentLinksController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly links: ParentLinksRepository,
  ) {}

  @Get(':id/parents')
  @Roles()
  @ApiOkResponse({ type: HouseholdParentsDto, description: "Each member's mother and father (null: not linked)" })
  @ApiSummary('户内成员的父母关联（母亲、父亲，是否本户成员）')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  async parents(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<HouseholdParentsDto> {
    await this.households.assertVisible(id, actor);
    return { items: await this.links.ofHousehold(id) };
  }
}
