import { DECORATORS, getSchemaPath } from '@nestjs/swagger';
import type { ErrorCode } from '../errors.js';
import { ProblemDetailsView } from './problem-details.view.js';

/** The 4xx (and 503) statuses a route documents with the problem codes it may answer. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;
export type ProblemCodes = Partial<Record<ProblemStatus, readonly ErrorCode[]>>;

const { API_RESPONSE, API_OPERATION } = DECORATORS;
/** The codes gathered so far for a handler, by status: decorators compose instead of overwriting. */
const PROBLEMS = 'yikatong:openapi-problems';

const STATUS_TITLES: Record<ProblemStatus, string> = {
  400: '请求无效',
  401: '未登录或令牌无效',
  403: '无权执行此操作',
  404: '记录不存在（或不在您的管辖区域内）',
  409: '与现有记录或状态冲突',
  413: '请求体过大',
  415: '不支持的内容类型',
  422: '无法处理（内容与规则或记录不符）',
  429: '请求过于频繁',
  503: '服务暂不可用',
};

type Handler = object;

export function problemResponse(status: ProblemStatus, codes: readonly string[]) {
  return {
    description: `${STATUS_TITLES[status]}：${codes.map((code) => `\`${code}\``).join('、')}`,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ProblemDetailsView) },
            {
              type: 'object',
              properties: { status: { type: 'integer', enum: [status] }, code: { type: 'string', enum: [...codes] } },
            },
          ],
        },
      },
    },
  };
}

/** Adds `problems` to what the handler already documents, and rewrites its problem responses. */
export function documentProblems(handler: Handler, problems: ProblemCodes): void {
  const known = (Reflect.getMetadata(PROBLEMS, handler) as Record<string, string[]> | undefined) ?? {};
  const merged: Record<string, string[]> = { ...known };
  for (const [status, codes] of Object.entries(problems) as [string, readonly string[]][]) {
    merged[status] = [...new Set([...(merged[status] ?? []), ...codes])];
  }
  Reflect.defineMetadata(PROBLEMS, merged, handler);
  const responses = (Reflect.getMetadata(API_RESPONSE, handler) as Record<string, unknown> | undefined) ?? {};
  const problemResponses = Object.fromEntries(
    Object.entries(merged).map(([status, codes]) => [status, problemResponse(Number(status) as ProblemStatus, codes)]),
  );
  Reflect.defineMetadata(API_RESPONSE, { ...responses, ...problemResponses }, handler);
}

/**
 * The refusals a route may answer, by status, each with its stable `code` (API.md), documented as
 * `application/problem+json` bodies whose `code` is one of them. Composes with `@Roles` (401/403)
 * and with other `@ApiProblems` in any order; the global pipes' 400 VALIDATION_FAILED and the body
 * limits are added to the document for every route that takes input (see openapi-document.ts).
 *
 *   @ApiProblems({ 404: ['NOT_FOUND'], 409: ['INVALID_STATE_TRANSITION'], 422: ['NOT_ELIGIBLE'] })
 */
export function ApiProblems(problems: ProblemCodes): MethodDecorator {
  return (_target, _key, descriptor) => {
    documentProblems(descriptor.value as Handler, problems);
    return descriptor;
  };
}

/**
 * Adds to the operation's description without touching its summary (@nestjs/swagger's ApiOperation
 * would reset a summary set by another decorator).
 */
export function describeOperation(handler: Handler, description: string): void {
  const operation = (Reflect.getMetadata(API_OPERATION, handler) as Record<string, unknown> | undefined) ?? {};
  const before =
    typeof operation.description === 'string' && operation.description ? `${operation.description}\n\n` : '';
  Reflect.defineMetadata(API_OPERATION, { ...operation, description: before + description }, handler);
}

/** Appends `description` to the operation's description (the summary stays). */
export function ApiDescription(description: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    describeOperation(descriptor.value as Handler, description);
    return descriptor;
  };
}

/**
 * The operation's Chinese summary (and an optional English description), kept whatever order the
 * other decorators run in.
 */
export function ApiSummary(summary: string, description?: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as Handler;
    const operation = (Reflect.getMetadata(API_OPERATION, handler) as Record<string, unknown> | undefined) ?? {};
    Reflect.defineMetadata(API_OPERATION, { ...operation, summary }, handler);
    if (description) describeOperation(handler, description);
    return descriptor;
  };
}
