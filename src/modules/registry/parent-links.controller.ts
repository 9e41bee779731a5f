import { Controller, Get, Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { queryRows } from '../../database/sql.js';
import { HouseholdsService } from './households.service.js';

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

interface Row {
  personId: string;
  motherId: string | null;
  motherName: string | null;
  motherMember: boolean;
  fatherId: string | null;
  fatherName: string | null;
  fatherMember: boolean;
}

/** The parent links of a household's members (persons.mother_id / father_id), for reading. */
@Injectable()
export class ParentLinksQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ofHousehold(householdId: string): Promise<MemberParentsDto[]> {
    const rows = await queryRows<Row>(
      this.dataSource,
      `SELECT p.id AS "personId",
              mo.id AS "motherId", mo.name AS "motherName",
              EXISTS (SELECT 1 FROM household_members x WHERE x.household_id = m.household_id AND x.person_id = mo.id)
                AS "motherMember",
              fa.id AS "fatherId", fa.name AS "fatherName",
              EXISTS (SELECT 1 FROM household_members x WHERE x.household_id = m.household_id AND x.person_id = fa.id)
                AS "fatherMember"
         FROM household_members m
         JOIN persons p ON p.id = m.person_id
         LEFT JOIN persons mo ON mo.id = p.mother_id
         LEFT JOIN persons fa ON fa.id = p.father_id
        WHERE m.household_id = $1
        ORDER BY p.id`,
      [householdId],
    );
    return rows.map((r) => ({
      personId: r.personId,
      mother: r.motherId ? { personId: r.motherId, name: r.motherName!, member: r.motherMember } : null,
      father: r.fatherId ? { personId: r.fatherId, name: r.fatherName!, member: r.fatherMember } : null,
    }));
  }
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
    private readonly links: ParentLinksQuery,
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
