import { Foundation1764300000000 } from './1764300000000-foundation.js';
import { Registry1764400000000 } from './1764400000000-registry.js';
import { Policies1764500000000 } from './1764500000000-policies.js';
import { Ledger1764600000000 } from './1764600000000-ledger.js';
import { Enrollments1764700000000 } from './1764700000000-enrollments.js';
import { Disbursements1764800000000 } from './1764800000000-disbursements.js';
import { AuditChain1764900000000 } from './1764900000000-audit-chain.js';
import { BenchIndexes1765000000000 as CertificateAsOfIndex1765000000000 } from './1765000000000-certificate-as-of-index.js';
import { PerformanceIndexes1765100000000 as NamePrefixAndGenerationIndexes1765100000000 } from './1765100000000-name-prefix-and-generation-indexes.js';
import { LedgerBulkPosting1765300000000 } from './1765300000000-ledger-bulk-posting.js';
import { BatchLineKeys1765400000000 } from './1765400000000-batch-line-keys.js';
import { JobResilience1765500000000 as JobLeasesAndFailedGeneration1765500000000 } from './1765500000000-job-leases-and-failed-generation.js';
import { Schedules1765600000000 } from './1765600000000-schedules.js';
import { ParentLinksResidence1765700000000 } from './1765700000000-parent-links-residence.js';
import { PolicyCatalogueR21765700000001 } from './1765700000001-policy-catalogue-r2.js';
import { MemberLeft1765700000002 } from './1765700000002-member-left.js';
import { MemberMoves1765800000000 } from './1765800000000-member-moves.js';
import { ImportedEnrollments1765820000000 } from './1765820000000-imported-enrollments.js';
import { MonthlyBatchDrafts1765820000001 } from './1765820000001-monthly-batch-drafts.js';
import { BankFormats1765830000000 } from './1765830000000-bank-formats.js';
import { Overpayments1765860000000 } from './1765860000000-overpayments.js';
import { UserRealName1765850000000 } from './1765850000000-user-real-name.js';
import { OffsetShareAndReversal1765870000000 } from './1765870000000-offset-share-and-reversal.js';
import { PiiEncryption1765930000000 } from './1765930000000-pii-encryption.js';
import { LineDecisions1765960000000 } from './1765960000000-line-decisions.js';
import { ReasonCodes1765970000000 } from './1765970000000-reason-codes.js';

/**
 * Every migration, in order. Listed explicitly (rather than globbed) so that the compiled service,
 * the CLI and the test setup all run exactly the same set. Add new ones at the end.
 *
 * Files are named for what they change. TypeORM records a migration by its `name` property (the
 * class name only when that is missing), so a file renamed for clarity keeps its class and `name`,
 * imported here under a descriptive alias: deployed databases see the same recorded names and do not
 * run it again.
 */
export const MIGRATIONS = [
  Foundation1764300000000,
  Registry1764400000000,
  Policies1764500000000,
  Ledger1764600000000,
  Enrollments1764700000000,
  Disbursements1764800000000,
  AuditChain1764900000000,
  CertificateAsOfIndex1765000000000,
  NamePrefixAndGenerationIndexes1765100000000,
  LedgerBulkPosting1765300000000,
  BatchLineKeys1765400000000,
  JobLeasesAndFailedGeneration1765500000000,
  Schedules1765600000000,
  ParentLinksResidence1765700000000,
  PolicyCatalogueR21765700000001,
  MemberLeft1765700000002,
  MemberMoves1765800000000,
  ImportedEnrollments1765820000000,
  MonthlyBatchDrafts1765820000001,
  BankFormats1765830000000,
  Overpayments1765860000000,
  UserRealName1765850000000,
  OffsetShareAndReversal1765870000000,
  PiiEncryption1765930000000,
  LineDecisions1765960000000,
  ReasonCodes1765970000000,
];
