import { Body, Controller, Get, Headers, Param, Put } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ValidationFailedError } from '../../common/errors.js';
import { languageOf } from '../../common/i18n/i18n.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { callerText, type Actor } from '../../common/request-context.js';
import { BankFormatsService } from './bank-formats.service.js';
import { BankFormatListView, CountyBankFormatView } from './bank-formats.views.js';

export class ChooseBankFormatDto {
  @ApiProperty({ example: 'GBK_PAYROLL', description: 'A code of GET /bank-formats' })
  @IsString()
  @Length(1, 40)
  formatCode!: string;
}

function countyCode(code: string): string {
  if (!/^\d{6}$/.test(code)) {
    throw new ValidationFailedError([{ field: 'countyCode', message: callerText('messages.countyCode') }]);
  }
  return code;
}

@ApiTags(TAGS.bankFormats)
@Controller('bank-formats')
export class BankFormatsController {
  constructor(private readonly formats: BankFormatsService) {}

  @Get()
  @Roles()
  @ApiSummary('银行文件格式列表：编码、中英文名称、字符集、分隔符、代发与回盘的列、汇总行和成功/失败用语')
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'zh-CN (default) or en: the language of `name`' })
  @ApiOkResponse({ type: BankFormatListView, description: 'Every format on offer' })
  list(@Headers('accept-language') acceptLanguage: string | undefined): BankFormatListView {
    return this.formats.list(languageOf(acceptLanguage));
  }

  @Get('counties/:countyCode')
  @Roles()
  @ApiSummary('查询区县默认的银行文件格式（未选择时为通用 CSV）')
  @ApiOkResponse({ type: CountyBankFormatView })
  @ApiProblems({ 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] })
  county(@Param('countyCode') code: string): Promise<CountyBankFormatView> {
    return this.formats.county(countyCode(code));
  }

  @Put('counties/:countyCode')
  @Roles('ADMIN')
  @ApiSummary('设置区县默认的银行文件格式（导出时未指定 format 即用此格式）')
  @ApiOkResponse({ type: CountyBankFormatView, description: 'The county with its new default (chosen: true)' })
  @ApiProblems({ 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 422: ['BANK_FORMAT_UNKNOWN'] })
  choose(
    @Param('countyCode') code: string,
    @Body() body: ChooseBankFormatDto,
    @CurrentActor() actor: Actor,
  ): Promise<CountyBankFormatView> {
    return this.formats.setCounty(actor, countyCode(code), body.formatCode);
  }
}
