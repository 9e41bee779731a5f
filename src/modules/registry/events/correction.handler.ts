import { isDate } from '../../../common/calendar.js';
import type { EventType } from '../dto/household.dto.js';
import type { LifeEventOf } from '../dto/life-events.dto.js';
import { EventHasDependentsError, InvalidEventDataError } from '../registry.errors.js';
import {
  conflict,
  contradiction,
  type Dependents,
  type EventContext,
  type HandlerDeps,
  type LifeEventHandler,
  type Outcome,
} from './life-event-handler.js';
import { callerText } from '../../../common/request-context.js';

/**
 * CORRECTION {withdrawsEventId?, field?, value?, reason}: withdraws an event of any type recorded
 * in error, or corrects a mistyped name, address or death date. Logs stay append-only: the
 * withdrawn event stays in the log, and its handler undoes what it recorded so the record as of
 * any date reads as if it never happened. Refused: a second withdrawal (409
 * EVENT_ALREADY_WITHDRAWN), one a later event depends on (409 EVENT_HAS_DEPENDENTS), a correction
 * or the registration itself (422 CORRECTION_NOT_SUPPORTED).
 */
export class CorrectionHandler implements LifeEventHandler<'CORRECTION'> {
  readonly type = 'CORRECTION';
  readonly dependents: Dependents = { types: [], of: 'household' };
  constructor(
    private readonly deps: HandlerDeps,
    private readonly handlerOf: (type: EventType) => LifeEventHandler | undefined,
  ) {}

  handle(context: EventContext, event: LifeEventOf<'CORRECTION'>): Promise<Outcome> {
    const data = event.data;
    if ((data.withdrawsEventId === undefined) === (data.field === undefined)) {
      throw new InvalidEventDataError('CORRECTION', [
        { field: 'data', message: callerText('messages.correctionShape') },
      ]);
    }
    const reason = data.reason.trim();
    return data.withdrawsEventId !== undefined
      ? this.withdrawEvent(context, data.withdrawsEventId, reason)
      : this.correctField(context, data.field!, (data.value ?? '').trim(), reason);
  }

  private async withdrawEvent(context: EventContext, withdraws: string, reason: string): Promise<Outcome> {
    const { manager, household } = context;
    const { repository } = this.deps;
    const target = await repository.eventOfHousehold(manager, household.id, withdraws);
    if (!target) {
      throw new InvalidEventDataError('CORRECTION', [
        { field: 'data.withdrawsEventId', message: callerText('messages.notEventOfHousehold', { eventId: withdraws }) },
      ]);
    }
    if (target.withdrawn) throw conflict('EVENT_ALREADY_WITHDRAWN', `Event ${withdraws} has already been withdrawn`);
    const handler = this.handlerOf(target.type as EventType);
    if (!handler || handler === this) {
      throw contradiction(
        'CORRECTION_NOT_SUPPORTED',
        `A ${target.type} cannot be withdrawn (a correction is corrected by another; a registration is not an event)`,
      );
    }
    const { types, of } = handler.dependents;
    if (types === 'ALL' || types.length > 0) {
      const dependent = await repository.laterDependent(manager, target, types, of);
      if (dependent) throw new EventHasDependentsError(withdraws, dependent);
    }
    const logged = { withdrawsEventId: withdraws, withdrawnType: target.type, reason };
    const eventId = await context.log(target.person_id, logged);
    await handler.withdraw(context, target, eventId, reason);
    return {
      personId: target.person_id,
      data: logged,
      effectiveFrom: target.event_date,
      corrects: { withdrawnEventId: withdraws, withdrawnType: target.type },
    };
  }

  private async correctField(context: EventContext, field: string, value: string, reason: string): Promise<Outcome> {
    const { manager, household, today, person } = context;
    const { repository } = this.deps;
    const invalidValue = (message: string) =>
      new InvalidEventDataError('CORRECTION', [{ field: 'data.value', message }]);
    if (field === 'address') {
      const eventId = await context.log(null, { field, value, reason });
      const from = await repository.correctAddress(manager, household.id, value, eventId);
      return {
        personId: null,
        data: { field, value, reason },
        effectiveFrom: today,
        corrects: { field, from, to: value },
      };
    }
    if (!person) {
      throw new InvalidEventDataError('CORRECTION', [
        { field: 'personId', message: callerText('messages.correctionNeedsPerson', { field }) },
      ]);
    }
    if (field === 'name') {
      if (value.length > 50) throw invalidValue('a name has 1 to 50 characters');
      const from = await repository.correctName(manager, person.person_id, value);
      await context.log(person.person_id, { field, value, reason });
      return {
        personId: person.person_id,
        data: { field, value, reason },
        effectiveFrom: today,
        corrects: { field, from, to: value },
      };
    }
    // deathDate: the death was recorded on the wrong day.
    if (person.death_date === null)
      throw contradiction('EVENT_CONTRADICTS_RECORD', 'No death is recorded for the person');
    if (!isDate(value) || value > today || value < person.birth_date) {
      throw invalidValue('the corrected death date is a real date between the birth and today');
    }
    if (value === person.death_date)
      throw contradiction('EVENT_NO_CHANGE', `The death is already recorded on ${value}`);
    await context.log(person.person_id, { field, value, reason });
    await manager.query(`UPDATE persons SET death_date = $2::date WHERE id = $1`, [person.person_id, value]);
    return {
      personId: person.person_id,
      data: { field, value, reason },
      effectiveFrom: value < person.death_date ? value : person.death_date,
      corrects: { field, from: person.death_date, to: value },
    };
  }

  withdraw(): Promise<void> {
    // Never called: withdrawEvent refuses a CORRECTION as its target.
    return Promise.resolve();
  }
}
