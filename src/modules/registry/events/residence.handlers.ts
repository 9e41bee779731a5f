import type { LifeEventOf } from '../dto/life-events.dto.js';
import { FROM_THE_BEGINNING, type LoggedEvent } from '../registry.repository.js';
import {
  contradiction,
  inOrder,
  memberOf,
  notAfterDeath,
  type Dependents,
  type EventContext,
  type HandlerDeps,
  type LifeEventHandler,
  type Outcome,
} from './life-event-handler.js';

/**
 * MOVE_IN {fromPlace} and MOVE_OUT: the city's hukou from a date (SPEC.md "Residence"). MOVE_IN
 * starts it (the person did not hold it before, unless a record says so), MOVE_OUT ends it.
 */
export class ResidenceHandler<T extends 'MOVE_IN' | 'MOVE_OUT'> implements LifeEventHandler<T> {
  // A later move was checked against the residence this one left.
  readonly dependents: Dependents = { types: ['MOVE_IN', 'MOVE_OUT'], of: 'person' };
  constructor(
    readonly type: T,
    private readonly deps: HandlerDeps,
  ) {}

  async handle(context: EventContext, event: LifeEventOf<T>): Promise<Outcome> {
    const facts = memberOf(context);
    notAfterDeath(facts, context.date);
    const moveIn = this.type === 'MOVE_IN';
    const residence = await this.deps.repository.residenceOf(context.manager, facts.person_id);
    const last = residence.at(-1);
    const resident = last ? last.resident : true;
    if (moveIn && resident && last) {
      throw contradiction('EVENT_NO_CHANGE', `The person already holds the city's hukou (since ${last.effective_on})`);
    }
    if (!moveIn && !resident) {
      throw contradiction('EVENT_NO_CHANGE', `The person moved out of the city on ${last!.effective_on}`);
    }
    inOrder(last && last.effective_on !== FROM_THE_BEGINNING ? last.effective_on : null, context.date, 'residence');
    const fromPlace = moveIn ? (event as LifeEventOf<'MOVE_IN'>).data.fromPlace.trim() : null;
    const logged = moveIn ? { fromPlace } : {};
    const eventId = await context.log(facts.person_id, logged);
    const rows = [
      // Before a first move-in the person did not hold the hukou: until now the registry assumed it from birth.
      ...(moveIn && residence.length === 0
        ? [{ effectiveOn: FROM_THE_BEGINNING, resident: false, fromPlace: null }]
        : []),
      { effectiveOn: context.date, resident: moveIn, fromPlace },
    ];
    await this.deps.repository.insertResidence(context.manager, facts.person_id, rows, eventId);
    return { personId: facts.person_id, data: logged };
  }

  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string): Promise<void> {
    await this.deps.repository.restoreDated(context.manager, 'residence', event.id, correctionId);
  }
}
