import { ApiProperty } from '@nestjs/swagger';
import { ApiDate, ApiNullableString, ApiTimestamp, PageOf } from '../../../common/openapi/properties.js';
import { POLICY_CODES } from '../../policies/policy-codes.js';
import { ENROLLMENT_STATUSES } from '../enrollment-state.js';
import { ENROLLMENT_REASON_CODES as REASON_CODES } from '../../../common/i18n/stored-reason.js';

/** An enrollment as the API answers it (enrollments.service.ts `EnrollmentView`). */
export class EnrollmentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) householdId!: string;
  @ApiProperty({ enum: POLICY_CODES }) policyCode!: string;
  @ApiNullableString({ format: 'uuid', description: 'null for a household benefit' }) beneficiaryPersonId!:
    string | null;
  @ApiProperty({ example: '410122101201' }) regionCode!: string;
  @ApiProperty({ enum: ENROLLMENT_STATUSES }) status!: string;
  @ApiNullableString({ description: "Why it was rejected, suspended or terminated, in the caller's language" })
  statusReason!: string | null;
  @ApiNullableString({
    enum: REASON_CODES,
    description: "The code of a reason the system gave (a re-decision); null for a clerk's own words",
  })
  statusReasonCode!: string | null;
  @ApiProperty({ format: 'uuid' }) openedBy!: string;
  @ApiNullableString({ format: 'uuid' }) submittedBy!: string | null;
  @ApiNullableString({ format: 'uuid' }) publicizedBy!: string | null;
  @ApiDate({ nullable: true }) publicizedOn!: string | null;
  @ApiDate({ nullable: true, description: 'The last day of the public notice (公示)' }) noticeEndsOn!: string | null;
  @ApiNullableString({ format: 'uuid' }) approvedBy!: string | null;
  @ApiTimestamp({ nullable: true }) approvedAt!: string | null;
  @ApiDate({ nullable: true }) activeFrom!: string | null;
  @ApiDate({ nullable: true }) endedOn!: string | null;
  @ApiDate({ description: 'The day the family applied' }) appliedOn!: string;
  @ApiTimestamp() createdAt!: string;
  @ApiTimestamp() updatedAt!: string;
}

export const EnrollmentPage = PageOf(EnrollmentView);

/** One state change of an enrollment, with the eligibility explanation stored with it. */
export class EnrollmentTransitionView {
  @ApiNullableString({ enum: ENROLLMENT_STATUSES }) from!: string | null;
  @ApiProperty({ enum: ENROLLMENT_STATUSES }) to!: string;
  @ApiNullableString({ format: 'uuid' }) actorId!: string | null;
  @ApiNullableString({
    description: 'Who acted in the old system, for a transition brought by POST /enrollments/import',
  })
  actorName!: string | null;
  @ApiProperty({ description: 'Brought from the old system by POST /enrollments/import' }) imported!: boolean;
  @ApiNullableString({ description: "In the caller's language" }) reason!: string | null;
  @ApiNullableString({ enum: REASON_CODES, description: 'The code of a reason the system gave' })
  reasonCode!: string | null;
  @ApiDate({ nullable: true }) asOf!: string | null;
  @ApiProperty({ type: Object, nullable: true, description: 'The eligibility decision stored at the transition' })
  explanation!: unknown;
  @ApiTimestamp() at!: string;
}

export class EnrollmentDetailView extends EnrollmentView {
  @ApiProperty({ type: [EnrollmentTransitionView] }) history!: EnrollmentTransitionView[];
}

export class EnrollmentListView {
  @ApiProperty({ type: [EnrollmentView] }) items!: EnrollmentView[];
}
