import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ValidationOptions } from 'class-validator';
import type { en } from '../i18n/en.js';
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import { DEFAULT_LANGUAGE, translate, translateIfKnown, type Language } from '../i18n/i18n.js';
import { requestContext } from '../request-context.js';

/**
 * The options of a validation decorator whose message is specific to the field
 * (`@Matches(DATE, localized('date'))`): English from the catalogue, as class-validator words it
 * (`$property` is the field), and the catalogue key carried as the constraint's context, so a
 * Chinese request reads `dtoMessages.<key>` in Chinese rather than the generic constraint message.
 */
export function localized(key: keyof typeof en.dtoMessages, params: Record<string, unknown> = {}): ValidationOptions {
  return { message: translate(`dtoMessages.${key}`, params, 'en'), context: { messageKey: key, params } };
}

interface MessageContext {
  messageKey?: string;
  params?: Record<string, unknown>;
}

/** class-validator's message for a constraint, in the caller's language (its own English otherwise). */
function message(constraint: string, english: string, field: string, lang: Language, context?: MessageContext): string {
  if (lang === 'en') return english;
  const specific = context?.messageKey
    ? translateIfKnown(`dtoMessages.${context.messageKey}`, { ...context.params, field }, lang)
    : undefined;
  return (
    specific ??
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
      message: message(constraint, english, field, lang, error.contexts?.[constraint] as MessageContext | undefined),
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
