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

export function headerLine(header: BlockHeader): string {
  return `${JSON.stringify([header.seq, header.prevHash, header.transferCount, header.createdAt])}\n`;
}

export function transferLine(t: CanonicalTransfer): string {
  return `${JSON.stringify([
    t.id,
    t.idempotencyId,
    t.code,
    t.amount,
    accountArray(t.debit),
    accountArray(t.credit),
    t.batchId,
    t.lineId,
    t.reversesTransferId,
  ])}\n`;
}

/** Hashes a block incrementally, so that verification can stream a large block's transfers. */
export class BlockHasher {
  private readonly sha = createHash('sha256');
  private lastId: bigint | undefined;
  private outOfOrder = false;

  constructor(header: BlockHeader) {
    this.sha.update(`${BLOCK_FORMAT}\n`, 'utf8');
    this.sha.update(headerLine(header), 'utf8');
  }

  add(transfer: CanonicalTransfer): this {
    const id = BigInt(transfer.id);
    if (this.lastId !== undefined && id <= this.lastId) this.outOfOrder = true;
    this.lastId = id;
    this.sha.update(transferLine(transfer), 'utf8');
    return this;
  }

  /** The hex digest; throws if transfers were not added in ascending id order. */
  digest(): string {
    if (this.outOfOrder) throw new RangeError('transfers must be hashed in ascending id order');
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
