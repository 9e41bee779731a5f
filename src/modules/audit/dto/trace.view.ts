import { ApiProperty } from '@nestjs/swagger';
import { ClaimDto } from '../../overpayments/dto/overpayments.dto.js';
import { ApiDate, ApiMoney, ApiNullableString, ApiTimestamp, PageOf } from '../../../common/openapi/properties.js';

/** A ledger transfer behind a payment line. */
export class TransferTraceView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'PAYMENT' }) code!: string;
  @ApiMoney() amount!: string;
  @ApiNullableString() fundingLevel!: string | null;
  @ApiProperty({ type: Object, example: { id: '12', code: 'COMMITTED' } }) debitAccount!: object;
  @ApiProperty({ type: Object, example: { id: '13', code: 'SPENT' } }) creditAccount!: object;
  @ApiProperty() blockSeq!: string;
  @ApiTimestamp() createdAt!: string;
}

export class PaymentTraceView {
  @ApiProperty({ format: 'uuid' }) lineId!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty({ format: 'uuid' }) batchId!: string;
  @ApiProperty() batchNo!: string;
  @ApiProperty() batchStatus!: string;
  @ApiProperty() policyCode!: string;
  @ApiProperty({ example: '2012' }) period!: string;
  @ApiProperty() fiscalYear!: number;
  @ApiProperty({ type: [String] }) periods!: string[];
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiNullableString({ format: 'uuid' }) enrollmentId!: string | null;
  @ApiMoney() amount!: string;
  @ApiProperty({ enum: ['PENDING', 'PAID', 'FAILED', 'CANCELLED'] }) status!: string;
  @ApiNullableString() bankRef!: string | null;
  @ApiNullableString() reason!: string | null;
  @ApiTimestamp({ nullable: true }) settledAt!: string | null;
  @ApiNullableString() bankCode!: string | null;
  @ApiProperty({ description: 'Always masked' }) accountNo!: string;
  @ApiMoney() paid!: string;
  @ApiMoney() released!: string;
  @ApiProperty({ type: [TransferTraceView] }) transfers!: TransferTraceView[];
  @ApiProperty({ type: Object, description: '{versionIds, snapshot}: the stored decision the line was paid on' })
  decision!: object;
}

export class TraceTransitionView {
  @ApiNullableString() from!: string | null;
  @ApiProperty() to!: string;
  @ApiNullableString() actorId!: string | null;
  @ApiNullableString() actorUsername!: string | null;
  @ApiNullableString() reason!: string | null;
  @ApiDate({ nullable: true }) asOf!: string | null;
  @ApiProperty({ type: Object, nullable: true }) explanation!: unknown;
  @ApiTimestamp() occurredAt!: string;
}

export class TraceEnrollmentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() policyCode!: string;
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiProperty() status!: string;
  @ApiNullableString() statusReason!: string | null;
  @ApiProperty() regionCode!: string;
  @ApiProperty() openedBy!: string;
  @ApiNullableString() approvedBy!: string | null;
  @ApiTimestamp({ nullable: true }) approvedAt!: string | null;
  @ApiDate({ nullable: true }) activeFrom!: string | null;
  @ApiDate({ nullable: true }) endedOn!: string | null;
  @ApiProperty({ type: [TraceTransitionView] }) transitions!: TraceTransitionView[];
}

export class TraceHouseholdRefView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() householdNo!: string;
  @ApiProperty() regionCode!: string;
}

export class HouseholdTraceTotalsView {
  @ApiProperty() lines!: number;
  @ApiMoney() paid!: string;
  @ApiMoney() failed!: string;
  @ApiMoney() pending!: string;
  @ApiMoney() ledgerPaid!: string;
  @ApiMoney() ledgerReleased!: string;
}

/** GET /audit/trace/households/{id}: every payment of a household and the enrollments behind them. */
export class HouseholdTraceView {
  @ApiProperty({ type: TraceHouseholdRefView }) household!: TraceHouseholdRefView;
  @ApiProperty({ type: [PaymentTraceView] }) payments!: PaymentTraceView[];
  @ApiProperty({ type: HouseholdTraceTotalsView }) totals!: HouseholdTraceTotalsView;
  @ApiProperty({ type: [TraceEnrollmentView] }) enrollments!: TraceEnrollmentView[];
  @ApiProperty({ type: [ClaimDto], description: "The household's overpayment claims, their periods and recoveries" })
  overpayments!: ClaimDto[];
}

export class BatchShareView {
  @ApiMoney() committed!: string;
  @ApiMoney() spent!: string;
  @ApiMoney() released!: string;
  @ApiMoney() stillCommitted!: string;
}

