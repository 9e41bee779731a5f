import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

/** A value of a COPY text row: null is `\N`, arrays are PostgreSQL array literals of text. */
export type CopyValue = string | number | null | readonly string[];

const SPECIAL = /[\\\t\n\r]/;
const escapeText = (text: string): string =>
  SPECIAL.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : text;
const arrayLiteral = (items: readonly string[]): string =>
  `{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

/** One row of COPY's text format (tab-separated, `\N` for null, backslash escapes), with its newline. */
export function copyRow(values: readonly CopyValue[]): string {
  let row = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) row += '\t';
    if (value === null) row += '\\N';
    else if (typeof value === 'number') row += String(value);
    else if (typeof value === 'string') row += escapeText(value);
    else row += escapeText(arrayLiteral(value));
  }
  return `${row}\n`;
}

/**
 * The node-postgres client under a TypeORM manager's query runner (inside `Transactions.run`, the
 * transaction's own connection), so that COPY runs in the same transaction as the statements.
 */
async function clientOf(manager: EntityManager): Promise<pg.PoolClient> {
  const runner = manager.queryRunner as unknown as { connect(): Promise<pg.PoolClient> } | undefined;
  if (!runner) throw new TypeError('COPY needs a transaction (a manager with its own query runner)');
  return runner.connect();
}

/**
 * `COPY target FROM STDIN` on a node-postgres client: the rows (from copyRow) are streamed in 64 KiB
 * writes with backpressure; one round trip instead of a statement or parameter array per row.
 */
export async function copyRowsTo(
  client: pg.Client | pg.PoolClient,
  target: string,
  rows: Iterable<string>,
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  const done = finished(stream);
  let count = 0;
  let buffer = '';
  for (const row of rows) {
    buffer += row;
    count++;
    if (buffer.length >= 1 << 16) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  if (buffer.length > 0) stream.write(buffer);
  stream.end();
  await done;
  return count;
}

/** copyRowsTo in the manager's transaction (its own connection). */
export async function copyInto(manager: EntityManager, target: string, rows: Iterable<string>): Promise<number> {
  return copyRowsTo(await clientOf(manager), target, rows);
}

/**
 * The rows of `COPY (query) TO STDOUT` as text lines (tab-separated, COPY's escapes), streamed from
 * one statement on a connection of its own: no paging round trips. The connection is released when
 * the stream ends, fails or is abandoned.
 */
export async function* copyOut(
  connect: () => Promise<{ client: pg.PoolClient; release: () => Promise<void> }>,
  query: string,
): AsyncGenerator<string[]> {
  const { client, release } = await connect();
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  try {
    // A chunk may end inside a character: the decoder keeps its first bytes for the next one.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(chunk);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) yield line.split('\t').map(unescapeText);
    }
    rest += decoder.end();
    if (rest) yield rest.split('\t').map(unescapeText);
  } finally {
    stream.destroy();
    await release();
  }
}

/** A field of COPY's text output back to its text (every field this module reads is non-null). */
function unescapeText(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}
