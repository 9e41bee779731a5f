import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import type { Problem } from './types';
import { session } from '../auth/session';

/**
 * The one fetch wrapper: every request carries the session's token; a 401 on a signed-in request
 * ends the session (the shell then sends the user to sign in, and back here afterwards).
 */
const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    request.headers.set('Accept-Language', 'zh-CN');
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) session.expire();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** An API refusal, carrying the server's problem details for the form or row it names. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** Unwraps an openapi-fetch answer: the data, or an ApiProblem with the server's details. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiProblem(toProblem(error, response));
  return data as T;
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object') return { status: response.status, ...(error as object) } as Problem;
  return { status: response.status, detail: typeof error === 'string' && error ? error : response.statusText };
}

/**
 * For answers the OpenAPI document does not type (see types.ts): the same token, the same problem
 * handling.
 */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers = new Headers({ 'Accept-Language': 'zh-CN', ...extraHeaders });
  const token = session.token();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  // A FormData body (a file upload) sets its own multipart Content-Type.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers.set('Content-Type', 'application/json');
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  if (response.status === 401 && token) session.expire();
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) throw new ApiProblem(toProblem(parsed ?? text, response));
  return parsed as T;
}

/** Downloads a file the API answers (CSV), with the token, under the server's file name. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const token = session.token();
  const response = await fetch(`/api/v1${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new ApiProblem(toProblem(safeJson(await response.text()), response));
  const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
