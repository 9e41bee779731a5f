import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import { CLAIM_STATUSES } from '../overpayments.repository.js';

export class ListClaimsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CLAIM_STATUSES })
  @IsOptional()
  @IsIn(CLAIM_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: '410122', description: 'Claims of this region and the regions inside it' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, localized('regionCodeDigits'))
  regionCode?: string;
}

export class RefundDto {
  @ApiProperty({ example: '50.00', description: 'Yuan, a positive decimal string with up to two places' })
  @IsString()
  @Matches(/^(?!0+(\.0+)?$)\d{1,12}(\.\d{1,2})?$/, localized('positiveAmount'))
  amount!: string;

  @ApiProperty({ example: 'R-2012-000123', description: 'The receipt number of the repayment' })
  @IsString()
  @Matches(/^[\p{L}\p{N}._:/-]{1,60}$/u, localized('receiptNo'))
  receiptNo!: string;

  @ApiProperty({ example: '2012-09-10', description: 'The day the money was received (YYYY-MM-DD)' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, localized('dateShort'))
  date!: string;
}

export class WriteOffDto {
  @ApiProperty({ example: '户主已故，无可追回财产' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class RecheckOverpaymentsDto {
  @ApiPropertyOptional({ example: '410100', description: "The region to re-check (default: the caller's)" })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, localized('regionCodeDigits'))
  regionCode?: string;
}

export class ClaimLineDto {
  @ApiProperty() lineId!: string;
  @ApiProperty() batchId!: string;
  @ApiProperty() batchNo!: string;
  @ApiProperty({ example: '2012-05', description: 'The paid unit: a month, a year or ONCE' }) period!: string;
  @ApiProperty() fiscalYear!: number;
  @ApiProperty({ example: '10.00' }) paid!: string;
  @ApiProperty({ example: '0.00', description: 'What the corrected registry says was owed' }) owed!: string;
  @ApiProperty({ example: '10.00', description: 'paid - owed' }) amount!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The life event that showed it' })
  causeEventId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Or the re-check job that found it' })
  causeJobId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'DEATH', description: "The causing event's type" })
  causeEventType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2012-03-15', description: "The causing event's date" })
  causeEventDate!: string | null;
  @ApiProperty() foundAt!: string;
  @ApiProperty({ nullable: true, type: String }) withdrawnAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) withdrawnByEventId!: string | null;
}

export class ClaimRecoveryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['OFFSET', 'REFUND', 'WRITE_OFF', 'WITHDRAWAL'] }) kind!: string;
  @ApiProperty({ enum: ['RESERVED', 'DONE', 'CANCELLED', 'REVERSED'] }) status!: string;
  @ApiProperty({ example: '5.00' }) amount!: string;
  @ApiProperty({ nullable: true, type: String }) batchId!: string | null;
  @ApiProperty({ nullable: true, type: String }) lineId!: string | null;
  @ApiProperty({ nullable: true, type: String }) receiptNo!: string | null;
  @ApiProperty({ nullable: true, type: String }) date!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty() createdAt!: string;
}

export class RejectWriteOffDto {
  @ApiProperty({ example: '户内尚有收入，应继续抵扣追回' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class ClaimWriteOffDto {
  @ApiProperty({ nullable: true, type: String, description: 'The pending or approved proposal; null when none' })
  reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) proposedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) proposedByUsername!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedByUsername!: string | null;
}

const JSON_OBJECT = { type: 'object', additionalProperties: true, nullable: true } as const;

export class ClaimEventDto {
  @ApiProperty() id!: string;
  @ApiProperty() at!: string;
  @ApiProperty({
    example: 'overpayment.write_off_proposed',
    description:
      'overpayment.claim_opened, periods_added, periods_withdrawn, offset_recovered, offset_released, ' +
      'offset_reversed, claims_merged, refunded, write_off_proposed, write_off_rejected, write_off_withdrawn, written_off',
  })
  action!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null: the system (a re-check job, a stale proposal)' })
  actorUsername!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorRole!: string | null;
  @ApiProperty(JSON_OBJECT) before!: Record<string, unknown> | null;
  @ApiProperty(JSON_OBJECT) after!: Record<string, unknown> | null;
}

export class ClaimDto {
  @ApiProperty() id!: string;
  @ApiProperty() claimNo!: string;
  @ApiProperty() householdId!: string;
  @ApiProperty({ nullable: true, type: String }) personId!: string | null;
  @ApiProperty() policyCode!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() countyCode!: string;
  @ApiProperty({ enum: CLAIM_STATUSES }) status!: string;
  @ApiProperty({ example: '30.00', description: 'Overpaid in total (periods withdrawn left out)' }) amount!: string;
  @ApiProperty({ example: '5.00', description: 'Recovered by offsets and refunds' }) recovered!: string;
  @ApiProperty({ example: '0.00' }) writtenOff!: string;
  @ApiProperty({ example: '5.00', description: 'Offsets on generated lines of batches not yet approved' })
  reserved!: string;
  @ApiProperty({ example: '25.00', description: 'amount - recovered - writtenOff' }) outstanding!: string;
  @ApiProperty({ type: ClaimWriteOffDto }) writeOff!: ClaimWriteOffDto;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ type: [ClaimLineDto] }) lines!: ClaimLineDto[];
  @ApiProperty({ type: [ClaimRecoveryDto] }) recoveries!: ClaimRecoveryDto[];
}

/** One claim as its own routes answer it: with its history (the list leaves it out). */
export class ClaimDetailDto extends ClaimDto {
  @ApiProperty({ type: [ClaimEventDto], description: "The claim's audit trail, oldest first" })
  history!: ClaimEventDto[];
}

export class ClaimPageDto {
  @ApiProperty({ type: [ClaimDto] }) items!: ClaimDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
