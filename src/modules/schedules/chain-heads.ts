import { Injectable } from '@nestjs/common';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { queryOne } from '../../database/sql.js';
import { JobProcessor, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { Transactions } from '../../database/transactions.js';

export const HEADS_EXPORT_JOB = 'chains.heads-export';

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The last sealed block of each chain: what a later database must still contain, unchanged. */
export interface ChainHeads {
  exportedAt: string;
  ledger: ChainHead | null;
  audit: ChainHead | null;
}

/** A head of the file the database does not match: its block is missing (no `found`) or differs. */
export interface HeadsProblem {
  chain: 'ledger' | 'audit';
  seq: number;
  exportedAt: string;
  expected: string;
  found?: string;
}

export interface HeadsComparison {
  ok: boolean;
  /** Data, worded by the CLI in its language (`cli.headsMissing`, `cli.headsHash`). */
  problems: HeadsProblem[];
}

/**
 * Reads the heads of the ledger's and the audit trail's hash chains, writes them to
 * `DATA_DIR/heads/` (daily, by schedule, and with every backup), and compares a database against a
 * file of heads: a block the file names must still be there with the same hash, or the database was
 * rewritten (or restored from before the file was written).
 */
@Injectable()
@JobProcessor(HEADS_EXPORT_JOB)
export class ChainHeadsService implements JobHandler<Record<string, never>, { file: string }> {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {}

  async read(manager: EntityManager = this.transactions.dataSource.manager): Promise<ChainHeads> {
    const head = (table: 'ledger_blocks' | 'audit_blocks') =>
      queryOne<{ seq: string; hash: string }>(
        manager,
        `SELECT seq::text, hash FROM ${table} ORDER BY seq DESC LIMIT 1`,
      );
    const [ledger, audit] = await Promise.all([head('ledger_blocks'), head('audit_blocks')]);
    return {
      exportedAt: new Date().toISOString(),
      ledger: ledger ? { seq: Number(ledger.seq), hash: ledger.hash } : null,
      audit: audit ? { seq: Number(audit.seq), hash: audit.hash } : null,
    };
  }

  /** Writes the heads to `dir` (default DATA_DIR/heads) as `heads-<time>.json`; answers the path. */
  async export(dir = join(this.config.DATA_DIR, 'heads')): Promise<string> {
    const heads = await this.read();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `heads-${heads.exportedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(heads, null, 2)}\n`);
    return file;
  }

  async compare(file: string): Promise<HeadsComparison> {
    const heads = JSON.parse(await readFile(file, 'utf8')) as ChainHeads;
    const manager = this.transactions.dataSource.manager;
    const problems: HeadsProblem[] = [];
    for (const [chain, table] of [
      ['ledger', 'ledger_blocks'],
      ['audit', 'audit_blocks'],
    ] as const) {
      const expected = heads[chain];
      if (!expected) continue;
      const found = await queryOne<{ hash: string }>(manager, `SELECT hash FROM ${table} WHERE seq = $1`, [
        expected.seq,
      ]);
      const head = { chain, seq: expected.seq, exportedAt: heads.exportedAt, expected: expected.hash };
      if (!found) problems.push(head);
      else if (found.hash !== expected.hash) problems.push({ ...head, found: found.hash });
    }
    return { ok: problems.length === 0, problems };
  }

  async run(job: JobContext<Record<string, never>>): Promise<{ file: string }> {
    const file = await this.export();
    await job.progress(100);
    return { file };
  }
}
