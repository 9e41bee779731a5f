import { ApiProperty } from '@nestjs/swagger';
import { ApiTimestamp } from '../../../common/openapi/properties.js';

export class ReportColumnView {
  @ApiProperty({ example: 'appropriated' }) key!: string;
  @ApiProperty({ example: '预算指标', description: "In the caller's language" }) header!: string;
  @ApiProperty({
    enum: ['text', 'int', 'rate', 'money'],
    description: 'text, a count, a rate, or money (a decimal string)',
  })
  kind!: string;
}

/** A report in JSON (`format=json`); CSV and XLSX carry the same columns and rows. */
export class ReportView {
  @ApiProperty({ example: 'budget-execution' }) report!: string;
  @ApiProperty({ example: '预算执行情况' }) title!: string;
  @ApiProperty({ type: Object, description: 'The filters the report was run with' }) parameters!: object;
  @ApiTimestamp() generatedAt!: string;
  @ApiProperty({ type: [ReportColumnView] }) columns!: ReportColumnView[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'One object per row, keyed by column key; money as decimal strings',
  })
  items!: Record<string, unknown>[];
  @ApiProperty({ type: Object, description: 'The money and count columns summed (and derived rates)' })
  totals!: object;
}
