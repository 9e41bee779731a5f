import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * COPY ... FROM STDIN through pg-copy-streams: the client streams text rows to the server with
 * backpressure, without building statements or parameter arrays (the service's own function).
 */
export { copyRowsTo as copyRows } from '../../src/database/copy.js';

/** An open COPY that rows are written to as they come (the enrollment staging during eligibility). */
export class CopyWriter {
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly done: Promise<void>;
  private buffer = '';
  count = 0;

  constructor(client: pg.Client, target: string) {
    this.stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
    this.done = finished(this.stream);
    this.done.catch(() => undefined);
  }

  /** Queues a row; call `drain` now and then to hand what is queued to the server. */
  push(row: string): void {
    this.buffer += row;
    this.count++;
  }

  /** Writes what is queued, waiting while the server is behind. */
  async drain(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<number> {
    await this.drain();
    this.stream.end();
    await this.done;
    return this.count;
  }
}

/** Escapes a value for COPY text format (backslash, tab, newline, carriage return). */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
