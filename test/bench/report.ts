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
