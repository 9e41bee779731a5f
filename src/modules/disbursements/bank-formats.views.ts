import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BANK_ENCODINGS, PAYMENT_FIELDS, RESULT_FIELDS, SUMMARY_FIELDS } from './bank-formats/index.js';

/** The response schemas of GET/PUT /bank-formats (bank-formats.service.ts builds them). */
export class BankColumnView {
  @ApiProperty({ enum: PAYMENT_FIELDS, example: 'account_name' }) field!: string;
  @ApiProperty({ example: '户名', description: 'The column title in the file' }) header!: string;
}

export class BankResultColumnView {
  @ApiProperty({ enum: RESULT_FIELDS, example: 'status' }) field!: string;
  @ApiProperty({ example: '处理结果' }) header!: string;
  @ApiProperty({ description: 'Whether a result file must have the column' }) required!: boolean;
}

export class SummaryCellView {
  @ApiPropertyOptional({ enum: SUMMARY_FIELDS, description: 'A value: batch number, record count or total' })
  field?: string;
  @ApiPropertyOptional({ example: '汇总', description: 'A fixed text' })
  literal?: string;
}

export class SummaryRecordView {
  @ApiProperty({ enum: ['first', 'last'] }) position!: 'first' | 'last';
  @ApiProperty({ type: [SummaryCellView] }) cells!: SummaryCellView[];
}

export class StatusWordsView {
  @ApiProperty({ type: [String], example: ['成功'] }) success!: string[];
  @ApiProperty({ type: [String], example: ['失败'] }) failure!: string[];
}

export class FormatNamesView {
  @ApiProperty({ name: 'zh-CN', example: '代发工资批量文件(GBK)' }) 'zh-CN'!: string;
  @ApiProperty({ example: 'Batch payroll file (GBK)' }) en!: string;
}

export class BankPaymentLayoutView {
  @ApiProperty() titleRow!: boolean;
  @ApiProperty({ type: [BankColumnView] }) columns!: BankColumnView[];
  @ApiProperty({ type: SummaryRecordView, nullable: true }) summary!: SummaryRecordView | null;
}

export class BankResultLayoutView {
  @ApiProperty() titleRow!: boolean;
  @ApiProperty({ type: [BankResultColumnView] }) columns!: BankResultColumnView[];
  @ApiProperty({ type: SummaryRecordView, nullable: true }) summary!: SummaryRecordView | null;
  @ApiProperty({ type: StatusWordsView }) statusWords!: StatusWordsView;
}

export class BankFormatView {
  @ApiProperty({ example: 'GBK_PAYROLL' }) code!: string;
  @ApiProperty({ example: '代发工资批量文件(GBK)', description: "In the caller's language" }) name!: string;
  @ApiProperty({ type: FormatNamesView }) names!: FormatNamesView;
  @ApiProperty({ enum: BANK_ENCODINGS }) encoding!: string;
  @ApiProperty({ example: '|' }) delimiter!: string;
  @ApiProperty({ enum: ['LF', 'CRLF'] }) lineEnding!: 'LF' | 'CRLF';
  @ApiProperty({ enum: ['csv', 'txt'] }) extension!: string;
  @ApiProperty({ description: 'The format of a county that has chosen none' }) isDefault!: boolean;
  @ApiProperty({ type: BankPaymentLayoutView }) payment!: BankPaymentLayoutView;
  @ApiProperty({ type: BankResultLayoutView }) result!: BankResultLayoutView;
}

export class BankFormatListView {
  @ApiProperty({ type: [BankFormatView] }) items!: BankFormatView[];
}

export class CountyBankFormatView {
  @ApiProperty({ example: '410122' }) countyCode!: string;
  @ApiProperty({ example: 'GBK_PAYROLL' }) formatCode!: string;
  @ApiProperty({ description: 'False: the county has chosen none and exports in the default format' })
  chosen!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) updatedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
}
