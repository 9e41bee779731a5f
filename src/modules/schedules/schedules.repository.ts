import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql.js';

export interface ScheduleRow {
  name: string;
  job_name: string;
  cron: string;
  enabled: boolean;
  description: string;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_job_id: string | null;
  updated_by: string | null;
  updated_at: Date;
}

@Injectable()
export class SchedulesRepository {
  list(manager: EntityManager): Promise<ScheduleRow[]> {
    return queryRows<ScheduleRow>(manager, `SELECT * FROM schedules ORDER BY name`);
  }

  find(manager: EntityManager, name: string, lock = false): Promise<ScheduleRow | undefined> {
    return queryOne<ScheduleRow>(manager, `SELECT * FROM schedules WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [
      name,
    ]);
  }

  /** Enabled schedules due at `now`, locked; another process firing at the same moment skips them. */
  lockDue(manager: EntityManager, now: Date): Promise<ScheduleRow[]> {
    return queryRows<ScheduleRow>(
      manager,
      `SELECT * FROM schedules WHERE enabled AND next_run_at <= $1 ORDER BY name FOR UPDATE SKIP LOCKED`,
      [now],
    );
  }

  async update(
    manager: EntityManager,
    name: string,
    changes: Partial<
      Pick<ScheduleRow, 'cron' | 'enabled' | 'next_run_at' | 'last_run_at' | 'last_job_id' | 'updated_by'>
    >,
  ): Promise<ScheduleRow> {
    const keys = Object.keys(changes);
    const row = await queryOne<ScheduleRow>(
      manager,
      `UPDATE schedules SET ${keys.map((key, i) => `${key} = $${i + 2}`).join(', ')}, updated_at = now()
        WHERE name = $1 RETURNING *`,
      [name, ...keys.map((key) => changes[key as keyof typeof changes])],
    );
    return row!;
  }
}
