import { translate } from '../../../common/i18n/i18n.js';
import { currentLanguage } from '../../../common/request-context.js';
import type { JoiningMemberDto, LifeEventOf, NewChildDataDto } from '../dto/life-events.dto.js';
import type { EventType } from '../dto/household.dto.js';
import { namedParentIdNumbers, resolveParentLinks, validateMember, type MemberDraft } from '../household-rules.js';
import { refusalFor } from '../households.service.js';
import { parseIdNumber } from '../id-number.js';
import { uuidv7 } from '../ids.js';
import { InvalidIdNumberError } from '../registry.errors.js';
import { FROM_THE_BEGINNING, type LoggedEvent } from '../registry.repository.js';
import {
  conflict,
  contradiction,
  memberOf,
  type Dependents,
  type EventContext,
  type HandlerDeps,
  type LifeEventHandler,
  type Outcome,
} from './life-event-handler.js';

type Joining = 'BIRTH' | 'ADOPTION' | 'MEMBER_JOINED';

/** Postgres' unique violation, by constraint. */
const uniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;

/**
 * Adding a person to a household, shared by BIRTH, ADOPTION and MEMBER_JOINED: a new person (or
 * one left in no household when the event that added them was withdrawn) joins on the date.
 */
abstract class JoiningHandler<T extends Joining> implements LifeEventHandler<T> {
  // Everything later about the person was recorded against their being a member.
  readonly dependents: Dependents = { types: 'ALL', of: 'person' };
  constructor(
    readonly type: T,
    protected readonly deps: HandlerDeps,
  ) {}

  abstract handle(context: EventContext, event: LifeEventOf<T>): Promise<Outcome>;

  protected async addPerson(
    context: EventContext,
    data: NewChildDataDto | JoiningMemberDto,
    prefix: string,
  ): Promise<Outcome> {
    const { manager, household, date, today } = context;
    const { repository, households } = this.deps;
    const joining = this.type === 'MEMBER_JOINED';
    const adopted = this.type === 'ADOPTION';
    const relation = joining ? data.relation! : 'CHILD';
    const draft = { ...data, relation, adopted, adoptedOn: null } as MemberDraft;
    const { problems, valid } = validateMember(draft, today, 0, prefix, currentLanguage());
    if (problems.length > 0 || !valid) throw refusalFor(problems);
    if ((adopted || joining) && date < valid.birthDate) {
      throw contradiction(
        'EVENT_BEFORE_BIRTH',
        `The ${joining ? 'joining' : 'adoption'} on ${date} is before the person's birth on ${valid.birthDate}`,
      );
    }
    if (this.type === 'BIRTH' && date !== valid.birthDate) {
      throw contradiction(
        'EVENT_CONTRADICTS_RECORD',
        `The birth is dated ${date} but the ID number says the child was born on ${valid.birthDate}`,
      );
    }
    const birthOrder =
      relation !== 'CHILD' ? null : (valid.birthOrder ?? (await repository.nextBirthOrder(manager, household.id)));
    let personId: string = uuidv7();
    const taken = await repository.insertPersons(manager, [
      {
        id: personId,
        idNumber: valid.idNumber,
        name: valid.name,
        sex: valid.sex,
        birthDate: valid.birthDate,
        deathDate: null,
      },
    ]);
    if (taken.length > 0) {
      // Registered, but in no household: the event that added them was withdrawn. They start afresh.
      const registered = await repository.registeredPerson(manager, valid.idNumber);
      if (!registered || registered.memberships > 0)
        throw await households.duplicatePerson(manager, taken[0], context.scope);
      personId = registered.id;
      await repository.reuseDetachedPerson(manager, personId, valid.name);
    }
    const logged = {
      idNumber: valid.idNumber,
      name: valid.name,
      ...(joining ? { relation } : {}),
      hukouType: valid.hukouType,
      birthOrder,
      ...(valid.disabilityGrade != null ? { disabilityGrade: valid.disabilityGrade } : {}),
      ...(valid.complicationGrade != null ? { complicationGrade: valid.complicationGrade } : {}),
    };
    const eventId = await context.log(personId, logged);
    await this.insertMember(context, personId, relation, birthOrder, adopted ? date : null);
    const couple = await repository.householdCouple(manager, household.id);
    const named = [valid.motherPersonId, valid.fatherPersonId].filter((id): id is string => typeof id === 'string');
    const known = await repository.linkablePersons(manager, namedParentIdNumbers([valid]), named);
    const linked = resolveParentLinks(
      [{ ...valid, id: personId }, ...couple.map((parent) => ({ ...parent }))],
      known,
      prefix,
      currentLanguage(),
    );
    if (linked.problems.length > 0) {
      throw refusalFor(linked.problems.map((p) => ({ ...p, field: p.field.replace(`${prefix}0.`, prefix) })));
    }
    await repository.setParentLinks(manager, [linked.links[0]]);
    await repository.insertHukou(
      manager,
      [{ personId, effectiveOn: FROM_THE_BEGINNING, hukouType: valid.hukouType }],
      eventId,
    );
    await repository.insertGrades(
      manager,
      [
        ...(valid.disabilityGrade != null
          ? [{ personId, kind: 'DISABILITY' as const, effectiveOn: date, grade: valid.disabilityGrade }]
          : []),
        ...(valid.complicationGrade != null
          ? [{ personId, kind: 'COMPLICATION' as const, effectiveOn: date, grade: valid.complicationGrade }]
          : []),
      ],
      eventId,
    );
    return { personId, data: logged };
  }

