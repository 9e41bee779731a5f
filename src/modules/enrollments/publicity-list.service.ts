import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ValidationFailedError } from '../../common/errors.js';
import { isDate } from '../../common/calendar.js';
import { RegionScope } from '../../common/region-scope.js';
import { label } from '../../common/i18n/i18n.js';
import { neutraliseFormula } from '../../common/spreadsheet.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { queryRows } from '../../database/sql.js';
import { Transactions } from '../../database/transactions.js';
import { maskNumber } from '../registry/id-number.js';
import { HouseholdSnapshots } from '../registry/household-snapshots.service.js';

interface NoticeRow {
  id: string;
  household_id: string;
  policy_code: string;
  beneficiary_person_id: string | null;
  region_code: string;
  village_name: string | null;
  publicized_on: string;
  notice_ends_on: string;
}

export const PUBLICITY_COLUMNS = [
  '序号',
  '村/社区',
  '户号',
  '受益人',
  '身份证号',
  '政策代码',
  '政策名称',
  '公示开始',
  '公示截止',
];

/**
 * The 公示名单 posted on the village notice board: every enrollment of a township whose public
 * notice started within the date range. ID numbers are masked, since the list is public.
 */
@Injectable()
export class PublicityListService {
  constructor(
    private readonly transactions: Transactions,
    private readonly snapshots: HouseholdSnapshots,
  ) {}

  async write(
    actor: Actor,
    query: { townshipCode: string; from: string; to: string },
    response: Response,
  ): Promise<void> {
    for (const field of ['from', 'to'] as const) {
      if (!isDate(query[field])) {
        throw new ValidationFailedError([{ field, message: callerText('messages.dateField', { field }) }]);
      }
    }
    if (query.from > query.to) {
      throw new ValidationFailedError([{ field: 'to', message: callerText('messages.toBeforeFrom') }]);
    }
    new RegionScope(actor.regionCode).assert(query.townshipCode, 'township');

    const rows = await queryRows<NoticeRow>(
      this.transactions.dataSource,
      `SELECT e.id, e.household_id, e.policy_code, e.beneficiary_person_id, e.region_code, r.name AS village_name,
              e.publicized_on::text, e.notice_ends_on::text
         FROM enrollments e LEFT JOIN regions r ON r.code = e.region_code
        WHERE e.region_code LIKE $1 AND e.publicized_on BETWEEN $2 AND $3
        ORDER BY e.region_code, e.publicized_on, e.id`,
      [`${query.townshipCode}%`, query.from, query.to],
    );
    const snapshots = this.snapshots;
    async function* records() {
      let index = 0;
      for (const row of rows) {
        const snapshot = await snapshots.forHousehold(row.household_id, row.publicized_on);
        const person = row.beneficiary_person_id
          ? snapshot.members.find((m) => m.personId === row.beneficiary_person_id)
          : snapshot.members.find((m) => m.relation === 'HEAD');
        yield [
          ++index,
          neutraliseFormula(row.village_name ?? row.region_code),
          neutraliseFormula(snapshot.householdNo),
          neutraliseFormula(person?.name ?? ''),
          person ? maskNumber(person.idNumber) : '',
          row.policy_code,
          label('policy', row.policy_code),
          row.publicized_on,
          row.notice_ends_on,
        ];
      }
    }
    response.status(200);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="publicity-${query.townshipCode}-${query.from}-${query.to}.csv"`,
    );
    await pipeline(
      Readable.from(records()),
      stringify({ header: true, columns: PUBLICITY_COLUMNS, bom: true }),
      response,
    );
  }
}
