import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableString, ApiTimestamp } from '../../../common/openapi/properties.js';

/** A periodic job (schedules.service.ts `ScheduleView`). */
export class ScheduleView {
  @ApiProperty({ example: 'yearly-recheck' }) name!: string;
  @ApiProperty({ example: 'enrollments.recheck' }) jobName!: string;
  @ApiProperty({ example: '0 0 1 1 *', description: 'minute hour day month weekday' }) cron!: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() description!: string;
  @ApiTimestamp({ nullable: true }) nextRunAt!: string | null;
  @ApiTimestamp({ nullable: true }) lastRunAt!: string | null;
  @ApiNullableString({ format: 'uuid' }) lastJobId!: string | null;
  @ApiNullableString({ format: 'uuid' }) updatedBy!: string | null;
  @ApiTimestamp() updatedAt!: string;
}

export class ScheduleListView {
  @ApiProperty({ type: [ScheduleView] }) items!: ScheduleView[];
}
