import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors.js';
import { RegionScope } from '../../common/region-scope.js';
import { requestContext, type Actor } from '../../common/request-context.js';
import { JobDispatcher } from './job-dispatcher.js';

export interface JobView {
  id: string;
  name: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  progress: number;
  result?: unknown;
  error?: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface EnqueueOptions {
  /** Same key, same job: a retried request gets the first job back instead of a second one. */
  dedupeKey?: string;
  /** The region the job works on; who may read its status. */
  regionCode?: string;
}

interface JobRow {
  id: string;
  name: string;
  state: JobView['state'];
  progress: number;
  result: unknown;
  error: unknown;
  region_code: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
  inserted: boolean;
}

@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: JobDispatcher,
  ) {}

  /**
   * Records a job inside the caller's transaction (so the job exists exactly when the change that
   * asked for it commits). Call `dispatch` after the commit.
   */
  async record(manager: EntityManager, name: string, data: object, options: EnqueueOptions = {}): Promise<string> {
    const actor = requestContext.current()?.actor;
    const rows: JobRow[] = await manager.query(
      `INSERT INTO jobs (name, data, dedupe_key, region_code, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO UPDATE SET updated_at = jobs.updated_at
       RETURNING id`,
      [name, JSON.stringify(data), options.dedupeKey ?? null, options.regionCode ?? null, actor?.id ?? null],
    );
    return rows[0].id;
  }

  dispatch(id: string, name: string): Promise<void> {
    return this.dispatcher.dispatch(id, name);
  }

  /** Records and dispatches in one step, for jobs that are not part of a larger change. */
  async enqueue(name: string, data: object, options: EnqueueOptions = {}): Promise<string> {
    const id = await this.dataSource.transaction((manager) => this.record(manager, name, data, options));
    await this.dispatch(id, name);
    return id;
  }

  async get(id: string, actor?: Actor): Promise<JobView> {
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT id, name, state, progress, result, error, region_code, created_by, created_at, finished_at
         FROM jobs WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    const visible =
      row &&
      (!actor ||
        row.created_by === actor.id ||
        (row.region_code !== null && new RegionScope(actor.regionCode).covers(row.region_code)));
    if (!visible) throw new NotFoundError('Job', id);
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      progress: row.progress,
      ...(row.result !== null ? { result: row.result } : {}),
      ...(row.error !== null ? { error: row.error } : {}),
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
    };
  }
}
