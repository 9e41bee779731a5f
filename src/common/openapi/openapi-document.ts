import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { problemResponse, type ProblemStatus } from './api-problems.decorator.js';
import { FieldProblemView, ProblemDetailsView } from './problem-details.view.js';

/** The tags of the document, in the order the docs page lists them: Chinese first, then English. */
export const TAGS = {
  auth: '登录与密码 Auth',
  users: '用户 Users',
  regions: '行政区划 Regions',
  registry: '户籍登记 Registry',
  eligibility: '资格判定 Eligibility',
  policies: '奖扶政策 Policies',
  enrollments: '申请与审批 Enrollments',
  disbursements: '资金发放 Disbursements',
  bankFormats: '银行文件格式 Bank formats',
  overpayments: '多付追回 Overpayments',
  budgets: '预算指标 Budgets',
  ledger: '总账 Ledger',
  audit: '审计 Audit',
  reports: '统计报表 Reports',
  jobs: '后台任务 Jobs',
  schedules: '定时任务 Schedules',
  labels: '枚举名称 Labels',
  health: '健康与监控 Health',
} as const;

type Operation = {
  parameters?: { in: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, Record<string, unknown>>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const FILE_SCHEMA = { type: 'string', format: 'binary' };

/** The codes an existing problem response of ours names (see problemResponse). */
function codesOf(response: Record<string, unknown> | undefined): string[] {
  const schema = (response?.content as Record<string, { schema?: { allOf?: unknown[] } }> | undefined)?.[
    'application/problem+json'
  ]?.schema;
  const own = schema?.allOf?.[1] as { properties?: { code?: { enum?: string[] } } } | undefined;
  return own?.properties?.code?.enum ?? [];
}

function addProblems(operation: Operation, status: ProblemStatus, codes: string[]): void {
  const known = codesOf(operation.responses[status]);
  operation.responses[status] = problemResponse(status, [...new Set([...known, ...codes])]);
}

/**
 * What every route answers without declaring it: the global pipes refuse a bad body, query or path
 * parameter (a NUL character, an unknown field, a failed constraint) with 400 VALIDATION_FAILED;
 * a JSON body is refused past its size (413) or depth (400 BODY_TOO_DEEP) before it is parsed; a
 * file upload past its size (413). Files sent as the whole body are bytes, not the form's object.
 */
export function completeOperations(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const content = operation.requestBody?.content ?? {};
      const input = (operation.parameters ?? []).some((p) => p.in === 'path' || p.in === 'query');
      if (input || operation.requestBody) addProblems(operation, 400, ['VALIDATION_FAILED']);
      if (content['application/json']) {
        addProblems(operation, 400, ['BODY_TOO_DEEP']);
        addProblems(operation, 413, ['PAYLOAD_TOO_LARGE']);
      }
      if (content['multipart/form-data']) {
        addProblems(operation, 413, ['PAYLOAD_TOO_LARGE']);
        for (const type of Object.keys(content)) {
          if (type !== 'multipart/form-data') content[type] = { schema: FILE_SCHEMA };
        }
      }
    }
  }
  return document;
}

/** The OpenAPI document served at /api/docs (UI) and /api/docs-json. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('一卡通 奖励扶助资金管理 API (Yikatong)')
    .setDescription(
      '计划生育家庭奖励扶助资金的后台：户籍登记、资格判定、申请审批、经“一卡通”账户的批量发放、预算指标和防篡改总账。' +
        '错误以 RFC 9457 problem details（`application/problem+json`）答复，`code` 为稳定的机器名；' +
        '中文为默认语言，请求头 `Accept-Language: en` 则为英文。\n\n' +
        'Back office for family-planning incentive benefits: registry, eligibility, enrollment, ' +
        'disbursement batches through one-card bank accounts, budgets and a tamper-evident ledger. ' +
        'Errors are RFC 9457 problem details with a stable `code`; money is a decimal string ("960.00").',
    )
    .setVersion('1')
    .addBearerAuth();
  for (const tag of Object.values(TAGS)) builder.addTag(tag);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ProblemDetailsView, FieldProblemView],
  });
  return completeOperations(document);
}
