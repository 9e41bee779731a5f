import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne } from '../../database/sql.js';

export interface CountyBankFormatRow {
  county_code: string;
  format_code: string;
  updated_by: string | null;
  updated_at: Date;
}

/** The SQL of the counties' chosen bank formats (`county_bank_formats`). */
@Injectable()
export class BankFormatsRepository {
  countyFormat(manager: EntityManager, countyCode: string): Promise<CountyBankFormatRow | undefined> {
    return queryOne<CountyBankFormatRow>(manager, `SELECT * FROM county_bank_formats WHERE county_code = $1`, [
      countyCode,
    ]);
  }

  async setCountyFormat(
    manager: EntityManager,
    countyCode: string,
    formatCode: string,
    userId: string,
  ): Promise<CountyBankFormatRow> {
    const row = await queryOne<CountyBankFormatRow>(
      manager,
      `INSERT INTO county_bank_formats (county_code, format_code, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (county_code) DO UPDATE SET format_code = $2, updated_by = $3, updated_at = now()
       RETURNING *`,
      [countyCode, formatCode, userId],
    );
    return row!;
  }

  async countyExists(manager: EntityManager, countyCode: string): Promise<boolean> {
    const row = await queryOne<{ code: string }>(
      manager,
      `SELECT code FROM regions WHERE code = $1 AND level = 'COUNTY'`,
      [countyCode],
    );
    return row !== undefined;
  }
}