  protected async insertMember(
    context: EventContext,
    personId: string,
    relation: MemberDraft['relation'],
    birthOrder: number | null,
    adoptedOn: string | null,
  ): Promise<void> {
    try {
      await this.deps.repository.insertMembers(context.manager, context.household.id, [
        { personId, relation, birthOrder, adopted: adoptedOn !== null, adoptedOn, joinedOn: context.date },
      ]);
    } catch (error) {
      // The transaction is rolled back as the error leaves it.
      if (uniqueViolation(error, 'household_members_birth_order_key')) {
        throw conflict('BIRTH_ORDER_TAKEN', `Another child of the household has birth order ${birthOrder}`);
      }
      if (uniqueViolation(error, 'household_members_pkey')) {
        throw conflict(
          'MEMBER_WAS_IN_HOUSEHOLD',
          `The person was a member of household ${context.household.household_no} before; withdraw their leaving instead`,
        );
      }
      throw error;
    }
  }

  /** The person leaves the household's record as if never added (their grades from the event are lifted). */
  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string, _reason?: string): Promise<void> {
    const { repository } = this.deps;
    const personId = event.person_id!;
    if ((await repository.childrenOf(context.manager, personId)) > 0) {
      throw conflict('EVENT_HAS_DEPENDENTS', `Persons are linked to ${personId} as their parent; correct them first`);
    }
    await repository.deleteMembership(context.manager, context.household.id, personId);
    await repository.restoreDated(context.manager, 'grade', event.id, correctionId);
  }
}

/** BIRTH {the child}: a child born into the household (the ID number gives the birth date). */
export class BirthHandler extends JoiningHandler<'BIRTH'> {
  constructor(deps: HandlerDeps) {
    super('BIRTH', deps);
  }
  handle(context: EventContext, event: LifeEventOf<'BIRTH'>): Promise<Outcome> {
    return this.addPerson(context, event.data, 'data.');
  }
}

/** ADOPTION {the child}: a child adopted on the date. */
export class AdoptionHandler extends JoiningHandler<'ADOPTION'> {
  constructor(deps: HandlerDeps) {
    super('ADOPTION', deps);
  }
  handle(context: EventContext, event: LifeEventOf<'ADOPTION'>): Promise<Outcome> {
    return this.addPerson(context, event.data, 'data.');
  }
}

/**
 * MEMBER_JOINED {member}: a person joins (a marriage, a relative moving in). A person registered
 * in another household of the city moves: they leave it on the date (a MEMBER_LEFT logged there)
 * and join here, both households audited and re-decided in this transaction; one person, one
 * record, one current household.
 */
