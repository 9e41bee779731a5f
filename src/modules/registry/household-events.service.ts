import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { uuidv7 } from './ids.js';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../../common/errors.js';
import { LifeEventBus, type LifeEventNotice } from '../../common/life-event-bus.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { accountNoProblem, bankCodeProblem } from './bank-account.js';
import { isIsoDate, todayInChina } from './dates.js';
import type { EventType } from './dto/household.dto.js';
import type { HukouType } from './household-snapshot.js';
import {
  HUKOU_TYPES,
  holderProblem,
  namedParentIdNumbers,
  resolveParentLinks,
  validateMember,
  type MemberDraft,
} from './household-rules.js';
import { HouseholdSnapshots } from './household-snapshots.service.js';
import { maskedSnapshot, toHouseholdView, visibilityFor, type HouseholdView } from './household-view.js';
import { HouseholdsService, refusalFor } from './households.service.js';
import { EventConflictError, EventContradictsRecordError } from './registry.errors.js';
import {
  FROM_THE_BEGINNING,
  RegistryRepository,
  type LockedHousehold,
  type PersonFacts,
} from './registry.repository.js';

export interface LifeEventInput {
  type: EventType;
  personId?: string;
  date: string;
  data?: Record<string, unknown>;
}

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PERSON_EVENTS: ReadonlySet<EventType> = new Set([
  'DEATH',
  'DISABILITY_ASSESSED',
  'COMPLICATION_ASSESSED',
  'HUKOU_CHANGE',
  'COLLEGE_ADMITTED',
  'MOVE_IN',
  'MOVE_OUT',
  'MEMBER_LEFT',
]);

const contradiction = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new EventContradictsRecordError(code, message, extra);
const conflict = (code: string, message: string) => new EventConflictError(code, message);
const invalid = (field: string, message: string) => new ValidationFailedError([{ field, message }]);

function gradeOf(data: Record<string, unknown>, max: number): number | null {
  const grade = data.grade;
  if (grade === null) return null;
  if (typeof grade !== 'number' || !Number.isInteger(grade) || grade < 1 || grade > max) {
    throw invalid('data.grade', `grade is a whole number from 1 to ${max}, or null to lift it`);
  }
  return grade;
}

/** What an event handler leaves behind: the person it concerned and the data to log. */
interface Outcome {
  personId: string | null;
  data: Record<string, unknown>;
  /** A CORRECTION: the first day whose facts it changed, and what it corrected (see LifeEventNotice). */
  effectiveFrom?: string;
  corrects?: LifeEventNotice['corrects'];
}

/** The events a CORRECTION can withdraw, and the fields it can correct. */
const WITHDRAWABLE = ['DEATH', 'HUKOU_CHANGE', 'DISABILITY_ASSESSED', 'COMPLICATION_ASSESSED', 'MOVE_OUT'];
const CORRECTABLE = ['name', 'address', 'deathDate'];

/**
 * Life events. Each is checked against the record inside the household's lock, then appended to
 * the log, applied to the dated history and the current state, and audited with the household
 * before and after, all in one transaction: a refused event writes nothing.
 */
