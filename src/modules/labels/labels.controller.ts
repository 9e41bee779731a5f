import { Controller, Get, Headers } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { labelCatalogue, languageOf, type Language } from '../../common/i18n/i18n.js';
import { ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { LabelsView as LabelsSchema } from './dto/labels.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

export interface LabelsView {
  language: Language;
  labels: ReturnType<typeof labelCatalogue>;
}

/** The enum label catalogues, so that clients (the web console) render values the way the API names them. */
@ApiTags(TAGS.labels)
@Controller('labels')
export class LabelsController {
  @Get()
  @Roles()
  @ApiSummary('枚举值的中文（或英文）名称：申请与批次状态、角色、关系、户口性质、政策类别、生活事件、资金层级等')
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'zh-CN (default) or en' })
  @ApiOkResponse({
    type: LabelsSchema,
    description: '{language, labels: {enrollmentStatus: {DRAFT: "草稿", …}, batchStatus, role, relation, …}}',
  })
  list(@Headers('accept-language') acceptLanguage: string | undefined): LabelsView {
    const language = languageOf(acceptLanguage);
    return { language, labels: labelCatalogue(language) };
  }
}
