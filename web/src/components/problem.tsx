import { Alert, type FormInstance } from 'antd';
import { ApiProblem } from '../api/client';
import type { Problem } from '../api/types';
import { PROBLEM } from '../i18n/labels';

export const problemOf = (error: unknown): Problem | undefined =>
  error instanceof ApiProblem
    ? error.problem
    : error
      ? { status: 0, detail: error instanceof Error ? error.message : String(error) }
      : undefined;

/** The server's refusal: a Chinese title for its code, its own `detail`, and its field problems. */
export function ProblemAlert({ error, title, fieldsShown }: { error: unknown; title?: string; fieldsShown?: boolean }) {
  const problem = problemOf(error);
  if (!problem) return null;
  const heading =
    title ??
    (problem.code && PROBLEM[problem.code]) ??
    problem.title ??
    (problem.status ? '操作未成功' : '无法连接服务器');
  // Field problems are at their fields when the form shows them; rows of a file are listed here.
  const fields = (problem.errors ?? []).filter((e) => !fieldsShown || e.line !== undefined || !e.field);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      title={heading}
      description={
        <>
          {problem.detail && problem.detail !== heading && <div>{problem.detail}</div>}
          {fields.map((e, i) => (
            <div key={i}>
              {e.line !== undefined ? `第 ${e.line} 行 ` : ''}
              {e.field ? `${e.field}：` : ''}
              {e.message}
            </div>
          ))}
          {problem.requestId && <div style={{ color: '#666' }}>请求编号 {problem.requestId}</div>}
        </>
      }
    />
  );
}

/**
 * Puts each field problem of the server's answer on the form field it names (`members[0].idNumber`
 * or `data.grade` map to the form's own names through `mapField`). Returns whether any was placed.
 */
export function showFieldProblems(
  form: FormInstance,
  error: unknown,
  mapField: (field: string) => (string | number)[] | undefined = (field) => field.split('.'),
): boolean {
  const problem = problemOf(error);
  if (!problem?.errors) return false;
  const placed = problem.errors
    .filter((e) => e.field)
    .map((e) => ({ name: mapField(e.field!.replace(/\[(\d+)\]/g, '.$1')), errors: [e.message] }))
    .filter((f): f is { name: (string | number)[]; errors: string[] } => f.name !== undefined)
    .map((f) => ({ ...f, name: f.name.map((p) => (/^\d+$/.test(String(p)) ? Number(p) : p)) }));
  form.setFields(placed);
  return placed.length > 0;
}