@Injectable()
export class HouseholdEventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: RegistryRepository,
    private readonly snapshots: HouseholdSnapshots,
    private readonly households: HouseholdsService,
    private readonly audit: AuditService,
    private readonly bus: LifeEventBus,
  ) {}

  async append(householdId: string, input: LifeEventInput, actor: Actor): Promise<LifeEventView> {
    const today = todayInChina();
    if (!isIsoDate(input.date)) throw invalid('date', 'date must be a YYYY-MM-DD calendar date');
    if (input.date > today) {
      throw contradiction('EVENT_DATE_IN_FUTURE', `The event date ${input.date} is in the future (today is ${today})`);
    }
    const data = input.data ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw invalid('data', 'data must be an object');
    if (PERSON_EVENTS.has(input.type) && !input.personId) {
      throw invalid('personId', `a ${input.type} event names the member it is about`);
    }
    if (!UUID.test(householdId)) throw new NotFoundError('Household', householdId);
    const scope = new RegionScope(actor.regionCode);

    return this.dataSource.transaction(async (manager) => {
      const household = await this.repository.lockHousehold(manager, householdId, scope);
      if (!household) throw new NotFoundError('Household', householdId);
      const before = await this.snapshots.forHousehold(householdId, today, manager);
      let eventId = '';
      let recordedAt = new Date();
      const log = async (personId: string | null, logged: Record<string, unknown>) => {
        const event = await this.repository.insertEvent(manager, {
          householdId,
          type: input.type,
          personId,
          date: input.date,
          data: logged,
          actorId: actor.id,
        });
        eventId = event.id;
        recordedAt = event.recorded_at;
        return event.id;
      };

      const person = input.personId
        ? await this.memberFacts(manager, household, input.personId, input.date)
        : undefined;
      const outcome = await this.apply(manager, household, input, data, person, scope, today, log);

      // Listeners (enrollments) react inside this transaction: the event and its consequences commit together.
      await this.bus.publish(manager, {
        eventId,
        householdId,
        type: input.type,
        date: outcome.effectiveFrom ?? input.date,
        personId: outcome.personId,
        ...(outcome.corrects ? { corrects: outcome.corrects } : {}),
      });
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
      return {
        id: eventId,
        householdId,
        type: input.type,
        personId: outcome.personId,
        date: input.date,
        data: outcome.data,
        recordedAt: recordedAt.toISOString(),
        household: toHouseholdView(after, visibilityFor(actor.role)),
      };
    });
  }

  /** The member an event is about; refuses a person of another household and an event before birth. */
  private async memberFacts(
    manager: EntityManager,
    household: LockedHousehold,
    personId: string,
    date: string,
  ): Promise<PersonFacts> {
    const facts = await this.repository.personFacts(manager, personId);
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

  private async apply(
    manager: EntityManager,
    household: LockedHousehold,
    input: LifeEventInput,
    data: Record<string, unknown>,
    person: PersonFacts | undefined,
    scope: RegionScope,
    today: string,
    log: (personId: string | null, data: Record<string, unknown>) => Promise<string>,
  ): Promise<Outcome> {
    const date = input.date;
    const notAfterDeath = (facts: PersonFacts) => {
      if (facts.death_date !== null && date > facts.death_date) {
        throw contradiction('PERSON_DECEASED', `The person died on ${facts.death_date}, before ${date}`, {
          deathDate: facts.death_date,
        });
      }
    };
    const inOrder = (last: string | null, what: string) => {
      if (last !== null && date < last) {
        throw contradiction(
          'EVENT_OUT_OF_ORDER',
          `The ${what} was last changed on ${last}; an earlier change cannot follow it`,
          {
            lastChangedOn: last,
          },
        );
      }
    };

    switch (input.type) {
      case 'DEATH': {
        const facts = person!;
        if (facts.death_date !== null) {
          throw conflict('PERSON_ALREADY_DEAD', `The person's death on ${facts.death_date} is already recorded`);
        }
        if (facts.last_fact_on !== null && date < facts.last_fact_on) {
          throw contradiction(
            'EVENT_CONTRADICTS_RECORD',
            `The person has facts recorded on ${facts.last_fact_on}, after ${date}`,
          );
        }
        await log(facts.person_id, {});
        await manager.query(`UPDATE persons SET death_date = $2::date WHERE id = $1 AND death_date IS NULL`, [
          facts.person_id,
          date,
        ]);
        return { personId: facts.person_id, data: {} };
      }
      case 'HUKOU_CHANGE': {
        const facts = person!;
        notAfterDeath(facts);
        const hukouType = data.hukouType as HukouType;
        if (!HUKOU_TYPES.includes(hukouType))
          throw invalid('data.hukouType', `hukouType must be one of ${HUKOU_TYPES.join(', ')}`);
        if (hukouType === facts.hukou_type) {
          throw contradiction('EVENT_NO_CHANGE', `The person's hukou is already ${hukouType}`);
        }
        inOrder(facts.hukou_since, 'hukou type');
        const eventId = await log(facts.person_id, { hukouType });
        await this.repository.insertHukou(
          manager,
          [{ personId: facts.person_id, effectiveOn: date, hukouType }],
          eventId,
        );
        return { personId: facts.person_id, data: { hukouType } };
      }
      case 'DISABILITY_ASSESSED':
      case 'COMPLICATION_ASSESSED': {
        const facts = person!;
        notAfterDeath(facts);
        const disability = input.type === 'DISABILITY_ASSESSED';
        const grade = gradeOf(data, disability ? 4 : 3);
        inOrder(
          disability ? facts.disability_since : facts.complication_since,
          disability ? 'disability grade' : 'complication grade',
        );
        const eventId = await log(facts.person_id, { grade });
        await this.repository.insertGrades(
          manager,
          [{ personId: facts.person_id, kind: disability ? 'DISABILITY' : 'COMPLICATION', effectiveOn: date, grade }],
          eventId,
        );
        return { personId: facts.person_id, data: { grade } };
      }
      case 'MOVE_IN':
      case 'MOVE_OUT': {
        // The city's hukou from a date (SPEC.md "Residence"): MOVE_IN {fromPlace} starts it (the
        // person did not hold it before, unless a record says so), MOVE_OUT ends it.
        const facts = person!;
        notAfterDeath(facts);
        const moveIn = input.type === 'MOVE_IN';
        const residence = await this.repository.residenceOf(manager, facts.person_id);
        const last = residence.at(-1);
        const resident = last ? last.resident : true;
        if (moveIn && resident && last) {
          throw contradiction(
            'EVENT_NO_CHANGE',
            `The person already holds the city's hukou (since ${last.effective_on})`,
          );
        }
        if (!moveIn && !resident) {
          throw contradiction('EVENT_NO_CHANGE', `The person moved out of the city on ${last!.effective_on}`);
        }
        inOrder(last && last.effective_on !== '-infinity' ? last.effective_on : null, 'residence');
        let fromPlace: string | null = null;
        if (moveIn) {
          fromPlace = typeof data.fromPlace === 'string' ? data.fromPlace.trim() : '';
          if (fromPlace.length < 1 || fromPlace.length > 100) {
            throw invalid('data.fromPlace', 'fromPlace (where the hukou came from) has 1 to 100 characters');
          }
        }
        const unknown = Object.keys(data).filter((key) => key !== 'fromPlace' || !moveIn);
        if (unknown.length > 0) throw invalid(`data.${unknown[0]}`, `data.${unknown[0]} is not allowed`);
        const logged = moveIn ? { fromPlace } : {};
        const eventId = await log(facts.person_id, logged);
        const rows = [
          // Before a first move-in the person did not hold the hukou: until now the registry assumed it from birth.
          ...(moveIn && residence.length === 0
            ? [{ effectiveOn: FROM_THE_BEGINNING, resident: false, fromPlace: null }]
            : []),
          { effectiveOn: date, resident: moveIn, fromPlace },
        ];
        await this.repository.insertResidence(manager, facts.person_id, rows, eventId);
        return { personId: facts.person_id, data: logged };
      }
      case 'COLLEGE_ADMITTED': {
        const facts = person!;
        notAfterDeath(facts);
        if (facts.college_admitted_on !== null) {
          throw conflict('ALREADY_ADMITTED', `The admission on ${facts.college_admitted_on} is already recorded`);
        }
        await log(facts.person_id, {});
        await manager.query(`UPDATE persons SET college_admitted_on = $2::date WHERE id = $1`, [facts.person_id, date]);
        return { personId: facts.person_id, data: {} };
      }
      case 'BIRTH':
      case 'ADOPTION':
        return this.addChild(manager, household, input.type, date, data, scope, today, log);
      case 'MEMBER_JOINED': {
        // {member}: a new person joins (a marriage, a relative moving in), as in POST /households.
        const member = data.member;
        if (typeof member !== 'object' || member === null || Array.isArray(member)) {
          throw invalid('data.member', 'MEMBER_JOINED names the member who joins: {member: {...}}');
        }
        const extra = Object.keys(data).filter((key) => key !== 'member');
        if (extra.length > 0) throw invalid(`data.${extra[0]}`, `data.${extra[0]} is not allowed`);
        return this.addChild(
          manager,
          household,
          'MEMBER_JOINED',
          date,
          member as Record<string, unknown>,
          scope,
          today,
          log,
        );
      }
      case 'CORRECTION':
        return this.correct(manager, household, data, person, today, log);
      case 'MEMBER_LEFT': {
        // The member leaves the household (a marriage out, a divorce, a child moving out). A child who
        // left is still a child of their parents; the member is no longer a beneficiary here.
        const facts = person!;
        if (Object.keys(data).length > 0) throw invalid(`data.${Object.keys(data)[0]}`, 'MEMBER_LEFT takes no data');
        if (!(await this.repository.markMemberLeft(manager, facts.person_id, date))) {
          throw conflict('MEMBER_ALREADY_LEFT', 'The member has already left the household');
        }
        await log(facts.person_id, {});
        return { personId: facts.person_id, data: {} };
      }
      case 'CERTIFICATE_ISSUED': {
        const certificateNo = data.certificateNo;
        if (typeof certificateNo !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(certificateNo)) {
          throw invalid('data.certificateNo', 'a certificate number has 1 to 40 letters, digits or dashes');
        }
        const active = await this.repository.activeCertificate(manager, household.id);
        if (active) throw conflict('CERTIFICATE_ALREADY_ISSUED', `Certificate ${active.certificate_no} is in force`);
        inOrder(await this.repository.lastCertificateChange(manager, household.id), 'certificate');
        const eventId = await log(null, { certificateNo });
        if (!(await this.repository.insertCertificate(manager, household.id, certificateNo, date, eventId))) {
          throw conflict('DUPLICATE_CERTIFICATE', `Certificate ${certificateNo} is already registered`);
        }
        return { personId: null, data: { certificateNo } };
      }
      case 'CERTIFICATE_REVOKED': {
        const active = await this.repository.activeCertificate(manager, household.id);
        if (!active) throw conflict('NO_ACTIVE_CERTIFICATE', 'The household holds no certificate in force');
        if (date < active.issued_on) {
          throw contradiction(
            'EVENT_BEFORE_ISSUE',
            `Certificate ${active.certificate_no} was issued on ${active.issued_on}`,
          );
        }
        const eventId = await log(null, { certificateNo: active.certificate_no });
        await this.repository.revokeCertificate(manager, active.id, date, eventId);
        return { personId: null, data: { certificateNo: active.certificate_no } };
      }
      case 'VIOLATION_RECORDED': {
        const year = data.year;
        if (typeof year !== 'number' || !Number.isInteger(year) || year < 1949) {
          throw invalid('data.year', 'year is a whole number from 1949');
        }
        if (year > Number(date.slice(0, 4))) {
          throw contradiction('EVENT_CONTRADICTS_RECORD', `A violation of ${year} cannot be recorded on ${date}`);
        }
        const eventId = await log(null, { year });
        if (!(await this.repository.insertViolations(manager, household.id, [year], date, eventId))) {
          throw conflict('VIOLATION_ALREADY_RECORDED', `A violation of ${year} is already recorded`);
        }
        return { personId: null, data: { year } };
      }
      case 'QUOTA_WAIVED': {
        if (household.quota_waived_on !== null) {
          throw conflict('QUOTA_ALREADY_WAIVED', `The waiver of ${household.quota_waived_on} is already recorded`);
        }
        await log(null, {});
        await manager.query(`UPDATE households SET quota_waived_on = $2::date, updated_at = now() WHERE id = $1`, [
          household.id,
          date,
        ]);
        return { personId: null, data: {} };
      }
      case 'MOVE': {
        const regionCode = data.regionCode;
        if (typeof regionCode !== 'string' || !/^\d{12}$/.test(regionCode)) {
          throw invalid('data.regionCode', 'a household moves to a village or community (12-digit code)');
        }
        const address = data.address === undefined ? household.address : data.address;
        if (typeof address !== 'string' || address.trim().length < 1 || address.trim().length > 200) {
          throw invalid('data.address', 'an address has 1 to 200 characters');
        }
        if ((await this.repository.regionLevel(manager, regionCode)) !== 'VILLAGE') {
          throw contradiction('REGION_NOT_FOUND', `Village or community ${regionCode} does not exist`, { regionCode });
        }
        if (regionCode === household.region_code) {
          throw contradiction('EVENT_NO_CHANGE', `The household already lives in ${regionCode}`);
        }
        inOrder(await this.repository.lastEffective(manager, 'household_region_history', household.id), 'region');
        const logged = { regionCode, address: address.trim(), fromRegionCode: household.region_code };
        const eventId = await log(null, logged);
        await this.repository.insertRegion(manager, household.id, date, regionCode, address.trim(), eventId);
        await manager.query(`UPDATE households SET region_code = $2, address = $3, updated_at = now() WHERE id = $1`, [
          household.id,
          regionCode,
          address.trim(),
        ]);
        return { personId: null, data: logged };
      }
      case 'BANK_ACCOUNT_CHANGE': {
        const { bankCode, accountNo, holderPersonId } = data;
        const problems = [
          ...(bankCodeProblem(bankCode) ? [{ field: 'data.bankCode', message: bankCodeProblem(bankCode)! }] : []),
          ...(accountNoProblem(accountNo) ? [{ field: 'data.accountNo', message: accountNoProblem(accountNo)! }] : []),
          ...(typeof holderPersonId !== 'string'
            ? [{ field: 'data.holderPersonId', message: 'holderPersonId is required' }]
            : []),
        ];
        if (problems.length > 0) throw new ValidationFailedError(problems);
        const holder = UUID.test(holderPersonId as string)
          ? await this.repository.personFacts(manager, holderPersonId as string)
          : undefined;
        if (!holder || holder.household_id !== household.id) {
          throw contradiction('HOLDER_NOT_MEMBER', 'The account holder must be a member of the household');
        }
        const problem = holderProblem({ birthDate: holder.birth_date, deathDate: holder.death_date }, date);
        if (problem) {
          throw contradiction(
            holder.death_date !== null && holder.death_date <= date ? 'HOLDER_DECEASED' : 'HOLDER_NOT_ADULT',
            problem,
          );
        }
        inOrder(await this.repository.lastEffective(manager, 'household_bank_accounts', household.id), 'bank account');
        const account = {
          bankCode: bankCode as string,
          accountNo: accountNo as string,
          holderPersonId: holder.person_id,
        };
        const eventId = await log(holder.person_id, account);
        await this.repository.insertBankAccount(manager, household.id, date, account, eventId);
        return { personId: holder.person_id, data: account };
      }
    }
    throw invalid('type', `unknown event type ${String(input.type)}`);
  }

  /**
   * CORRECTION {withdrawsEventId?, field?, value?, reason}: withdraws an event recorded in error
   * (DEATH, HUKOU_CHANGE, the assessments, MOVE_OUT) or corrects a mistyped name, address or death
   * date. Histories stay append-only: a withdrawn dated fact is overridden by a row of the same date
   * that restores what held before it (the later row of a day wins, as everywhere in the registry).
   * The withdrawn event stays in the log; a second withdrawal of it is refused.
   */
  private async correct(
    manager: EntityManager,
    household: LockedHousehold,
    data: Record<string, unknown>,
    person: PersonFacts | undefined,
    today: string,
    log: (personId: string | null, data: Record<string, unknown>) => Promise<string>,
  ): Promise<Outcome> {
    const unknown = Object.keys(data).filter((key) => !['withdrawsEventId', 'field', 'value', 'reason'].includes(key));
    if (unknown.length > 0) throw invalid(`data.${unknown[0]}`, `data.${unknown[0]} is not allowed`);
    const reason = typeof data.reason === 'string' ? data.reason.trim() : '';
    if (reason.length < 1 || reason.length > 500)
      throw invalid('data.reason', 'a correction gives its reason (1-500 characters)');
    const withdraws = data.withdrawsEventId;
    if ((withdraws === undefined) === (data.field === undefined)) {
      throw invalid(
        'data',
        'a correction either withdraws an event (withdrawsEventId) or corrects a field (field, value)',
      );
    }
    if (withdraws !== undefined) {
      if (typeof withdraws !== 'string' || !/^\d{1,18}$/.test(withdraws)) {
        throw invalid('data.withdrawsEventId', 'withdrawsEventId is the id of an event of this household');
      }
      const target = await this.repository.eventOfHousehold(manager, household.id, withdraws);
      if (!target) throw invalid('data.withdrawsEventId', `event ${withdraws} is not an event of this household`);
      if (target.withdrawn) throw conflict('EVENT_ALREADY_WITHDRAWN', `Event ${withdraws} has already been withdrawn`);
      if (!WITHDRAWABLE.includes(target.type)) {
        throw contradiction(
          'CORRECTION_NOT_SUPPORTED',
          `A ${target.type} cannot be withdrawn here (only ${WITHDRAWABLE.join(', ')})`,
        );
      }
      const logged = { withdrawsEventId: withdraws, withdrawnType: target.type, reason };
      const eventId = await log(target.person_id, logged);
      await this.repository.withdrawEvent(manager, target, eventId);
      return {
        personId: target.person_id,
        data: logged,
        effectiveFrom: target.event_date,
        corrects: { withdrawnEventId: withdraws, withdrawnType: target.type },
      };
    }
    const field = data.field;
    if (typeof field !== 'string' || !CORRECTABLE.includes(field)) {
      throw invalid('data.field', `field is one of ${CORRECTABLE.join(', ')}`);
    }
    const value = typeof data.value === 'string' ? data.value.trim() : '';
    if (field === 'address') {
      if (value.length < 1 || value.length > 200) throw invalid('data.value', 'an address has 1 to 200 characters');
      const eventId = await log(null, { field, value, reason });
      const from = await this.repository.correctAddress(manager, household.id, value, eventId);
      return {
        personId: null,
        data: { field, value, reason },
        effectiveFrom: today,
        corrects: { field, from, to: value },
      };
    }
    if (!person) throw invalid('personId', `a correction of ${field} names the member (personId)`);
    if (field === 'name') {
      if (value.length < 1 || value.length > 50) throw invalid('data.value', 'a name has 1 to 50 characters');
      const from = await this.repository.correctName(manager, person.person_id, value);
      await log(person.person_id, { field, value, reason });
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
    if (!isIsoDate(value) || value > today || value < person.birth_date) {
      throw invalid('data.value', 'the corrected death date is a real date between the birth and today');
    }
    if (value === person.death_date)
      throw contradiction('EVENT_NO_CHANGE', `The death is already recorded on ${value}`);
    await log(person.person_id, { field, value, reason });
    await manager.query(`UPDATE persons SET death_date = $2::date WHERE id = $1`, [person.person_id, value]);
    return {
      personId: person.person_id,
      data: { field, value, reason },
      effectiveFrom: value < person.death_date ? value : person.death_date,
      corrects: { field, from: person.death_date, to: value },
    };
  }

  /**
   * BIRTH and ADOPTION: a new child joins the household on the event date; MEMBER_JOINED: a new
   * person of the given relation (not HEAD) joins on the event date.
   */
  private async addChild(
    manager: EntityManager,
    household: LockedHousehold,
    type: 'BIRTH' | 'ADOPTION' | 'MEMBER_JOINED',
    date: string,
    data: Record<string, unknown>,
    scope: RegionScope,
    today: string,
    log: (personId: string | null, data: Record<string, unknown>) => Promise<string>,
  ): Promise<Outcome> {
    const allowed = new Set([
      'idNumber',
      'name',
      'relation',
      'hukouType',
      'birthOrder',
      'birthDate',
      'sex',
      'disabilityGrade',
      'complicationGrade',
      'motherIdNumber',
      'fatherIdNumber',
      'motherPersonId',
      'fatherPersonId',
    ]);
    const unknown = Object.keys(data).filter((key) => !allowed.has(key));
    if (unknown.length > 0) {
      throw new ValidationFailedError(
        unknown.map((key) => ({ field: `data.${key}`, message: `data.${key} is not allowed` })),
      );
    }
    const joining = type === 'MEMBER_JOINED';
    if (joining && (data.relation === undefined || data.relation === 'HEAD')) {
      throw invalid('data.member.relation', 'a member who joins is a SPOUSE, CHILD, PARENT or OTHER');
    }
    if (!joining && data.relation !== undefined && data.relation !== 'CHILD') {
      throw invalid('data.relation', `a ${type} adds a CHILD`);
    }
    const adopted = type === 'ADOPTION';
    const relation = joining ? (data.relation as MemberDraft['relation']) : 'CHILD';
    const draft: MemberDraft = {
      ...(data as unknown as MemberDraft),
      relation,
      adopted,
      adoptedOn: null,
    };
    const { problems, valid } = validateMember(draft, today, 0, 'data.');
    if (problems.length > 0 || !valid) throw refusalFor(problems);
    if ((adopted || joining) && date < valid.birthDate) {
      throw contradiction(
        'EVENT_BEFORE_BIRTH',
        `The ${joining ? 'joining' : 'adoption'} on ${date} is before the person's birth on ${valid.birthDate}`,
      );
    }
    if (type === 'BIRTH' && date !== valid.birthDate) {
      throw contradiction(
        'EVENT_CONTRADICTS_RECORD',
        `The birth is dated ${date} but the ID number says the child was born on ${valid.birthDate}`,
      );
    }
    const birthOrder =
      relation !== 'CHILD' ? null : (valid.birthOrder ?? (await this.repository.nextBirthOrder(manager, household.id)));
    const personId = uuidv7();
    const logged = {
      idNumber: valid.idNumber,
      name: valid.name,
      hukouType: valid.hukouType,
      birthOrder,
      ...(valid.disabilityGrade != null ? { disabilityGrade: valid.disabilityGrade } : {}),
      ...(valid.complicationGrade != null ? { complicationGrade: valid.complicationGrade } : {}),
    };
    const taken = await this.repository.insertPersons(manager, [
      {
        id: personId,
        idNumber: valid.idNumber,
        name: valid.name,
        sex: valid.sex,
        birthDate: valid.birthDate,
        deathDate: null,
      },
    ]);
    if (taken.length > 0) throw await this.households.duplicatePerson(manager, taken[0], scope);
    const eventId = await log(personId, logged);
    try {
      await this.repository.insertMembers(manager, household.id, [
        { personId, relation, birthOrder, adopted, adoptedOn: adopted ? date : null, joinedOn: date },
      ]);
    } catch (error) {
      // The unique birth order per household; the transaction is rolled back as the error leaves it.
      if ((error as { code?: string }).code === '23505') {
        throw conflict('BIRTH_ORDER_TAKEN', `Another child of the household has birth order ${birthOrder}`);
      }
      throw error;
    }
    const couple = await this.repository.householdCouple(manager, household.id);
    const named = [valid.motherPersonId, valid.fatherPersonId].filter((id): id is string => typeof id === 'string');
    const known = await this.repository.linkablePersons(manager, namedParentIdNumbers([valid]), named);
    const linked = resolveParentLinks(
      [{ ...valid, id: personId }, ...couple.map((parent) => ({ ...parent }))],
      known,
      'data.',
    );
    if (linked.problems.length > 0) {
      throw refusalFor(
        linked.problems.map((problem) => ({ ...problem, field: problem.field.replace(/^data\.0\./, 'data.') })),
      );
    }
    await this.repository.setParentLinks(manager, [linked.links[0]]);
    await this.repository.insertHukou(
      manager,
      [{ personId, effectiveOn: FROM_THE_BEGINNING, hukouType: valid.hukouType }],
      eventId,
    );
    await this.repository.insertGrades(
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
}
