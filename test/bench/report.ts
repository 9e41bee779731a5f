import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { ActivitySampler } from './sampler.js';

/** Stage timing and the printed table. */
export interface StageResult {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The process's peak resident set so far (process.resourceUsage().maxRSS), in MiB. */
  peakRssMb: number;
  note?: string;
  /** The statements the database was busy with (see ActivitySampler), when sampled. */
  db?: { statement: string; share: number }[];
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export const BACKENDS = 'SELECT pid FROM pg_stat_activity WHERE datname = current_database()';

/**
 * CPU seconds used so far by the backends of the current database (`pids` runs `BACKENDS`), read
 * from /proc: the server runs on this machine. Backends that have ended are missed.
 */
export async function databaseCpuSeconds(pids: () => Promise<number[]>): Promise<number> {
  let ticks = 0;
  for (const pid of await pids()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // a backend that has just ended, or a server on another machine
    }
  }
  return ticks / 100;
}

/**
 * CPU seconds a stage costs: this process's (the service runs in it) and the database backends'
 * of the bench database (read from /proc: the server runs on this machine; backends that end
 * within the stage are missed). On a machine shared with other work, CPU time is steadier than the
 * wall clock.
 */
export class CpuClock {
  private node = process.cpuUsage();
  private database = 0;

  constructor(private readonly client: pg.Client) {}

  private readonly pids = async () => (await this.client.query<{ pid: number }>(BACKENDS)).rows.map((row) => row.pid);

  async start(): Promise<void> {
    this.database = await databaseCpuSeconds(this.pids);
    this.node = process.cpuUsage();
  }

  async stop(): Promise<{ node: number; database: number }> {
    const used = process.cpuUsage(this.node);
    return { node: (used.user + used.system) / 1e6, database: (await databaseCpuSeconds(this.pids)) - this.database };
  }
}

export class Stopwatch {
  private readonly started = process.hrtime.bigint();

  constructor(
    private readonly sampler: ActivitySampler | undefined,
    private readonly name: string,
  ) {
    sampler?.start();
  }

  stop(rows: number): StageResult {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const db = this.sampler?.stop();
    const result: StageResult = {
      name: this.name,
      rows,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      peakRssMb: peakRssMb(),
      ...(db ? { db } : {}),
    };
    process.stderr.write(
      `  ${this.name}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(result.rowsPerSecond)} rows/s, peak RSS ${result.peakRssMb} MiB\n`,
    );
    for (const entry of db ?? []) process.stderr.write(`      db ${entry.share.toFixed(2)}  ${entry.statement}\n`);
    return result;
  }
}

interface Report {
  households: number;
  copyRowsPerSecond: number;
  stages: {
    name: string;
    rows: number;
    seconds: number;
    rowsPerSecond: number;
    ratioToCopy: number;
    peakRssMb: number;
    note?: string;
  }[];
  http: {
    route: string;
    requestsPerSecond: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    non2xx: number;
    errors: number;
  }[];
  copyRowsPerSecondBeforeAfter: number[];
  pipelineSeconds: number;
  load: { rows: number; seconds: number; rowsPerSecond: number; persons: number };
}

/** The Markdown table printed at the end (and pasted into README.md). */
export function formatTable(report: Report): string {
  const lines = [
    `N = ${report.households} households (${report.load.persons} persons, ${report.load.rows} registry rows loaded by COPY in ${report.load.seconds} s)`,
    `raw COPY limit: ${report.copyRowsPerSecond} rows/s (before/after the stages: ${report.copyRowsPerSecondBeforeAfter.join(' / ')}); pipeline (eligibility .. verification): ${report.pipelineSeconds} s`,
    '',
    '| stage | rows | seconds | rows/s | ratio to COPY | peak RSS MiB | note |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...report.stages.map(
      (s) =>
        `| ${s.name} | ${s.rows} | ${s.seconds.toFixed(2)} | ${s.rowsPerSecond} | ${s.ratioToCopy.toFixed(3)} | ${s.peakRssMb} | ${s.note ?? ''} |`,
    ),
  ];
  if (report.http.length > 0) {
    lines.push(
      '',
      '| route | req/s | p50 ms | p95 ms | p99 ms | non-2xx | errors (timeouts) |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const h of report.http) {
      lines.push(
        `| ${h.route} | ${h.requestsPerSecond} | ${h.p50Ms} | ${h.p95Ms} | ${h.p99Ms} | ${h.non2xx} | ${h.errors} |`,
      );
    }
  }
  return lines.join('\n');
}
