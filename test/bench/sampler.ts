import pg from 'pg';

/**
 * A poor man's profiler of the database: every `intervalMs`, which statements of the bench
 * database are active (pg_stat_activity). Sample counts per statement approximate where the
 * server spends its time in a stage, without pg_stat_statements (not loadable in the embedded
 * server). The statement text is shortened and its whitespace collapsed.
 */
export class ActivitySampler {
  private readonly client: pg.Client;
  private counts = new Map<string, number>();
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    url: string,
    private readonly database: string,
    private readonly intervalMs = 25,
  ) {
    this.client = new pg.Client({ connectionString: url });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  start(): void {
    this.counts = new Map();
    this.samples = 0;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.client.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity
          WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() AND query NOT LIKE 'COPY bench_%'`,
        [this.database],
      );
      this.samples++;
      for (const { query } of rows) {
        const key = query.replace(/\s+/g, ' ').trim().slice(0, 110);
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    } catch {
      // a sample lost is no matter
    } finally {
      this.busy = false;
    }
  }

  /** Stops and answers the top statements with their share of samples (1 = active in every sample). */
  stop(top = 5): { statement: string; share: number }[] {
    clearInterval(this.timer);
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([statement, count]) => ({ statement, share: Number((count / Math.max(1, this.samples)).toFixed(2)) }));
  }

  async end(): Promise<void> {
    clearInterval(this.timer);
    await this.client.end();
  }
}