export class MemberJoinedHandler extends JoiningHandler<'MEMBER_JOINED'> {
  constructor(deps: HandlerDeps) {
    super('MEMBER_JOINED', deps);
  }

  async handle(context: EventContext, event: LifeEventOf<'MEMBER_JOINED'>): Promise<Outcome> {
    const member = event.data.member;
    const id = parseIdNumber(member.idNumber, context.today);
    const registered = id.ok
      ? await this.deps.repository.registeredPerson(context.manager, id.value.idNumber)
      : undefined;
    if (!registered || registered.memberships === 0) {
      return this.addPerson(context, member, 'data.member.');
    }
    return this.move(context, member, registered);
  }

  private async move(
    context: EventContext,
    member: JoiningMemberDto,
    registered: NonNullable<Awaited<ReturnType<HandlerDeps['repository']['registeredPerson']>>>,
  ): Promise<Outcome> {
    const { manager, household, date } = context;
    const { repository } = this.deps;
    const id = parseIdNumber(member.idNumber, context.today, currentLanguage());
    if (!id.ok) throw new InvalidIdNumberError([{ field: 'data.member.idNumber', message: id.reason }]);
    for (const field of ['birthDate', 'sex'] as const) {
      if (member[field] != null && member[field] !== id.value[field]) {
        const message = translate(
          field === 'sex' ? 'household.sexDisagrees' : 'household.birthDateDisagrees',
          { value: member[field], expected: id.value[field] },
          currentLanguage(),
        );
        throw new InvalidIdNumberError([{ field: `data.member.${field}`, message }]);
      }
    }
    if (registered.household_id === household.id) {
      throw conflict(
        'MEMBER_ALREADY_IN_HOUSEHOLD',
        `The person is already a member of household ${household.household_no}`,
      );
    }
    if (registered.name !== member.name.trim()) {
      throw contradiction(
        'MEMBER_NAME_DIFFERS',
        `${id.value.idNumber} is registered as ${registered.name}, not ${member.name.trim()} (correct a mistyped name with a CORRECTION)`,
        { registeredName: registered.name },
      );
    }
    if (date < registered.birth_date) {
      throw contradiction(
        'EVENT_BEFORE_BIRTH',
        `The joining on ${date} is before the birth on ${registered.birth_date}`,
      );
    }
    if (registered.death_date !== null && date >= registered.death_date) {
      throw contradiction('PERSON_DECEASED', `The person died on ${registered.death_date}`, {
        deathDate: registered.death_date,
      });
    }
    const facts = (await repository.personFacts(manager, registered.id))!;
    if (member.hukouType !== undefined && member.hukouType !== facts.hukou_type) {
      throw contradiction(
        'EVENT_CONTRADICTS_RECORD',
        `The person's hukou is ${facts.hukou_type}: record a HUKOU_CHANGE for a change`,
      );
    }
    for (const field of ['disabilityGrade', 'complicationGrade'] as const) {
      if (member[field] !== undefined) {
        throw contradiction(
          'EVENT_CONTRADICTS_RECORD',
          `A registered person's ${field} changes by an assessment event, not by joining`,
        );
      }
    }
    const relation = member.relation;
    const birthOrder =
      relation !== 'CHILD' ? null : (member.birthOrder ?? (await repository.nextBirthOrder(manager, household.id)));
    let moved: { householdId: string; householdNo: string; leftEventId: string } | undefined;
    if (registered.household_id !== null) {
      // They leave their household on the date.
      if (registered.joined_on !== null && date < registered.joined_on) {
        throw contradiction(
          'EVENT_OUT_OF_ORDER',
          `The person joined their household on ${registered.joined_on}; they cannot leave it before`,
          { lastChangedOn: registered.joined_on },
        );
      }
      const from = await context.involve(registered.household_id);
      const leftEventId = await context.logIn(from.id, 'MEMBER_LEFT', registered.id, {
        movedToHouseholdId: household.id,
        movedToHouseholdNo: household.household_no,
      });
      await repository.markMemberLeft(manager, from.id, registered.id, date);
      moved = { householdId: from.id, householdNo: from.household_no, leftEventId };
    } else {
      const leftOn = await repository.lastLeftOn(manager, registered.id);
      if (leftOn !== null && date < leftOn) {
        throw contradiction('EVENT_OUT_OF_ORDER', `The person left their last household on ${leftOn}`, {
          lastChangedOn: leftOn,
        });
      }
    }
    const logged = {
      idNumber: id.value.idNumber,
      name: registered.name,
      relation,
      hukouType: facts.hukou_type,
      birthOrder,
      ...(moved
        ? {
            movedFromHouseholdId: moved.householdId,
            movedFromHouseholdNo: moved.householdNo,
            leftEventId: moved.leftEventId,
          }
        : {}),
    };
    await context.log(registered.id, logged);
    await this.insertMember(context, registered.id, relation, birthOrder, null);
    const named = [member.motherPersonId, member.fatherPersonId].filter((v): v is string => typeof v === 'string');
    const namedIds = namedParentIdNumbers([member as MemberDraft]);
    if (named.length > 0 || namedIds.length > 0) {
      // Parents named on joining complete the person's links (the links they had stay otherwise).
      const known = await repository.linkablePersons(manager, namedIds, named);
      const linked = resolveParentLinks(
        [
          {
            ...(member as MemberDraft),
            idNumber: id.value.idNumber,
            id: registered.id,
            sex: id.value.sex,
            birthDate: id.value.birthDate,
          },
        ],
        known,
        'data.member.',
      );
      if (linked.problems.length > 0) {
        throw refusalFor(
          linked.problems.map((p) => ({ ...p, field: p.field.replace('data.member.0.', 'data.member.') })),
        );
      }
      await repository.setParentLinks(manager, [linked.links[0]]);
    }
    return { personId: registered.id, data: logged };
  }

