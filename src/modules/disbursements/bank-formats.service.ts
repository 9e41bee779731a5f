import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors.js';
import type { Language } from '../../common/i18n/i18n.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import {
  BANK_FORMATS,
  bankFormat,
  DEFAULT_BANK_FORMAT,
  REQUIRED_RESULT_FIELDS,
  type BankFileFormat,
} from './bank-formats/index.js';
import { BankFormatsRepository } from './bank-formats.repository.js';
import type { BankFormatListView, BankFormatView, CountyBankFormatView } from './bank-formats.views.js';

export const toBankFormatView = (format: BankFileFormat, lang: Language): BankFormatView => ({
  code: format.code,
  name: format.name[lang],
  names: format.name,
  encoding: format.encoding,
  delimiter: format.delimiter,
  lineEnding: format.lineEnding === '\r\n' ? 'CRLF' : 'LF',
  extension: format.extension,
  isDefault: format.code === DEFAULT_BANK_FORMAT,
  payment: {
    titleRow: format.payment.titleRow,
    columns: format.payment.columns.map(({ field, header }) => ({ field, header })),
    summary: format.payment.summary ?? null,
  },
  result: {
    titleRow: format.result.titleRow,
    columns: format.result.columns.map(({ field, header }) => ({
      field,
      header,
      required: (REQUIRED_RESULT_FIELDS as readonly string[]).includes(field),
    })),
    summary: format.result.summary ?? null,
    statusWords: format.result.statusWords,
  },
});

/** The bank formats on offer and the one each county exports in by default. */
@Injectable()
export class BankFormatsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: BankFormatsRepository,
    private readonly audit: AuditService,
  ) {}

  list(lang: Language): BankFormatListView {
    return { items: [...BANK_FORMATS.values()].map((format) => toBankFormatView(format, lang)) };
  }

  /** The format a county's batches are exported in unless the export names another. */
  async countyFormat(manager: EntityManager, countyCode: string): Promise<BankFileFormat> {
    const row = await this.repository.countyFormat(manager, countyCode);
    return bankFormat(row?.format_code ?? DEFAULT_BANK_FORMAT);
  }

  async county(countyCode: string): Promise<CountyBankFormatView> {
    const manager = this.transactions.dataSource.manager;
    if (!(await this.repository.countyExists(manager, countyCode))) throw new NotFoundError('county', countyCode);
    const row = await this.repository.countyFormat(manager, countyCode);
    return {
      countyCode,
      formatCode: row?.format_code ?? DEFAULT_BANK_FORMAT,
      chosen: row !== undefined,
      updatedBy: row?.updated_by ?? null,
      updatedAt: row?.updated_at.toISOString() ?? null,
    };
  }

  /** ADMIN chooses a county's default format (422 BANK_FORMAT_UNKNOWN for a code not on offer); audited. */
  async setCounty(actor: Actor, countyCode: string, formatCode: string): Promise<CountyBankFormatView> {
    const format = bankFormat(formatCode);
    new RegionScope(actor.regionCode).assert(countyCode, 'county');
    return this.transactions.run(async (manager) => {
      if (!(await this.repository.countyExists(manager, countyCode))) throw new NotFoundError('county', countyCode);
      const before = await this.repository.countyFormat(manager, countyCode);
      const row = await this.repository.setCountyFormat(manager, countyCode, format.code, actor.id);
      await this.audit.record(manager, {
        action: 'bank_format.county_chosen',
        entityType: 'county_bank_format',
        entityId: countyCode,
        regionCode: countyCode,
        before: { formatCode: before?.format_code ?? DEFAULT_BANK_FORMAT, chosen: before !== undefined },
        after: { formatCode: row.format_code, chosen: true },
      });
      return {
        countyCode,
        formatCode: row.format_code,
        chosen: true,
        updatedBy: row.updated_by,
        updatedAt: row.updated_at.toISOString(),
      };
    });
  }
}
