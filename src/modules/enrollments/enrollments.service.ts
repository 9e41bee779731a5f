import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DomainError,
  ForbiddenError,
  InvalidStateTransitionError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors.js';
import { isDate, todayInChina } from '../../common/calendar.js';
import { LifeEventBus, type LifeEventNotice } from '../../common/life-event-bus.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { CITY_CODE, regionCovers, RegionScope } from '../../common/region-scope.js';
import { domainDetail } from '../../common/http/problem-details.filter.js';
import { callerText, currentLanguage, type Actor } from '../../common/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { ageOn } from '../../common/calendar.js';
import { EligibilityService } from '../eligibility/eligibility.service.js';
import { householdParents } from '../eligibility/facts.js';
import { HouseholdSnapshots } from '../registry/household-snapshots.service.js';
import type { HouseholdSnapshot } from '../registry/household-snapshot.js';
import { outcomeWhenIneligible } from './enrollment-outcome.js';
import {
  canTransition,
  noticeEndsOn,
  PAST_TENSE,
  TRANSITIONS,
  type EnrollmentAction,
  type EnrollmentStatus,
} from './enrollment-state.js';
import {
  BulkActionFailedError,
  DuplicateEnrollmentError,
  NoticePeriodNotOverError,
  NotEligibleError,
  SelfApprovalForbiddenError,
  type BulkFailure,
} from './enrollments.errors.js';
import { EnrollmentsRepository, type EnrollmentRow, type NewTransition } from './enrollments.repository.js';
import { DEFAULT_LANGUAGE, label, policyName } from '../../common/i18n/i18n.js';
import { enrollmentReasonText, storedReasonText, type ReasonCause } from '../../common/i18n/stored-reason.js';

export interface EnrollmentView {
  id: string;
  householdId: string;
  policyCode: string;
  beneficiaryPersonId: string | null;
  regionCode: string;
  status: EnrollmentStatus;
  statusReason: string | null;
  /** The code of a reason the system gave (a re-decision), null for a clerk's own words. */
  statusReasonCode: string | null;
  openedBy: string;
  submittedBy: string | null;
  publicizedBy: string | null;
  publicizedOn: string | null;
  noticeEndsOn: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  activeFrom: string | null;
  endedOn: string | null;
  /** The day the family applied: nothing is owed for a fiscal year before its year. */
  appliedOn: string;
  createdAt: string;
  updatedAt: string;
}

