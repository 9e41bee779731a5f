import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import { callerText } from '../request-context.js';

/** Keys that reach an object's prototype when copied: refused wherever they appear, like any unknown field. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_REPORTED = 20;
const CHECKED: ReadonlySet<ArgumentMetadata['type']> = new Set(['body', 'query', 'param']);

function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * What no route accepts, wherever it sits in a body, a query or a path parameter: a NUL character
 * in a string (PostgreSQL text cannot hold one) and a `__proto__`, `constructor` or `prototype`
 * key. Checked once for every route, before the DTO validation, by an iterative walk (the body
 * parser has already bounded the depth). Only plain objects and arrays are walked: an uploaded
 * file's Buffer is not a string of the request.
 */
export function hostileInputProblems(value: unknown, root = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  while (pending.length > 0 && problems.length < MAX_REPORTED) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000'))
        problems.push({ field: path || 'value', message: callerText('messages.nulCharacter') });
      continue;
    }
    if (!isWalkable(current)) continue;
    for (const key of Object.keys(current)) {
      const field = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ field, message: callerText('validation.whitelistValidation', { field: key }) });
      } else if (key.includes('\u0000')) {
        problems.push({ field: field.replaceAll('\u0000', '\\u0000'), message: callerText('messages.nulKey') });
      } else {
        pending.push({ value: (current as Record<string, unknown>)[key], path: field });
      }
    }
  }
  return problems;
}

@Injectable()
export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!CHECKED.has(metadata.type)) return value;
    const problems = hostileInputProblems(value, metadata.data ?? '');
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return value;
  }
}
