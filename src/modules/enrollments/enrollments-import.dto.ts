import { ApiProperty } from '@nestjs/swagger';

export class RollsImportResultDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ format: 'uuid', description: 'The import: the audit event entity id, named in each history row' })
  importId!: string;
  @ApiProperty({ description: 'Enrollments imported (or, on a dry run, that would be)' })
  enrollments!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Count per policy code' })
  byPolicy!: Record<string, number>;
}
