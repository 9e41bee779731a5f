import { Controller, Get, Injectable, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { formatMoney, money } from '../../common/money.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { ReportQuery } from './dto/reports.dto.js';

export class SpendingItemDto {
  @ApiProperty({ example: '2026-11', description: 'The month the bank paid (China time)' }) month!: string;
  @ApiProperty({ example: 'SPECIAL_BEREAVED' }) policyCode!: string;
  @ApiProperty({ example: 3 }) lines!: number;
  @ApiProperty({ example: '1680.00' }) amount!: string;
}

export class SpendingDto {
  @ApiProperty() fiscalYear!: number;
  @ApiProperty({ type: [SpendingItemDto] }) items!: SpendingItemDto[];
  @ApiProperty({ example: '1680.00' }) total!: string;
}

/** The paid lines of a fiscal year summed by the month the bank paid them and by policy. */
@Injectable()
export class SpendingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  byMonth(filter: { fiscalYear: number; scopePrefix: string; countyCode?: string; policyCode?: string }) {
    return this.dataSource.query(
      `SELECT to_char(l.settled_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, b.policy_code,
              count(*)::int AS lines, sum(l.amount)::text AS amount
         FROM disbursement_lines l JOIN disbursement_batches b ON b.id = l.batch_id
        WHERE l.status = 'PAID' AND b.fiscal_year = $1 AND b.county_code LIKE $2
          AND ($3::text IS NULL OR b.county_code = $3) AND ($4::text IS NULL OR b.policy_code = $4)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [filter.fiscalYear, `${filter.scopePrefix}%`, filter.countyCode ?? null, filter.policyCode ?? null],
    ) as Promise<{ month: string; policy_code: string; lines: number; amount: string }[]>;
  }
}

@ApiTags(TAGS.reports)
@Controller('reports')
export class SpendingController {
  constructor(private readonly repository: SpendingRepository) {}

  @Get('spending')
  @Roles('FINANCE', 'AUDITOR')
  @ApiOkResponse({ type: SpendingDto, description: 'Paid lines by the month paid and by policy (for charts)' })
  @ApiSummary('按月、按政策的银行已支付金额（图表用）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  async spending(@Query() query: ReportQuery, @CurrentActor() actor: Actor): Promise<SpendingDto> {
    const scope = new RegionScope(actor.regionCode);
    if (query.countyCode) scope.assert(query.countyCode, 'county');
    const rows = await this.repository.byMonth({
      fiscalYear: query.fiscalYear,
      scopePrefix: scope.prefix,
      countyCode: query.countyCode,
      policyCode: query.policyCode,
    });
    const items = rows.map((row) => ({
      month: row.month,
      policyCode: row.policy_code,
      lines: row.lines,
      amount: formatMoney(row.amount),
    }));
    const total = rows.reduce((sum, row) => sum.plus(row.amount), money(0));
    return { fiscalYear: query.fiscalYear, items, total: formatMoney(total) };
  }
}
