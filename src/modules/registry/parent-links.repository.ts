import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type { MemberParentsDto } from './parent-links.controller.js';

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
export class ParentLinksRepository {
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
