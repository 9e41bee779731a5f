import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import { requestContext, type Actor } from '../../common/request-context.js';
import { JobDispatcher } from './job-queue.js';
import { Transactions } from '../../database/transactions.js';

export interface JobView {
  id: string;
  name: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  progress: number;
  /** Runs so far; a run that crashed or hit a transient error counts. */
  attempts: number;
  result?: unknown;
  error?: unknown;
  /** Why the previous run stopped, while the job waits for its next attempt. */
  lastError?: unknown;
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
  attempts: number;
  result: unknown;
  error: unknown;
  last_error: unknown;
  region_code: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
  inserted: boolean;
}

const JOB_COLUMNS = `id, name, state, progress, attempts, result, error, last_error, region_code, created_by,
  created_at, finished_at`;

@Injectable()
export class JobsService {
  private readonly logger = new Logger('Jobs');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
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

  /**
   * Hands a recorded job to the queue. A queue that does not answer (Redis down or paused) does not
   * fail the request that recorded the job: the row says `waiting`, and the sweeper of the job
   * runners queues it once the queue is back.
   */
  async dispatch(id: string, name: string): Promise<void> {
    try {
      await this.dispatcher.dispatch(id, name);
    } catch (error) {
      this.logger.warn({ err: error, jobId: id }, 'could not queue the job now; the sweeper will queue it');
    }
  }

  /** Records and dispatches in one step, for jobs that are not part of a larger change. */
  async enqueue(name: string, data: object, options: EnqueueOptions = {}): Promise<string> {
    const id = await this.transactions.run((manager) => this.record(manager, name, data, options));
    await this.dispatch(id, name);
    return id;
  }

  async get(id: string, actor?: Actor): Promise<JobView> {
    const rows: JobRow[] = await this.dataSource.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
    const row = rows[0];
    const visible =
      row &&
      (!actor ||
        row.created_by === actor.id ||
        (row.region_code !== null && new RegionScope(actor.regionCode).covers(row.region_code)));
    if (!visible) throw new NotFoundError('Job', id);
    return toJobView(row);
  }

  /** The caller's own jobs, newest first (GET /jobs?mine=true). */
  async mine(actor: Actor, limit: number, cursor?: string): Promise<Page<JobView>> {
    const after = decodeCursor(cursor, [cursorPart.isoTime, cursorPart.uuid]);
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM jobs
        WHERE created_by = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [actor.id, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    return toPage(rows, limit, (row) => [row.created_at.toISOString(), row.id], toJobView);
  }
}

function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    progress: row.progress,
    attempts: row.attempts,
    ...(row.result !== null ? { result: row.result } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    ...(row.last_error !== null && row.state !== 'completed' && row.error === null
      ? { lastError: row.last_error }
      : {}),
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
