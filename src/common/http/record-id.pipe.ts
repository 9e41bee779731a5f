import { PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../errors.js';
import { isUuid } from '../uuid.js';

/**
 * The `:id` of a route on one record that answers 404 for a malformed id as for an unknown one
 * (the household routes have always answered so: an id that cannot exist is not found), where
 * Nest's ParseUUIDPipe would answer 400.
 */
export class RecordIdPipe implements PipeTransform<string, string> {
  constructor(private readonly entity: string) {}

  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundError(this.entity, value);
    return value;
  }
}
