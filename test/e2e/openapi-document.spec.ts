import { writeFile } from 'node:fs/promises';
import { createTestApp, type TestApp } from '../support/app.js';

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const CJK = /[\u4e00-\u9fff]/;

function operations(document: { paths: Record<string, Record<string, Operation>> }) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      op: item[method],
    })),
  );
}

/** The codes a problem response documents (application/problem+json, `code` enum). */
function codes(response: Operation['responses'][string] | undefined): string[] {
  const schema = response?.content?.['application/problem+json']?.schema as
    { allOf?: { properties?: { code?: { enum?: string[] } } }[] } | undefined;
  return schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}

/**
 * The OpenAPI document as the docs page shows it, for clerks and integrators alike: every operation summarised in
 * Chinese, tagged in Chinese and English, every refusal listed with its `code`, uploads offered as
 * a file picker, and every success answer with a schema.
 */
describe('the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

  beforeAll(async () => {
    t = await createTestApp();
    document = (await t.http().get('/api/docs-json').expect(200)).body;
    if (process.env.OPENAPI_DUMP) await writeFile(process.env.OPENAPI_DUMP, JSON.stringify(document, null, 2));
  });
  afterAll(() => t?.close());

  it('summarises every operation in Chinese and tags it in Chinese and English', () => {
    const ops = operations(document);
    expect(ops.length).toBeGreaterThan(60);
    expect(ops.filter(({ op }) => !CJK.test(op.summary ?? '')).map(({ key }) => key)).toEqual([]);
    const badTags = ops.filter(
      ({ op }) => !op.tags?.length || !op.tags.every((tag) => CJK.test(tag) && /[A-Za-z]/.test(tag)),
    );
    expect(badTags.map(({ key }) => key)).toEqual([]);
  });

  it('lists 400 VALIDATION_FAILED on every route that takes a body, a query or a path parameter', () => {
    const missing = operations(document)
      .filter(({ op }) => op.requestBody || (op.parameters ?? []).some((p) => p.in === 'path' || p.in === 'query'))
      .filter(({ op }) => !codes(op.responses['400']).includes('VALIDATION_FAILED'))
      .map(({ key }) => key);
    expect(missing).toEqual([]);
  });

  it('documents every 4xx as problem details with the codes it may carry', () => {
    const bare: string[] = [];
    for (const { key, op } of operations(document)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^4\d\d$/.test(status)) continue;
        const named = codes(response);
        if (named.length === 0 || !named.every((code) => /^[A-Z][A-Z0-9_]+$/.test(code))) bare.push(`${key} ${status}`);
      }
    }
    expect(bare).toEqual([]);
    // Signed-in routes name 401; routes limited to some roles name 403 ROLE_FORBIDDEN.
    const login = document.paths['/api/v1/auth/login'].post;
    expect(codes(login.responses['429'])).toContain('TOO_MANY_LOGIN_ATTEMPTS');
    const approve = document.paths['/api/v1/disbursement-batches/{id}/approve'].post;
    expect(codes(approve.responses['401'])).toEqual(['UNAUTHENTICATED']);
    expect(codes(approve.responses['403'])).toEqual(
      expect.arrayContaining(['ROLE_FORBIDDEN', 'SELF_APPROVAL_FORBIDDEN']),
    );
    expect(codes(approve.responses['409'])).toEqual(
      expect.arrayContaining(['INSUFFICIENT_BUDGET', 'INVALID_STATE_TRANSITION', 'IDEMPOTENCY_KEY_REUSED']),
    );
    const submit = document.paths['/api/v1/enrollments/{id}/submit'].post;
    expect(codes(submit.responses['422'])).toContain('NOT_ELIGIBLE');
    expect(document.components.schemas.ProblemDetails).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    });
  });

  it('declares every upload as multipart/form-data with a binary file', () => {
    const uploads = operations(document).filter(({ op }) => op.requestBody?.content['multipart/form-data']);
    expect(uploads.map(({ key }) => key)).toEqual(
      expect.arrayContaining(['POST /api/v1/households/import', 'POST /api/v1/disbursement-batches/{id}/bank-results']),
    );
    for (const { op } of uploads) {
      const form = op.requestBody!.content['multipart/form-data'].schema as {
        required?: string[];
        properties?: Record<string, { type?: string; format?: string }>;
      };
      expect(form.required).toContain('file');
      expect(form.properties?.file).toMatchObject({ type: 'string', format: 'binary' });
    }
  });

  it('gives every JSON success answer a schema', () => {
    const bare: string[] = [];
    for (const { key, op } of operations(document)) {
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) bare.push(`${key}: no 2xx`);
      for (const [status, response] of success) {
        if (status === '204') continue;
        const content = response.content ?? {};
        if (Object.keys(content).length === 0 || Object.values(content).some((media) => !media.schema)) {
          bare.push(`${key} ${status}`);
        }
      }
    }
    expect(bare).toEqual([]);
  });
});