export class TraceBudgetLineView {
  @ApiProperty() fiscalYear!: number;
  @ApiProperty() policyCode!: string;
  @ApiProperty() fundingLevel!: string;
  @ApiProperty() countyCode!: string;
  @ApiMoney() appropriated!: string;
  @ApiMoney() committed!: string;
  @ApiMoney() spent!: string;
  @ApiMoney() available!: string;
  @ApiProperty({ type: BatchShareView, description: "This batch's part of the line" }) thisBatch!: BatchShareView;
}

export class TransferSumView {
  @ApiProperty() code!: string;
  @ApiNullableString() fundingLevel!: string | null;
  @ApiProperty() count!: number;
  @ApiMoney() amount!: string;
}

export class LineResultView {
  @ApiProperty() status!: string;
  @ApiProperty() count!: number;
  @ApiMoney() amount!: string;
}

export class BatchTraceTotalsView {
  @ApiMoney() lines!: string;
  @ApiMoney() payableLines!: string;
  @ApiMoney() committed!: string;
  @ApiMoney() spent!: string;
  @ApiMoney() released!: string;
  @ApiMoney() stillCommitted!: string;
  @ApiMoney() paidLines!: string;
  @ApiMoney() failedLines!: string;
  @ApiMoney() pendingLines!: string;
}

export class TraceDifferenceView {
  @ApiProperty() check!: string;
  @ApiProperty() expected!: string;
  @ApiProperty() actual!: string;
  @ApiProperty() difference!: string;
}

export class LineMismatchView {
  @ApiProperty({ format: 'uuid' }) lineId!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty() status!: string;
  @ApiMoney({ nullable: true }) amount!: string | null;
  @ApiMoney() paid!: string;
  @ApiMoney() released!: string;
}

export class TraceLineView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty({ format: 'uuid' }) householdId!: string;
  @ApiNullableString({ format: 'uuid' }) personId!: string | null;
  @ApiProperty({ type: [String] }) periods!: string[];
  @ApiMoney({ description: 'What the line is owed' }) grossAmount!: string;
  @ApiMoney({ description: "Kept back to recover the household's overpayment claims" }) offsetAmount!: string;
  @ApiMoney({ description: 'What the bank pays (the net): grossAmount - offsetAmount' }) amount!: string;
  @ApiProperty() status!: string;
  @ApiNullableString() bankRef!: string | null;
  @ApiNullableString() reason!: string | null;
  @ApiTimestamp({ nullable: true }) settledAt!: string | null;
  @ApiMoney() paid!: string;
  @ApiMoney() released!: string;
}

export class TraceBatchHeadView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() batchNo!: string;
  @ApiProperty() policyCode!: string;
  @ApiProperty() period!: string;
  @ApiProperty() fiscalYear!: number;
  @ApiProperty() countyCode!: string;
  @ApiProperty() status!: string;
  @ApiProperty() lineCount!: number;
  @ApiMoney() totalAmount!: string;
  @ApiProperty({ type: Object, description: '{id, username, at}' }) createdBy!: object;
  @ApiProperty({ type: Object, nullable: true, description: '{by, username, at}' }) submitted!: object | null;
  @ApiProperty({ type: Object, nullable: true, description: '{approvedBy, username, approvedAt}' })
  approval!: object | null;
  @ApiProperty({ type: Object, nullable: true, description: '{rejectedBy, rejectedAt, reason}' })
  rejection!: object | null;
  @ApiNullableString() bankFileSha256!: string | null;
  @ApiTimestamp({ nullable: true }) exportedAt!: string | null;
  @ApiTimestamp({ nullable: true }) settledAt!: string | null;
  @ApiTimestamp({ nullable: true }) closedAt!: string | null;
}

/** GET /audit/trace/batches/{id}: budget lines -> approval -> transfers -> bank results, checked. */
export class BatchTraceView {
  @ApiProperty({ type: TraceBatchHeadView }) batch!: TraceBatchHeadView;
  @ApiProperty({ type: [TraceBudgetLineView] }) budgetLines!: TraceBudgetLineView[];
  @ApiProperty({ type: [TransferSumView] }) transfers!: TransferSumView[];
  @ApiProperty({ type: [LineResultView] }) lineResults!: LineResultView[];
  @ApiProperty({ type: BatchTraceTotalsView }) totals!: BatchTraceTotalsView;
  @ApiProperty({ description: 'true when every check holds' }) consistent!: boolean;
  @ApiProperty({ type: [TraceDifferenceView] }) differences!: TraceDifferenceView[];
  @ApiProperty({ type: [LineMismatchView] }) lineMismatches!: LineMismatchView[];
  @ApiProperty({ type: PageOf(TraceLineView), description: 'Paged by `limit` and `cursor`' }) lines!: object;
}
