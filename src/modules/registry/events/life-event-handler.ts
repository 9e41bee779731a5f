import type { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../../../common/errors.js';
import type { LifeEventNotice } from '../../../common/life-event-bus.js';
import type { RegionScope } from '../../../common/region-scope.js';
import type { EventType } from '../dto/household.dto.js';
import type { LifeEventOf } from '../dto/life-events.dto.js';
import type { HouseholdsService } from '../households.service.js';
import { EventConflictError, EventContradictsRecordError, type RegistryErrorCode } from '../registry.errors.js';
import type { LockedHousehold, LoggedEvent, PersonFacts, RegistryRepository } from '../registry.repository.js';

/** What a handler works with, inside the transaction that holds the household's lock. */
export interface EventContext {
  manager: EntityManager;
  household: LockedHousehold;
  /** The event's effective date. */
  date: string;
  today: string;
  scope: RegionScope;
  /** The member `personId` names, checked to belong to the household and to be born by the date. */
  person?: PersonFacts;
  /** Appends the event to the household's log; answers its id. */
  log(personId: string | null, data: Record<string, unknown>): Promise<string>;
  /**
   * Another household the event changes (a member moving between households): locked now, then
   * audited and its open enrollments re-decided in this transaction, as the household's own.
   */
  involve(householdId: string): Promise<LockedHousehold>;
  /** Appends an event to the log of a household `involve` took in; answers its id. */
  logIn(householdId: string, type: EventType, personId: string | null, data: Record<string, unknown>): Promise<string>;
}

/** What a handler leaves behind: the person it concerned and the data logged. */
export interface Outcome {
  personId: string | null;
  data: Record<string, unknown>;
  /** A CORRECTION: the first day whose facts it changed, and what it corrected (see LifeEventNotice). */
  effectiveFrom?: string;
  corrects?: LifeEventNotice['corrects'];
}

/** The later events that were checked against an event: a CORRECTION cannot withdraw it while one stands. */
export interface Dependents {
  /** Types of the later events, or every type but CORRECTION. */
  types: readonly EventType[] | 'ALL';
  /** About the same person (in any household), or recorded in the same household. */
  of: 'person' | 'household';
}

/** One life event type: its checks and writes, and how a CORRECTION withdraws it. */
export interface LifeEventHandler<T extends EventType = EventType> {
  readonly type: T;
  handle(context: EventContext, event: LifeEventOf<T>): Promise<Outcome>;
  readonly dependents: Dependents;
  /**
   * Undoes what `event` recorded, so the record as of any date reads as if it never happened
   * (dated histories get rows restoring what held before; plain columns are reset). Refuses
   * with a problem what cannot be undone.
   */
  withdraw(context: EventContext, event: LoggedEvent, correctionId: string, reason: string): Promise<void>;
}

/** What handlers are built with. */
export interface HandlerDeps {
  repository: RegistryRepository;
  households: HouseholdsService;
}

export const contradiction = (code: RegistryErrorCode, message: string, extra: Record<string, unknown> = {}) =>
  new EventContradictsRecordError(code, message, extra);
export const conflict = (code: RegistryErrorCode, message: string) => new EventConflictError(code, message);
export const invalid = (field: string, message: string) => new ValidationFailedError([{ field, message }]);

/** Refuses an event dated after the person's death. */
export function notAfterDeath(facts: PersonFacts, date: string): void {
  if (facts.death_date !== null && date > facts.death_date) {
    throw contradiction('PERSON_DECEASED', `The person died on ${facts.death_date}, before ${date}`, {
      deathDate: facts.death_date,
    });
  }
}

/** Refuses a change dated before the last change of the same fact. */
export function inOrder(last: string | null, date: string, what: string): void {
  if (last !== null && date < last) {
    throw contradiction(
      'EVENT_OUT_OF_ORDER',
      `The ${what} was last changed on ${last}; an earlier change cannot follow it`,
      { lastChangedOn: last },
    );
  }
}

/** The member of a person event (its DTO requires personId, and the service loads it). */
export function memberOf(context: EventContext): PersonFacts {
  if (!context.person) throw invalid('personId', 'the event names the member it is about');
  return context.person;
}