export const toEnrollmentView = (row: EnrollmentRow): EnrollmentView => ({
  id: row.id,
  householdId: row.household_id,
  policyCode: row.policy_code,
  beneficiaryPersonId: row.beneficiary_person_id,
  regionCode: row.region_code,
  status: row.status,
  statusReason: storedReasonText(
    { code: row.status_reason_code, params: row.status_reason_params, text: row.status_reason },
    enrollmentReasonText,
    currentLanguage(),
  ),
  statusReasonCode: row.status_reason_code,
  openedBy: row.opened_by,
  submittedBy: row.submitted_by,
  publicizedBy: row.publicized_by,
  publicizedOn: row.publicized_on,
  noticeEndsOn: row.notice_ends_on,
  approvedBy: row.approved_by,
  approvedAt: row.approved_at?.toISOString() ?? null,
  activeFrom: row.active_from,
  endedOn: row.ended_on,
  appliedOn: row.applied_on,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

interface Decision {
  policyCode: string;
  personId: string | null;
  eligible: boolean;
  reasons: { condition: string; actual: unknown; expected: unknown; passed: boolean }[];
}

@Injectable()
export class EnrollmentsService implements OnModuleInit {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: EnrollmentsRepository,
    private readonly eligibility: EligibilityService,
    private readonly snapshots: HouseholdSnapshots,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly lifeEvents: LifeEventBus,
  ) {}

  onModuleInit(): void {
    this.lifeEvents.subscribe((manager, notice) => this.followUpLifeEvent(manager, notice));
  }

  async create(
    actor: Actor,
    input: { householdId: string; policyCode: string; beneficiaryPersonId?: string; appliedOn?: string },
  ): Promise<EnrollmentView> {
    const today = todayInChina();
    const appliedOn = input.appliedOn ?? today;
    if (!isDate(appliedOn) || appliedOn > today) {
      throw new ValidationFailedError([
        { field: 'appliedOn', message: callerText('messages.appliedOn', { appliedOn }) },
      ]);
    }
    return this.transactions.run(async (manager) => {
      const snapshot = await this.snapshotInScope(manager, actor, input.householdId, today);
      const personId = input.beneficiaryPersonId ?? null;
      if (personId && !snapshot.members.some((member) => member.personId === personId)) {
        throw new ValidationFailedError([
          { field: 'beneficiaryPersonId', message: callerText('messages.beneficiaryNotMember') },
        ]);
      }
      const decisions = await this.decide(manager, input.householdId, today);
      const forPolicy = decisions.filter((decision) => decision.policyCode === input.policyCode);
      const householdBenefit = forPolicy.length > 0 && forPolicy.every((decision) => decision.personId === null);
      if (householdBenefit && personId) {
        throw new ValidationFailedError([
          {
            field: 'beneficiaryPersonId',
            message: callerText('messages.householdBenefit', {
              policyName: policyName(input.policyCode, currentLanguage()),
            }),
          },
        ]);
      }
      if (!householdBenefit && !personId) {
        throw new ValidationFailedError([
          {
            field: 'beneficiaryPersonId',
            message: callerText('messages.personBenefit', {
              policyName: policyName(input.policyCode, currentLanguage()),
            }),
          },
        ]);
      }
      const row = await this.repository.insertUnlessOpen(manager, {
        householdId: input.householdId,
        policyCode: input.policyCode,
        personId,
        regionCode: snapshot.regionCode,
        openedBy: actor.id,
        appliedOn,
      });
      if (!row) {
        const existing = await this.repository.findOpen(manager, input.policyCode, input.householdId, personId);
        throw new DuplicateEnrollmentError(existing?.id ?? 'unknown', existing?.status ?? 'open');
      }
      await this.repository.insertTransitions(manager, [
        { enrollmentId: row.id, from: null, to: 'DRAFT', actorId: actor.id, asOf: today },
      ]);
      const view = toEnrollmentView(row);
      await this.audit.record(manager, {
        action: 'enrollment.created',
        entityType: 'enrollment',
        entityId: row.id,
        regionCode: row.region_code,
        after: view,
      });
      return view;
    });
  }

  async get(actor: Actor, id: string): Promise<EnrollmentView & { history: unknown[] }> {
    const manager = this.transactions.dataSource.manager;
    const row = await this.repository.find(manager, id);
    if (!row || !new RegionScope(actor.regionCode).covers(row.region_code)) throw new NotFoundError('Enrollment', id);
    const history = await this.repository.history(manager, id);
    return {
      ...toEnrollmentView(row),
      history: history.map((t) => ({
        from: t.from_status,
        to: t.to_status,
        actorId: t.actor_id,
        actorName: t.actor_name,
        imported: t.imported,
        reason: storedReasonText(
          { code: t.reason_code, params: t.reason_params, text: t.reason },
          enrollmentReasonText,
          currentLanguage(),
        ),
        reasonCode: t.reason_code,
        asOf: t.as_of,
        explanation: t.explanation,
        at: t.occurred_at.toISOString(),
      })),
    };
  }

  async list(
    actor: Actor,
    query: {
      policyCode?: string;
      status?: string;
      regionCode?: string;
      householdId?: string;
      limit: number;
      cursor?: string;
    },
  ): Promise<Page<EnrollmentView>> {
    const scope = new RegionScope(actor.regionCode);
    if (
      query.regionCode &&
      !scope.covers(query.regionCode) &&
      !new RegionScope(query.regionCode).covers(actor.regionCode)
    ) {
      throw new ForbiddenError('OUT_OF_SCOPE', `Region ${query.regionCode} is outside your region ${actor.regionCode}`);
    }
    // The narrower of the caller's scope and the requested region.
    const prefix =
      query.regionCode && scope.covers(query.regionCode) ? new RegionScope(query.regionCode).prefix : scope.prefix;
    const [after] = decodeCursor(query.cursor, [cursorPart.uuid]) ?? [];
    const rows = await this.repository.list(
      this.transactions.dataSource.manager,
      { ...query, prefix },
      after,
      query.limit,
    );
    return toPage(rows, query.limit, (row) => [row.id], toEnrollmentView);
  }

  /** One state transition, in its own transaction. */
  async transition(actor: Actor, id: string, action: EnrollmentAction, reason?: string): Promise<EnrollmentView> {
    return this.transactions.run(async (manager) => {
      const [row] = await this.repository.lockMany(manager, [id]);
      if (!row) throw new NotFoundError('Enrollment', id);
      return toEnrollmentView(await this.apply(manager, actor, row, action, todayInChina(), reason));
    });
  }

  /**
   * The same transition for many enrollments, all or nothing: every one is tried (each inside a
   * savepoint), and if any fails nothing is changed and every failure is reported with its reason.
   */
  async bulk(actor: Actor, ids: string[], action: EnrollmentAction, reason?: string): Promise<EnrollmentView[]> {
    return this.transactions.run(async (manager) => {
      const today = todayInChina();
      const rows = new Map((await this.repository.lockMany(manager, ids)).map((row) => [row.id, row]));
      const failures: BulkFailure[] = [];
      const done: EnrollmentView[] = [];
      for (const id of ids) {
        const row = rows.get(id);
        await manager.query('SAVEPOINT bulk_item');
        try {
          if (!row) throw new NotFoundError('Enrollment', id);
          done.push(toEnrollmentView(await this.apply(manager, actor, row, action, today, reason)));
          await manager.query('RELEASE SAVEPOINT bulk_item');
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT bulk_item');
          if (!(error instanceof DomainError)) throw error;
          failures.push({ id, status: error.status, code: error.code, detail: domainDetail(error, currentLanguage()) });
        }
      }
      if (failures.length > 0) throw new BulkActionFailedError(PAST_TENSE[action], failures, ids.length);
      return done;
    });
  }

  private async apply(
    manager: EntityManager,
    actor: Actor,
    row: EnrollmentRow,
    action: EnrollmentAction,
    today: string,
    reason?: string,
  ): Promise<EnrollmentRow> {
    if (!new RegionScope(actor.regionCode).covers(row.region_code)) throw new NotFoundError('Enrollment', row.id);
    const transition = TRANSITIONS[action];
    if (!transition.roles.includes(actor.role)) {
      throw new ForbiddenError('ROLE_FORBIDDEN', `Only ${transition.roles.join(' or ')} may ${action} an enrollment`);
    }
    if (!canTransition(action, row.status))
      throw new InvalidStateTransitionError('enrollment', row.status, PAST_TENSE[action]);

    const transitions: NewTransition[] = [];
    const changes: Record<string, unknown> = { status: transition.to };
    const step = (to: EnrollmentStatus, from: EnrollmentStatus, explanation?: unknown) =>
      transitions.push({
        enrollmentId: row.id,
        from,
        to,
        actorId: actor.id,
        reason: reason ?? null,
        asOf: today,
        explanation,
      });

    switch (action) {
      case 'submit': {
        const decision = await this.requireEligible(manager, row, today);
        Object.assign(changes, { submitted_by: actor.id, submitted_at: new Date(), status_reason: null });
        step('SUBMITTED', row.status, decision);
        break;
      }
      case 'publicize': {
        const endsOn = noticeEndsOn(today, this.config.PUBLIC_NOTICE_DAYS);
        Object.assign(changes, { publicized_by: actor.id, publicized_on: today, notice_ends_on: endsOn });
        step('PUBLICIZED', row.status, await this.explain(manager, row, today));
        break;
      }
      case 'approve': {
        if (actor.id === row.opened_by || actor.id === row.submitted_by) throw new SelfApprovalForbiddenError();
        if (row.notice_ends_on && today < row.notice_ends_on) throw new NoticePeriodNotOverError(row.notice_ends_on);
        const decision = await this.requireEligible(manager, row, today);
        Object.assign(changes, {
          approved_by: actor.id,
          approved_at: new Date(),
          active_from: today,
          status_reason: null,
        });
        step('APPROVED', row.status, decision);
        step('ACTIVE', 'APPROVED');
        break;
      }
      case 'resume': {
        const decision = await this.requireEligible(manager, row, today);
        Object.assign(changes, { status_reason: null, ended_on: null });
        step('ACTIVE', row.status, decision);
        break;
      }
      case 'reject':
      case 'suspend':
      case 'terminate': {
        if (!reason)
          throw new ValidationFailedError([
            {
              field: 'reason',
              message: callerText('messages.reasonRequired', {
                action: currentLanguage() === 'en' ? action : label('action', action, currentLanguage()),
              }),
            },
          ]);
        Object.assign(changes, { status_reason: reason, ...(action === 'terminate' ? { ended_on: today } : {}) });
        step(transition.to, row.status, await this.explain(manager, row, today));
        break;
      }
    }
    const updated = await this.repository.update(manager, row.id, changes);
    await this.repository.insertTransitions(manager, transitions);
    await this.audit.record(manager, {
      action: `enrollment.${action}`,
      entityType: 'enrollment',
      entityId: row.id,
      regionCode: row.region_code,
      before: toEnrollmentView(row),
      after: toEnrollmentView(updated),
    });
    return updated;
  }

  /**
   * Life-event follow-up, inside the event's transaction: the household's active enrollments are
   * decided again as of the event's date and suspended or terminated when no longer eligible.
   */
  async followUpLifeEvent(manager: EntityManager, notice: LifeEventNotice): Promise<void> {
    const rows = await this.repository.lockOpenOfHousehold(manager, notice.householdId);
    if (rows.length === 0) return;
    const snapshot = await this.snapshots.forHousehold(notice.householdId, notice.date, manager);
    const [decided] = await this.eligibility.decideOnDay([snapshot], notice.date, manager);
    await this.endIneligible(manager, rows, decided.decisions, snapshot, notice.date, notice.type, {
      kind: 'lifeEvent',
      eventId: notice.eventId,
    });
  }

  /** Suspends or terminates the enrollments among `rows` that `decisions` no longer support. */
  async endIneligible(
    manager: EntityManager,
    rows: EnrollmentRow[],
    decisions: Decision[],
    snapshot: HouseholdSnapshot,
    asOf: string,
    eventType: string | undefined,
    cause: ReasonCause,
  ): Promise<number> {
    let ended = 0;
    for (const row of rows) {
      const decision = findDecision(decisions, row);
      if (decision?.eligible) continue;
      const failed = (decision?.reasons ?? []).filter((r) => !r.passed).map((r) => r.condition);
      // The beneficiary, or for a household benefit the household's parents (by the parent links).
      const parents = householdParents(snapshot);
      const beneficiaries = row.beneficiary_person_id
        ? snapshot.members.filter((m) => m.personId === row.beneficiary_person_id)
        : snapshot.members.filter((m) => parents.includes(m.personId));
      const children = snapshot.members.filter(
        (m) => parents.includes(m.motherId ?? '') || parents.includes(m.fatherId ?? ''),
      );
      const outcome = outcomeWhenIneligible({
        policyCode: row.policy_code,
        eventType,
        beneficiaryDied: beneficiaries.length > 0 && beneficiaries.every((m) => m.deathDate !== null),
        movedOutOfCity:
          !regionCovers(CITY_CODE, snapshot.regionCode) ||
          (beneficiaries.length > 0 && beneficiaries.every((m) => !m.resident)),
        onlyChildAdult: children.length === 1 && ageOn(children[0].birthDate, asOf) >= 18,
        failedConditions: failed,
      });
      const transitionReason = { code: outcome.reason.code, params: { ...outcome.reason.params, cause } };
      const updated = await this.repository.update(manager, row.id, {
        status: outcome.status,
        // The Chinese text beside the code, for anyone reading the table itself.
        status_reason: enrollmentReasonText(outcome.reason, DEFAULT_LANGUAGE),
        status_reason_code: outcome.reason.code,
        status_reason_params: JSON.stringify(outcome.reason.params),
        ...(outcome.status === 'TERMINATED' ? { ended_on: asOf } : {}),
      });
      await this.repository.insertTransitions(manager, [
        {
          enrollmentId: row.id,
          from: row.status,
          to: outcome.status,
          actorId: null,
          reason: enrollmentReasonText(transitionReason, DEFAULT_LANGUAGE),
          reasonCode: transitionReason,
          asOf,
          explanation: decision ?? null,
        },
      ]);
      await this.audit.record(manager, {
        action: outcome.status === 'TERMINATED' ? 'enrollment.terminate' : 'enrollment.suspend',
        entityType: 'enrollment',
        entityId: row.id,
        regionCode: row.region_code,
        before: toEnrollmentView(row),
        after: { ...toEnrollmentView(updated), cause },
      });
      ended++;
    }
    return ended;
  }

  private async snapshotInScope(
    manager: EntityManager,
    actor: Actor,
    householdId: string,
    asOf: string,
  ): Promise<HouseholdSnapshot> {
    let snapshot: HouseholdSnapshot;
    try {
      snapshot = await this.snapshots.forHousehold(householdId, asOf, manager);
    } catch (error) {
      if (error instanceof DomainError && error.status === 404) throw new NotFoundError('Household', householdId);
      throw error;
    }
    if (!new RegionScope(actor.regionCode).covers(snapshot.regionCode))
      throw new NotFoundError('Household', householdId);
    return snapshot;
  }

  private async decide(manager: EntityManager, householdId: string, asOf: string): Promise<Decision[]> {
    const result = await this.eligibility.decide(householdId, asOf, manager);
    return result.decisions;
  }

  /** The decision on the enrollment's beneficiary as of a date, stored with every transition. */
  private async explain(manager: EntityManager, row: EnrollmentRow, asOf: string): Promise<Decision | null> {
    return findDecision(await this.decide(manager, row.household_id, asOf), row) ?? null;
  }

  private async requireEligible(manager: EntityManager, row: EnrollmentRow, asOf: string): Promise<Decision> {
    const decision = await this.explain(manager, row, asOf);
    if (!decision?.eligible) {
      throw new NotEligibleError(
        row.policy_code,
        (decision?.reasons ?? []).filter((r) => !r.passed),
        asOf,
      );
    }
    return decision;
  }
}

function findDecision(decisions: Decision[], row: EnrollmentRow): Decision | undefined {
  return decisions.find(
    (decision) => decision.policyCode === row.policy_code && decision.personId === row.beneficiary_person_id,
  );
}
