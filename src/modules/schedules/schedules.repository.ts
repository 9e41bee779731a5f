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

  /** Whether a firing (the job's dedupe key) was recorded already, by this or another process. */
  async firingRecorded(manager: EntityManager, dedupeKey: string): Promise<boolean> {
    const row = await queryOne(manager, `SELECT 1 FROM jobs WHERE dedupe_key = $1`, [dedupeKey]);
    return row !== undefined;
  }

  /** Counties (6-digit codes) with at least one active enrollment in the policy. */
  async countiesPaying(manager: EntityManager, policyCode: string): Promise<string[]> {
    const rows = await queryRows<{ code: string }>(
      manager,
      `SELECT r.code FROM regions r
        WHERE r.level = 'COUNTY'
          AND EXISTS (SELECT 1 FROM enrollments e
                       WHERE e.policy_code = $1 AND e.status = 'ACTIVE' AND e.region_code LIKE r.code || '%')
        ORDER BY r.code`,
      [policyCode],
    );
    return rows.map((row) => row.code);
  }

  /** Counties that have a batch of the policy for the period that is not cancelled. */
  async countiesWithBatch(manager: EntityManager, policyCode: string, period: string): Promise<string[]> {
    const rows = await queryRows<{ county_code: string }>(
      manager,
      `SELECT DISTINCT county_code FROM disbursement_batches
        WHERE policy_code = $1 AND period = $2 AND status <> 'CANCELLED'`,
      [policyCode, period],
    );
    return rows.map((row) => row.county_code);
  }
}
