import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiTimestamp, PageOf } from '../../../common/openapi/properties.js';

/** An object of any fields (each job's result has its own). */
const JSON_OBJECT = { type: 'object', additionalProperties: true } as const;

/** A background job as GET /jobs/{id} answers it (jobs.service.ts `JobView`). */
export class JobView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'batch.generate' }) name!: string;
  @ApiProperty({ enum: ['waiting', 'active', 'completed', 'failed'] }) state!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ description: 'Runs so far; a run that crashed or hit a transient error counts' }) attempts!: number;
  @ApiPropertyOptional({ ...JSON_OBJECT, description: 'What a completed job produced (its own shape per job)' })
  result?: Record<string, unknown>;
  @ApiPropertyOptional({ ...JSON_OBJECT, description: 'Why a failed job failed (a problem details body)' })
  error?: Record<string, unknown>;
  @ApiPropertyOptional({
    ...JSON_OBJECT,
    description: 'Why the previous run stopped, while the job waits for its next attempt',
  })
  lastError?: Record<string, unknown>;
  @ApiTimestamp() createdAt!: string;
  @ApiTimestamp({ nullable: true }) finishedAt!: string | null;
}

export const JobPage = PageOf(JobView);

/** 202: long work was started; follow it with GET /jobs/{id}. */
export class JobAcceptedView {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
}
