import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { requestContext, type Actor } from '../../common/request-context.js';
import { DEFAULT_LANGUAGE, translateIfKnown } from '../../common/i18n/i18n.js';
import { ReportQuery } from './dto/reports.dto.js';
import { CONTENT_TYPES, writeReport } from './report-writers.js';
import { ReportsService, type ReportName } from './reports.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiDownload } from '../../common/openapi/api-download.decorator.js';
import { ReportView } from './dto/report.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

const FILES = ['text/csv', CONTENT_TYPES.xlsx] as const;

@ApiTags(TAGS.reports)
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('budget-execution')
  @Roles('FINANCE', 'AUDITOR')
  @ApiDownload({
    json: ReportView,
    files: FILES,
    description:
      'By policy, funding level and county: appropriated, committed, spent, available, receivable, executionRate (spent / appropriated, 4 places); {report, parameters, columns, items, totals} in JSON',
  })
  @ApiSummary('预算执行情况报表（JSON、CSV、XLSX）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  budgetExecution(@Query() query: ReportQuery, @CurrentActor() actor: Actor, @Res() response: Response) {
    return this.send('budget-execution', query, actor, response);
  }

  @Get('beneficiaries')
  @Roles('FINANCE', 'AUDITOR')
  @ApiDownload({
    json: ReportView,
    files: FILES,
    description: 'Beneficiaries, households, lines and amount paid, by policy and township',
  })
  @ApiSummary('受益人统计报表（按政策、乡镇）')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  beneficiaries(@Query() query: ReportQuery, @CurrentActor() actor: Actor, @Res() response: Response) {
    return this.send('beneficiaries', query, actor, response);
  }

  @Get('failed-payments')
  @Roles('FINANCE', 'AUDITOR')
  @ApiDownload({
    json: ReportView,
    files: FILES,
    description: 'Every failed (returned) payment line, with the later batch that paid it again',
  })
  @ApiSummary('发放失败明细报表')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  failedPayments(@Query() query: ReportQuery, @CurrentActor() actor: Actor, @Res() response: Response) {
    return this.send('failed-payments', query, actor, response);
  }

  @Get('arrears')
  @Roles('FINANCE', 'AUDITOR')
  @ApiDownload({
    json: ReportView,
    files: FILES,
    description: 'Paid lines that covered units before their batch’s own period, with those units',
  })
  @ApiSummary('补发明细报表')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  arrears(@Query() query: ReportQuery, @CurrentActor() actor: Actor, @Res() response: Response) {
    return this.send('arrears', query, actor, response);
  }

  @Get('overpayments')
  @Roles('FINANCE', 'AUDITOR')
  @ApiDownload({
    json: ReportView,
    files: FILES,
    description:
      'Open overpayment claims by county, policy and age (days since opened): claims, amount, recovered, reserved, outstanding',
  })
  @ApiSummary('多付追回（未结追回单）报表：按区县、政策和账龄')
  @ApiProblems({ 403: ['OUT_OF_SCOPE'] })
  overpayments(@Query() query: ReportQuery, @CurrentActor() actor: Actor, @Res() response: Response) {
    return this.send('overpayments', query, actor, response);
  }

  private async send(name: ReportName, query: ReportQuery, actor: Actor, response: Response): Promise<void> {
    const opened = this.reports.open(actor, name, query);
    // The first page is read before the status line, so that a failing query is still a problem
    // response (500 with the request id) rather than a broken download.
    const iterator = opened.rows[Symbol.asyncIterator]();
    const first = await iterator.next();
    async function* rows() {
      if (first.done) return;
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    }
    // Column headers in the caller's language (Chinese unless Accept-Language: en); keys unchanged.
    const lang = requestContext.current()?.language ?? DEFAULT_LANGUAGE;
    const columns = opened.columns.map((column) => ({
      ...column,
      header: translateIfKnown(`reportColumns.${column.key}`, {}, lang) ?? column.header,
    }));
    const report = { ...opened, columns, rows: rows() };
    const suffix = [query.fiscalYear, query.countyCode, query.policyCode].filter(Boolean).join('-');
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[query.format]);
    if (query.format !== 'json') {
      response.setHeader('Content-Disposition', `attachment; filename="${name}-${suffix}.${query.format}"`);
    }
    try {
      await writeReport(query.format, report, response);
    } catch (error) {
      // The status line is gone: cut the body short so the client sees a broken download.
      response.destroy(error as Error);
    }
  }
}