  /** A person who moved here goes back to the household they left (its MEMBER_LEFT withdrawn there too). */
  override async withdraw(
    context: EventContext,
    event: LoggedEvent,
    correctionId: string,
    reason: string,
  ): Promise<void> {
    const from = event.data.movedFromHouseholdId;
    if (typeof from !== 'string') return super.withdraw(context, event, correctionId);
    const { repository } = this.deps;
    const personId = event.person_id!;
    await repository.deleteMembership(context.manager, context.household.id, personId);
    await context.involve(from);
    await context.logIn(from, 'CORRECTION', personId, {
      withdrawsEventId: String(event.data.leftEventId),
      withdrawnType: 'MEMBER_LEFT' satisfies EventType,
      reason,
      withdrawnWith: correctionId,
    });
    await repository.reopenMembership(context.manager, from, personId, event.event_date);
  }
}

/**
 * MEMBER_LEFT: the member leaves the household (a marriage out, a divorce, a child moving out). A
 * child who left is still a child of their parents; the member is no longer a beneficiary here.
 */
export class MemberLeftHandler implements LifeEventHandler<'MEMBER_LEFT'> {
  readonly type = 'MEMBER_LEFT';
  readonly dependents: Dependents = { types: ['MEMBER_JOINED', 'MEMBER_LEFT'], of: 'person' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext): Promise<Outcome> {
    const facts = memberOf(context);
    if (
      !(await this.deps.repository.markMemberLeft(context.manager, context.household.id, facts.person_id, context.date))
    ) {
      throw conflict('MEMBER_ALREADY_LEFT', 'The member has already left the household');
    }
    await context.log(facts.person_id, {});
    return { personId: facts.person_id, data: {} };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    if (
      !(await this.deps.repository.reopenMembership(
        context.manager,
        context.household.id,
        event.person_id!,
        event.event_date,
      ))
    ) {
      throw conflict(
        'EVENT_HAS_DEPENDENTS',
        'The person belongs to another household now: withdraw that joining first',
      );
    }
  }
}
