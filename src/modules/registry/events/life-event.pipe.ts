import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError, type FieldProblem } from '../../../common/errors.js';
import { flatten } from '../../../common/http/validation.js';
import { DEFAULT_LANGUAGE, translate } from '../../../common/i18n/i18n.js';
import { requestContext } from '../../../common/request-context.js';
import { EVENT_TYPES, type EventType } from '../dto/household.dto.js';
import { LifeEventEnvelope, type LifeEventRequest } from '../dto/life-events.dto.js';
import { InvalidEventDataError } from '../registry.errors.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The body of POST /households/:id/events as the class of its `type` (class-transformer's
 * discriminator over LIFE_EVENT_DTOS), validated by class-validator: unknown fields are refused at
 * every level. A bad envelope answers 400 VALIDATION_FAILED; `data` that does not fit the type
 * answers 422 INVALID_EVENT_DATA naming each field. Messages in the caller's language.
 */
@Injectable()
export class LifeEventPipe implements PipeTransform<unknown, Promise<LifeEventRequest>> {
  async transform(body: unknown): Promise<LifeEventRequest> {
    const lang = requestContext.current()?.language ?? DEFAULT_LANGUAGE;
    if (!isObject(body)) {
      throw new ValidationFailedError([
        { field: 'body', message: translate('validation.isObject', { field: 'body' }, lang) },
      ]);
    }
    const type = body.type;
    if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
      throw new ValidationFailedError([
        {
          field: 'type',
          message:
            lang === 'en'
              ? `type must be one of ${EVENT_TYPES.join(', ')}`
              : translate('validation.isIn', { field: 'type' }, lang),
        },
      ]);
    }
    // `data: null` is no data, as an absent one.
    const plain = body.data === null ? { ...body, data: undefined } : body;
    const envelope = plainToInstance(LifeEventEnvelope, { event: plain });
    // forbidUnknownValues off: the classes of types without data have no properties, and whitelisting
    // then names each field sent (`data.grade`) instead of refusing the object as unknown.
    const errors = await validate(envelope, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
    });
    // The envelope's own property is left out of the paths: `data.grade`, not `event.data.grade`.
    const problems: FieldProblem[] = errors.flatMap((error) =>
      error.property === 'event' ? flatten(error.children ?? [], lang) : flatten([error], lang),
    );
    if (problems.length === 0) return envelope.event;
    const ofData = (problem: FieldProblem) => problem.field === 'data' || problem.field.startsWith('data.');
    if (problems.every(ofData)) throw new InvalidEventDataError(type as EventType, problems);
    throw new ValidationFailedError(problems);
  }
}
