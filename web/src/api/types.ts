/**
 * Shapes the OpenAPI document does not describe yet (its routes answer with a description but no
 * schema). Each mirrors the server's view type named beside it; when the server adds the schema,
 * the generated type in schema.d.ts replaces the one here.
 */
import type { components } from './schema';

export type Schemas = components['schemas'];
export type PolicyCode = Schemas['CreateBatchDto']['policyCode'];
export type Role = Schemas['UserDto']['role'];

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: { field?: string; line?: number; message: string }[];
  failures?: { id: string; status: number; code: string; detail: string }[];
  [key: string]: unknown;
}

/** src/modules/enrollments/enrollments.service.ts EnrollmentView. */
export interface Enrollment {
  id: string;
  householdId: string;
  policyCode: PolicyCode;
  beneficiaryPersonId: string | null;
  regionCode: string;
  status: EnrollmentStatus;
  statusReason: string | null;
  openedBy: string;
  submittedBy: string | null;
  publicizedBy: string | null;
  publicizedOn: string | null;
  noticeEndsOn: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  activeFrom: string | null;
  endedOn: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EnrollmentDetail extends Enrollment {
  history: {
    from: string | null;
    to: string;
    actorId: string | null;
    reason: string | null;
    asOf: string | null;
    explanation: unknown;
    at: string;
  }[];
}

export type EnrollmentStatus =
  'DRAFT' | 'SUBMITTED' | 'PUBLICIZED' | 'APPROVED' | 'ACTIVE' | 'REJECTED' | 'SUSPENDED' | 'TERMINATED';

/**
 * src/modules/disbursements/disbursements.service.ts BatchView. A batch whose generation cannot
 * finish is `GENERATION_FAILED` with `generationError` (resume or cancel it).
 */
export interface Batch {
  id: string;
  batchNo: string;
  policyCode: PolicyCode;
  period: string;
  fiscalYear: number;
  countyCode: string;
  status: BatchStatus;
  lineCount: number;
  totalAmount: string;
  exceptionCount: number;
  exceptions?: { householdId: string; personId: string | null; reason: string }[];
  generationJobId: string | null;
  createdBy: string;
  submittedBy: string | null;
  approvedBy: string | null;
  rejectReason: string | null;
  generationError: { code: string; detail: string; jobId?: string; attempts?: number } | null;
  cancelReason: string | null;
}

export type BatchStatus =
  | 'DRAFT'
  | 'GENERATED'
  | 'GENERATION_FAILED'
  | 'SUBMITTED'
  | 'APPROVED'
  | 'REJECTED'
  | 'EXPORTED'
  | 'SETTLED'
  | 'CLOSED'
  | 'CANCELLED';

/** BatchView's LineView. */
export interface BatchLine {
  id: string;
  lineNo: number;
  householdId: string;
  personId: string | null;
  periods: string[];
  amount: string;
  status: string;
  bankRef: string | null;
  reason: string | null;
  accountNo: string;
  accountName: string;
}

/** src/modules/jobs/jobs.service.ts JobView. */
export interface Job {
  id: string;
  name: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  progress: number;
  result?: unknown;
  error?: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
