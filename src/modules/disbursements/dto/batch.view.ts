import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ApiMoney,
  ApiNullableString,
  ApiTimestamp,
  PageOf,
  PERIOD_PATTERN,
} from '../../../common/openapi/properties.js';
import { POLICY_CODES } from '../../policies/policy-codes.js';
import { BATCH_STATUSES } from '../disbursements.repository.js';

/** A beneficiary the batch could not pay, and why (NO_BANK_ACCOUNT, ACCOUNT_NOT_FIXED, ...). */
export class BatchExceptionView {
  @ApiProperty({ format: 'uuid' }) householdId!: string;
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiProperty({ example: 'NO_BANK_ACCOUNT: 户内无一卡通账户', description: "In the caller's language" })
  reason!: string;
  @ApiProperty({
    example: 'NO_BANK_ACCOUNT',
    enum: ['NO_BANK_ACCOUNT', 'INVALID_BANK_ACCOUNT', 'ACCOUNT_NOT_FIXED'],
    description: 'The reason, the same in every language',
  })
  reasonCode!: string;
}

/** Why generation stopped (the generation job's problem), while the batch is GENERATION_FAILED. */
export class GenerationErrorView {
  @ApiProperty({ example: 'JOB_RETRIES_EXHAUSTED' }) code!: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty() attempts!: number;
}

/** A disbursement batch (disbursements.service.ts `BatchView`). */
export class BatchView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'RURAL_REWARD-2012-410122-001' }) batchNo!: string;
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiProperty({ pattern: PERIOD_PATTERN, example: '2012' }) period!: string;
  @ApiProperty({ example: 2012 }) fiscalYear!: number;
  @ApiProperty({ example: '410122' }) countyCode!: string;
  @ApiProperty({ enum: BATCH_STATUSES }) status!: string;
  @ApiProperty() lineCount!: number;
  @ApiMoney({ example: '2880.00' }) totalAmount!: string;
  @ApiProperty() exceptionCount!: number;
  @ApiPropertyOptional({ type: [BatchExceptionView], description: 'Only on GET /disbursement-batches/{id}' })
  exceptions?: BatchExceptionView[];
  @ApiNullableString({ format: 'uuid' }) generationJobId!: string | null;
  @ApiProperty({
    type: GenerationErrorView,
    nullable: true,
    description: 'Why generation stopped, while GENERATION_FAILED',
  })
  generationError!: GenerationErrorView | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiNullableString({ format: 'uuid' }) submittedBy!: string | null;
  @ApiNullableString({ format: 'uuid' }) approvedBy!: string | null;
  @ApiTimestamp({ nullable: true }) approvedAt!: string | null;
  @ApiNullableString({ format: 'uuid' }) rejectedBy!: string | null;
  @ApiNullableString() rejectReason!: string | null;
  @ApiNullableString({ description: 'SHA-256 (hex) of the bank file, recorded at the first export' })
  bankFileSha256!: string | null;
  @ApiNullableString({ description: 'The bank format the batch was exported in (GET /bank-formats), once exported' })
  bankFormat!: string | null;
  @ApiTimestamp({ nullable: true }) exportedAt!: string | null;
  @ApiTimestamp({ nullable: true }) settledAt!: string | null;
  @ApiTimestamp({ nullable: true }) closedAt!: string | null;
  @ApiNullableString({ format: 'uuid' }) cancelledBy!: string | null;
  @ApiTimestamp({ nullable: true }) cancelledAt!: string | null;
  @ApiNullableString() cancelReason!: string | null;
  @ApiTimestamp() createdAt!: string;
}

export const BatchPage = PageOf(BatchView);

/** One payment line of a batch (disbursements.service.ts `LineView`). */
export class BatchLineView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty({ format: 'uuid' }) householdId!: string;
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiProperty({ type: [String], example: ['2012'], description: 'The periods (YYYY or YYYY-MM) the line pays' })
  periods!: string[];
  @ApiMoney({ description: 'What the bank pays (the net): grossAmount - offsetAmount' }) amount!: string;
  @ApiMoney({ description: 'What the line is owed' }) grossAmount!: string;
  @ApiMoney({ description: "Kept back to recover the household's overpayment claims" }) offsetAmount!: string;
  @ApiProperty({ enum: ['PENDING', 'PAID', 'FAILED', 'CANCELLED'] }) status!: string;
  @ApiNullableString({ description: "The bank's reference of a paid line" }) bankRef!: string | null;
  @ApiNullableString({ description: "The bank's reason for a failed line" }) reason!: string | null;
  @ApiProperty({ description: 'Masked unless the caller is FINANCE' }) accountNo!: string;
  @ApiProperty() accountName!: string;
}

export const BatchLinePage = PageOf(BatchLineView);

/** 202: the batch in DRAFT while its generation job runs. */
export class BatchAcceptedView {
  @ApiProperty({ type: BatchView }) batch!: BatchView;
  @ApiProperty({ format: 'uuid', description: 'The generation job: GET /jobs/{id}' }) jobId!: string;
}

/** What a bank result file settled. */
export class SettlementView {
  @ApiProperty({ type: BatchView }) batch!: BatchView;
  @ApiProperty({ description: 'Lines newly paid' }) paid!: number;
  @ApiProperty({ description: 'Lines newly failed' }) failed!: number;
  @ApiProperty({ description: 'Lines the file repeated as they already stood' }) unchanged!: number;
}
