import { Injectable } from '@nestjs/common';
import { EVENT_TYPES, type EventType } from '../dto/household.dto.js';
import { HouseholdsService } from '../households.service.js';
import { MissingEventHandlerError } from '../registry.errors.js';
import { RegistryRepository } from '../registry.repository.js';
import { CorrectionHandler } from './correction.handler.js';
import {
  BankAccountChangeHandler,
  CertificateIssuedHandler,
  CertificateRevokedHandler,
  MoveHandler,
  QuotaWaivedHandler,
  ViolationRecordedHandler,
} from './household-facts.handlers.js';
import type { HandlerDeps, LifeEventHandler } from './life-event-handler.js';
import { AdoptionHandler, BirthHandler, MemberJoinedHandler, MemberLeftHandler } from './membership.handlers.js';
import { CollegeAdmittedHandler, DeathHandler, GradeHandler, HukouChangeHandler } from './person-facts.handlers.js';
import { ResidenceHandler } from './residence.handlers.js';

/**
 * The handlers keyed by type; refuses to exist (at start) when a type has none, or two. A new
 * event type is a DTO in LIFE_EVENT_DTOS and a handler here.
 */
export function handlerRegistry(
  handlers: readonly LifeEventHandler[],
  types: readonly EventType[] = EVENT_TYPES,
): ReadonlyMap<EventType, LifeEventHandler> {
  const registry = new Map<EventType, LifeEventHandler>();
  const twice: string[] = [];
  for (const handler of handlers) {
    if (registry.has(handler.type)) twice.push(`${handler.type} (twice)`);
    registry.set(handler.type, handler);
  }
  const missing = types.filter((type) => !registry.has(type));
  if (missing.length > 0 || twice.length > 0) throw new MissingEventHandlerError([...missing, ...twice]);
  return registry;
}

/** One handler per type (CORRECTION looks the others up through `handlerOf`). */
export function allHandlers(
  deps: HandlerDeps,
  handlerOf: (type: EventType) => LifeEventHandler | undefined,
): LifeEventHandler[] {
  return [
    new BirthHandler(deps),
    new AdoptionHandler(deps),
    new MemberJoinedHandler(deps),
    new MemberLeftHandler(deps),
    new DeathHandler(deps),
    new HukouChangeHandler(deps),
    new GradeHandler('DISABILITY_ASSESSED', deps),
    new GradeHandler('COMPLICATION_ASSESSED', deps),
    new CollegeAdmittedHandler(deps),
    new ResidenceHandler('MOVE_IN', deps),
    new ResidenceHandler('MOVE_OUT', deps),
    new CertificateIssuedHandler(deps),
    new CertificateRevokedHandler(deps),
    new ViolationRecordedHandler(deps),
    new QuotaWaivedHandler(deps),
    new MoveHandler(deps),
    new BankAccountChangeHandler(deps),
    new CorrectionHandler(deps, handlerOf),
  ] as LifeEventHandler[];
}

@Injectable()
export class LifeEventHandlers {
  private readonly registry: ReadonlyMap<EventType, LifeEventHandler>;

  constructor(repository: RegistryRepository, households: HouseholdsService) {
    this.registry = handlerRegistry(allHandlers({ repository, households }, (type) => this.registry.get(type)));
  }

  /** The handler of a type (every type has one: checked at start). */
  of<T extends EventType>(type: T): LifeEventHandler<T> {
    return this.registry.get(type) as unknown as LifeEventHandler<T>;
  }
}
