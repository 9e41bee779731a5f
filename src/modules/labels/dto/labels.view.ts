import { ApiProperty } from '@nestjs/swagger';

/** GET /labels: the display names of every enum value, by catalogue. */
export class LabelsView {
  @ApiProperty({ enum: ['zh-CN', 'en'] }) language!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    example: { enrollmentStatus: { DRAFT: '草稿' }, role: { CLERK: '乡镇计生专干' } },
    description: 'Catalogue name -> value -> label',
  })
  labels!: Record<string, Record<string, string>>;
}
