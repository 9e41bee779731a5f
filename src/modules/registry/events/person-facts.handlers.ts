import type { LifeEventOf } from '../dto/life-events.dto.js';
import type { LoggedEvent } from '../registry.repository.js';
import {
  conflict,
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

/** DEATH: the member died on the date; nothing about them can be dated after it. */
export class DeathHandler implements LifeEventHandler<'DEATH'> {
  readonly type = 'DEATH';
  // Later facts of the person are dated before the death: they stand without it.
  readonly dependents: Dependents = { types: [], of: 'person' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext): Promise<Outcome> {
    const facts = memberOf(context);
    if (facts.death_date !== null) {
      throw conflict('PERSON_ALREADY_DEAD', `The person's death on ${facts.death_date} is already recorded`);
    }
    if (facts.last_fact_on !== null && context.date < facts.last_fact_on) {
      throw contradiction(
        'EVENT_CONTRADICTS_RECORD',
        `The person has facts recorded on ${facts.last_fact_on}, after ${context.date}`,
      );
    }
    await context.log(facts.person_id, {});
    await context.manager.query(`UPDATE persons SET death_date = $2::date WHERE id = $1 AND death_date IS NULL`, [
      facts.person_id,
      context.date,
    ]);
    return { personId: facts.person_id, data: {} };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    await this.deps.repository.eraseDeath(context.manager, event.person_id!, event.event_date);
  }
}

/** HUKOU_CHANGE {hukouType}: rural or urban from the date. */
export class HukouChangeHandler implements LifeEventHandler<'HUKOU_CHANGE'> {
  readonly type = 'HUKOU_CHANGE';
  readonly dependents: Dependents = { types: ['HUKOU_CHANGE'], of: 'person' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext, event: LifeEventOf<'HUKOU_CHANGE'>): Promise<Outcome> {
    const facts = memberOf(context);
    notAfterDeath(facts, context.date);
    const { hukouType } = event.data;
    if (hukouType === facts.hukou_type) {
      throw contradiction('EVENT_NO_CHANGE', `The person's hukou is already ${hukouType}`);
    }
    inOrder(facts.hukou_since, context.date, 'hukou type');
    const eventId = await context.log(facts.person_id, { hukouType });
    await this.deps.repository.insertHukou(
      context.manager,
      [{ personId: facts.person_id, effectiveOn: context.date, hukouType }],
      eventId,
    );
    return { personId: facts.person_id, data: { hukouType } };
  }

  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string): Promise<void> {
    await this.deps.repository.restoreDated(context.manager, 'hukou', event.id, correctionId);
  }
}

/** DISABILITY_ASSESSED and COMPLICATION_ASSESSED {grade}: the grade from the date (null lifts it). */
export class GradeHandler<T extends 'DISABILITY_ASSESSED' | 'COMPLICATION_ASSESSED'> implements LifeEventHandler<T> {
  readonly dependents: Dependents;
  constructor(
    readonly type: T,
    private readonly deps: HandlerDeps,
  ) {
    this.dependents = { types: [type], of: 'person' };
  }

  async handle(context: EventContext, event: LifeEventOf<T>): Promise<Outcome> {
    const facts = memberOf(context);
    notAfterDeath(facts, context.date);
    const disability = this.type === 'DISABILITY_ASSESSED';
    const grade = event.data.grade;
    inOrder(
      disability ? facts.disability_since : facts.complication_since,
      context.date,
      disability ? 'disability grade' : 'complication grade',
    );
    const eventId = await context.log(facts.person_id, { grade });
    await this.deps.repository.insertGrades(
      context.manager,
      [
        {
          personId: facts.person_id,
          kind: disability ? 'DISABILITY' : 'COMPLICATION',
          effectiveOn: context.date,
          grade,
        },
      ],
      eventId,
    );
    return { personId: facts.person_id, data: { grade } };
  }

  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string): Promise<void> {
    await this.deps.repository.restoreDated(context.manager, 'grade', event.id, correctionId);
  }
}

/** COLLEGE_ADMITTED: the member was admitted to college (once). */
export class CollegeAdmittedHandler implements LifeEventHandler<'COLLEGE_ADMITTED'> {
  readonly type = 'COLLEGE_ADMITTED';
  readonly dependents: Dependents = { types: [], of: 'person' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext): Promise<Outcome> {
    const facts = memberOf(context);
    notAfterDeath(facts, context.date);
    if (facts.college_admitted_on !== null) {
      throw conflict('ALREADY_ADMITTED', `The admission on ${facts.college_admitted_on} is already recorded`);
    }
    await context.log(facts.person_id, {});
    await context.manager.query(`UPDATE persons SET college_admitted_on = $2::date WHERE id = $1`, [
      facts.person_id,
      context.date,
    ]);
    return { personId: facts.person_id, data: {} };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    await this.deps.repository.eraseCollegeAdmission(context.manager, event.person_id!, event.event_date);
  }
}
