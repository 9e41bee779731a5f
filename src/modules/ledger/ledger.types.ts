import type { Decimal } from 'decimal.js';
import type { FundingLevel } from '../policies/policy-codes.js';

/** The accounts of one budget line (see README.md, "Ledger and chart of accounts"). */
export const ACCOUNT_CODES = ['FUNDING', 'AVAILABLE', 'COMMITTED', 'SPENT', 'RECEIVABLE'] as const;
export type AccountCode = (typeof ACCOUNT_CODES)[number];

export const TRANSFER_CODES = [
  'APPROPRIATION',
  'COMMITMENT',
  'PAYMENT',
  'RELEASE',
  'REVERSAL',
  'OVERPAYMENT',
  'RECOVERY',
  'WRITE_OFF',
  'OVERPAYMENT_WITHDRAWN',
] as const;
export type TransferCode = (typeof TRANSFER_CODES)[number];

export const ACCOUNT_FLAGS = ['DEBITS_MUST_NOT_EXCEED_CREDITS', 'CREDITS_MUST_NOT_EXCEED_DEBITS'] as const;
export type AccountFlag = (typeof ACCOUNT_FLAGS)[number];

/** What an account applies to. Ids are bigint in the database and decimal strings in code. */
export interface AccountRef {
  id: string;
  code: AccountCode;
  fiscalYear: number | null;
  policyCode: string | null;
  fundingLevel: FundingLevel | null;
  countyCode: string | null;
}

export interface LedgerAccount extends AccountRef {
  flags: AccountFlag[];
  debitsPosted: Decimal;
  creditsPosted: Decimal;
}

/** One transfer to post: moves `amount` from the debit account to the credit account. */
export interface TransferInput {
  /** Unique forever: posting the same id again returns the first transfer and posts nothing. */
  idempotencyId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: Decimal;
  code: TransferCode;
  batchId?: string | null;
  lineId?: string | null;
  reversesTransferId?: string | null;
}

export interface LedgerTransfer {
  id: string;
  idempotencyId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: Decimal;
  code: TransferCode;
  batchId: string | null;
  lineId: string | null;
  reversesTransferId: string | null;
  blockSeq: string;
}

export interface SealedBlock {
  seq: string;
  prevHash: string;
  hash: string;
  transferCount: number;
  /** Canonical UTC timestamp with microseconds, as hashed. */
  createdAt: string;
}

export interface PostResult {
  /** In input order: the new transfers and, for ids already posted, the existing ones. */
  transfers: LedgerTransfer[];
  /** How many of them this call created (0 when everything was a retry). */
  created: number;
  /**
   * The blocks sealing the new transfers, in order: one per call, or one per MAX_BLOCK_TRANSFERS
   * for larger posts; empty when nothing new was posted.
   */
  blocks: SealedBlock[];
  /** The last of `blocks`; null when nothing new was posted. */
  block: SealedBlock | null;
}
