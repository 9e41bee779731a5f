import { createHash, type Hash } from 'node:crypto';

/**
 * The canonical serialization of a ledger block, hashed with SHA-256 (README.md, "Ledger and chart
 * of accounts", documents it for auditors who re-implement it). The text is UTF-8 lines, each
 * ending in "\n":
 *
 *   yikatong-ledger-block-v1
 *   ["<seq>","<prev_hash>",<transfer_count>,"<created_at>"]
 *   ["<id>","<idempotency_id>","<code>","<amount>",<debit account>,<credit account>,<batch_id>,<line_id>,<reverses_transfer_id>]
 *   ... one line per transfer, in ascending id order
 *
 * where every line after the first is a JSON array as ECMAScript JSON.stringify writes it (no
 * whitespace), ids and seq are decimal strings, amounts have exactly two places ("960.00"),
 * created_at is UTC with microseconds ("2026-11-28T15:31:16.123000Z"), an account is
 * ["<id>","<code>",<fiscal_year>,"<policy_code>","<funding_level>","<county_code>"] (null where it
 * does not apply) and absent references are null.
 */
export const BLOCK_FORMAT = 'yikatong-ledger-block-v1';
export const GENESIS_HASH = '0'.repeat(64);

export interface BlockHeader {
  seq: string;
  prevHash: string;
  transferCount: number;
  createdAt: string;
}

export interface CanonicalAccount {
  id: string;
  code: string;
  fiscalYear: number | null;
  policyCode: string | null;
  fundingLevel: string | null;
  countyCode: string | null;
}

export interface CanonicalTransfer {
  id: string;
  idempotencyId: string;
  code: string;
  /** Exactly two places. */
  amount: string;
  debit: CanonicalAccount;
  credit: CanonicalAccount;
  batchId: string | null;
  lineId: string | null;
  reversesTransferId: string | null;
}

const accountArray = (a: CanonicalAccount) => [a.id, a.code, a.fiscalYear, a.policyCode, a.fundingLevel, a.countyCode];

/** An account as it appears in a transfer line (computed once per account by bulk callers). */
export const accountJson = (a: CanonicalAccount): string => JSON.stringify(accountArray(a));

/** A string or null exactly as JSON.stringify writes it inside an array. */
const json = (value: string | null | undefined) => (value == null ? 'null' : JSON.stringify(value));

export function headerLine(header: BlockHeader): string {
  return `${JSON.stringify([header.seq, header.prevHash, header.transferCount, header.createdAt])}\n`;
}

/**
 * A transfer's line with its accounts already serialized by accountJson: the same text as
 * JSON.stringify of the whole array (transferLine), without building the array.
 */
export function transferLineOf(
  t: Omit<CanonicalTransfer, 'debit' | 'credit'>,
  debitJson: string,
  creditJson: string,
): string {
  return `[${json(t.id)},${json(t.idempotencyId)},${json(t.code)},${json(t.amount)},${debitJson},${creditJson},${json(t.batchId)},${json(t.lineId)},${json(t.reversesTransferId)}]\n`;
}

export function transferLine(t: CanonicalTransfer): string {
  return transferLineOf(t, accountJson(t.debit), accountJson(t.credit));
}

/** Whether decimal id `a` (no sign, no leading zeros) is below `b`, without parsing either. */
const idBelow = (a: string, b: string) => (a.length === b.length ? a < b : a.length < b.length);

/** Hashes a block incrementally, so that verification can stream a large block's transfers. */
export class BlockHasher {
  private readonly sha = createHash('sha256');
  private lastId: string | undefined;
  private outOfOrder = false;
  /** Lines not yet hashed: one update per ~64 KiB instead of one per transfer. */
  private pending = '';

  constructor(header: BlockHeader) {
    this.sha.update(`${BLOCK_FORMAT}\n`, 'utf8');
    this.sha.update(headerLine(header), 'utf8');
  }

  add(transfer: CanonicalTransfer): this {
    return this.addLine(transfer.id, transferLine(transfer));
  }

  /** Adds a transfer's line as transferLine or transferLineOf wrote it; `id` is the transfer's id. */
  addLine(id: string, line: string): this {
    if (this.lastId !== undefined && !idBelow(this.lastId, id)) this.outOfOrder = true;
    this.lastId = id;
    this.pending += line;
    if (this.pending.length >= 65_536) {
      this.sha.update(this.pending, 'utf8');
      this.pending = '';
    }
    return this;
  }

  /** The hex digest; throws if transfers were not added in ascending id order. */
  digest(): string {
    if (this.outOfOrder) throw new RangeError('transfers must be hashed in ascending id order');
    this.sha.update(this.pending, 'utf8');
    this.pending = '';
    return (this.sha as Hash).digest('hex');
  }
}

export function hashBlock(header: BlockHeader, transfers: CanonicalTransfer[]): string {
  const hasher = new BlockHasher(header);
  for (const transfer of transfers) hasher.add(transfer);
  return hasher.digest();
}

/** A JS Date (millisecond precision) in the canonical microsecond form. */
export function canonicalTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, -1)}000Z`;
}

/** The same form computed by PostgreSQL from a timestamptz column. */
export const CANONICAL_TIMESTAMP_SQL = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
