/**
 * The console's names for the API's shapes: the generated schemas of schema.d.ts (`npm run web:api`),
 * under the names the pages use. Only the generic page and the problem (which the console also
 * builds itself, for network failures) are written here.
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

/** An enrollment (src/modules/enrollments/dto/enrollment.view.ts). */
export type Enrollment = Schemas['EnrollmentView'];

/** An enrollment with its transitions and the explanations stored with them. */
export type EnrollmentDetail = Schemas['EnrollmentDetailView'];

export type EnrollmentStatus = Enrollment['status'];

/**
 * A disbursement batch (src/modules/disbursements/dto/batch.view.ts). A batch whose generation
 * cannot finish is `GENERATION_FAILED` with `generationError` (resume or cancel it).
 */
export type Batch = Schemas['BatchView'];

export type BatchStatus = Batch['status'];

/** One payment line of a batch. */
export type BatchLine = Schemas['BatchLineView'];

/** A background job (src/modules/jobs/dto/job.view.ts). */
export type Job = Schemas['JobView'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
