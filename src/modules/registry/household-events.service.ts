import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors.js';
import { LifeEventBus } from '../../common/life-event-bus.js';
import { retryConflicts } from '../../database/sqlstate.js';
import { CITY_CODE, RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { isDate, todayInChina } from '../../common/calendar.js';
import type { EventType } from './dto/household.dto.js';
import type { LifeEventRequest } from './dto/life-events.dto.js';
import { contradiction, invalid, type EventContext } from './events/life-event-handler.js';
import { LifeEventHandlers } from './events/life-event-handlers.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import { HouseholdSnapshots } from './household-snapshots.service.js';
import { echoVisibilityFor, maskedSnapshot, toHouseholdView, type HouseholdView } from './household-view.js';
import { RegistryRepository, type LockedHousehold, type PersonFacts } from './registry.repository.js';
import { isUuid } from '../../common/uuid.js';
import { Transactions } from '../../database/transactions.js';

export interface LifeEventView {
  id: string;
  householdId: string;
  type: EventType;
  personId: string | null;
  date: string;
  data: Record<string, unknown>;
  recordedAt: string;
  /** The household after the event (as of today). */
  household: HouseholdView;
}

/** A household another one's event changes (a member moving) may lie anywhere in the city. */
const CITY = new RegionScope(CITY_CODE);

/** A household an event changed besides its own, with the events logged there. */
interface Involved {
  household: LockedHousehold;
  before: HouseholdSnapshot;
  events: { id: string; type: EventType; personId: string | null; data: Record<string, unknown> }[];
}

/**
 * Life events. The handler of the type (events/) checks the event against the record inside the
 * household's lock, appends it to the log and applies it to the dated history and the current
 * state; then, in the same transaction, every household it changed publishes a LifeEventNotice
 * (enrollments re-decide there, as of the effective date) and is audited before and after. A
 * refused event writes nothing.
 */
@Injectable()
export class HouseholdEventsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: RegistryRepository,
    private readonly snapshots: HouseholdSnapshots,
    private readonly handlers: LifeEventHandlers,
    private readonly audit: AuditService,
    private readonly bus: LifeEventBus,
  ) {}

  async append(householdId: string, input: LifeEventRequest, actor: Actor): Promise<LifeEventView> {
    const today = todayInChina();
    if (!isDate(input.date)) throw invalid('date', 'date must be a YYYY-MM-DD calendar date');
    if (input.date > today) {
      throw contradiction('EVENT_DATE_IN_FUTURE', `The event date ${input.date} is in the future (today is ${today})`);
    }
    if (!isUuid(householdId)) throw new NotFoundError('Household', householdId);
    const scope = new RegionScope(actor.regionCode);
    const handler = this.handlers.of(input.type);

    // A move locks the member's old household after this one; two moves in opposite directions at
    // once lock the pair in opposite order, and PostgreSQL rolls one back as a deadlock. The
    // transaction is a function of the request alone, so it is simply run again.
    return retryConflicts(() =>
      this.transactions.run(async (manager) => {
        const household = await this.repository.lockHousehold(manager, householdId, scope);
        if (!household) throw new NotFoundError('Household', householdId);
        const before = await this.snapshots.forHousehold(householdId, today, manager);
        const involved = new Map<string, Involved>();
        let logged: { id: string; recordedAt: Date } | undefined;
        const insert = (id: string, type: EventType, personId: string | null, data: Record<string, unknown>) =>
          this.repository.insertEvent(manager, {
            householdId: id,
            type,
            personId,
            date: input.date,
            data,
            actorId: actor.id,
          });
        const context: EventContext = {
          manager,
          household,
          date: input.date,
          today,
          scope,
          person: input.personId ? await this.memberFacts(manager, household, input.personId, input.date) : undefined,
          log: async (personId, data) => {
            const event = await insert(householdId, input.type, personId, data);
            logged = { id: event.id, recordedAt: event.recorded_at };
            return event.id;
          },
          involve: async (otherId) => {
            const known = otherId === householdId ? { household } : involved.get(otherId);
            if (known) return known.household;
            const other = await this.repository.lockHousehold(manager, otherId, CITY);
            if (!other) throw new NotFoundError('Household', otherId);
            involved.set(otherId, {
              household: other,
              before: await this.snapshots.forHousehold(otherId, today, manager),
              events: [],
            });
            return other;
          },
          logIn: async (otherId, type, personId, data) => {
            const event = await insert(otherId, type, personId, data);
            involved.get(otherId)!.events.push({ id: event.id, type, personId, data });
            return event.id;
          },
        };
        const outcome = await handler.handle(context, input as never);
        const eventId = logged!.id;
        const effective = outcome.effectiveFrom ?? input.date;

        // Listeners (enrollments, overpayments) react inside this transaction: the event and its consequences commit together.
        await this.bus.publish(manager, {
          eventId,
          householdId,
          type: input.type,
          date: effective,
          personId: outcome.personId,
          ...(outcome.corrects ? { corrects: outcome.corrects } : {}),
        });
        for (const [otherId, other] of involved) {
          for (const event of other.events) {
            const withdrawn = event.type === 'CORRECTION' ? String(event.data.withdrawsEventId) : undefined;
            await this.bus.publish(manager, {
              eventId: event.id,
              householdId: otherId,
              type: event.type,
              date: effective,
              personId: event.personId,
              ...(withdrawn
                ? { corrects: { withdrawnEventId: withdrawn, withdrawnType: String(event.data.withdrawnType) } }
                : {}),
            });
          }
        }
        const after = await this.snapshots.forHousehold(householdId, today, manager);
        await this.audit.record(manager, {
          action: `household.event.${input.type.toLowerCase()}`,
          entityType: 'household',
          entityId: householdId,
          regionCode: after.regionCode,
          before: maskedSnapshot(before),
          after: {
            eventId,
            type: input.type,
            date: input.date,
            personId: outcome.personId,
            household: maskedSnapshot(after),
          },
        });
        for (const [otherId, other] of involved) {
          const otherAfter = await this.snapshots.forHousehold(otherId, today, manager);
          for (const event of other.events) {
            await this.audit.record(manager, {
              action: `household.event.${event.type.toLowerCase()}`,
              entityType: 'household',
              entityId: otherId,
              regionCode: otherAfter.regionCode,
              before: maskedSnapshot(other.before),
              after: {
                eventId: event.id,
                type: event.type,
                date: input.date,
                personId: event.personId,
                causedBy: { householdId, eventId },
                household: maskedSnapshot(otherAfter),
              },
            });
          }
        }
        return {
          id: eventId,
          householdId,
          type: input.type,
          personId: outcome.personId,
          date: input.date,
          data: outcome.data,
          recordedAt: logged!.recordedAt.toISOString(),
          household: toHouseholdView(after, echoVisibilityFor(actor.role)),
        };
      }),
    );
  }

  /** The member an event is about; refuses a person of another household and an event before birth. */
  private async memberFacts(
    manager: EntityManager,
    household: LockedHousehold,
    personId: string,
    date: string,
  ): Promise<PersonFacts> {
    const facts = await this.repository.personFacts(manager, personId, household.id);
    if (!facts || facts.household_id !== household.id) {
      throw contradiction(
        'PERSON_NOT_IN_HOUSEHOLD',
        `Person ${personId} is not a member of household ${household.household_no}`,
      );
    }
    if (date < facts.birth_date) {
      throw contradiction(
        'EVENT_BEFORE_BIRTH',
        `The event date ${date} is before the person's birth on ${facts.birth_date}`,
        {
          birthDate: facts.birth_date,
        },
      );
    }
    return facts;
  }
}
