import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import { DEFAULT_LANGUAGE, translateIfKnown, type Language } from '../i18n/i18n.js';
import { requestContext } from '../request-context.js';

/** class-validator's message for a constraint, in the caller's language (its own English otherwise). */
function message(constraint: string, english: string, field: string, lang: Language): string {
  if (lang === 'en') return english;
  return (
    translateIfKnown(`validation.${constraint}`, { field }, lang) ??
    translateIfKnown('validation.default', { field }, lang) ??
    english
  );
}

/** class-validator's errors as field problems (`data.grade`), in the caller's language. */
export function flatten(errors: ValidationError[], lang: Language, parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, english]) => ({
      field,
      message: message(constraint, english, field, lang),
    }));
    return own.concat(flatten(error.children ?? [], lang, field));
  });
}

/** The global pipe: unknown fields are refused, bodies become DTO instances, errors are problem details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new ValidationFailedError(flatten(errors, requestContext.current()?.language ?? DEFAULT_LANGUAGE)),
  });
}
