import { openColumns, pii } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { uuidv7 } from './ids.js';
import { DataSource, EntityManager } from 'typeorm';
import { ForbiddenError, NotFoundError, ValidationFailedError, type FieldProblem } from '../../common/errors.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import { callerText, currentLanguage, type Actor } from '../../common/request-context.js';
import { queryRows } from '../../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import { todayInChina } from '../../common/calendar.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import {
  echoVisibilityFor,
  maskedSnapshot,
  toHouseholdView,
  visibilityFor,
  type HouseholdView,
} from './household-view.js';
import {
  namedParentIdNumbers,
  resolveParentLinks,
  validateHouseholdDraft,
  type DraftProblem,
  type HouseholdDraft,
} from './household-rules.js';
import { HouseholdSnapshots } from './household-snapshots.service.js';
import { maskNumber, parseIdNumber } from './id-number.js';
import {
  DuplicateHouseholdError,
  DuplicatePersonError,
  EventConflictError,
  InvalidIdNumberError,
} from './registry.errors.js';
import { FROM_THE_BEGINNING, RegistryRepository } from './registry.repository.js';
import { isUuid } from '../../common/uuid.js';
import { Transactions } from '../../database/transactions.js';

export interface HouseholdListItem {
  id: string;
  householdNo: string;
  regionCode: string;
  address: string;
  head: { personId: string; name: string; idNumber: string } | null;
  memberCount: number;
}

interface ListRow {
  id: string;
  household_no: string;
  region_code: string;
  address: string;
  head_person_id: string | null;
  head_name: string | null;
  head_id_number: string | null;
  member_count: number;
}

interface EventRow {
  id: string;
  type: string;
  person_id: string | null;
  event_date: string;
  data: Record<string, unknown>;
  recorded_at: Date;
  recorded_by: string | null;
}

export interface HouseholdEventView {
  id: string;
  type: string;
  personId: string | null;
  date: string;
  data: Record<string, unknown>;
  recordedAt: string;
  recordedBy: string | null;
}

/** Turns draft problems into the refusal: INVALID_ID_NUMBER when an ID number is at fault. */
export function refusalFor(problems: DraftProblem[]): Error {
  const errors: FieldProblem[] = problems.map(({ field, message }) => ({ field, message }));
  return problems.some((problem) => problem.idNumber)
    ? new InvalidIdNumberError(errors)
    : new ValidationFailedError(errors);
}

@Injectable()
export class HouseholdsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly repository: RegistryRepository,
    private readonly snapshots: HouseholdSnapshots,
    private readonly audit: AuditService,
  ) {}

  /** Registers a household with its members and the facts known today, all in one transaction. */
  async create(draft: HouseholdDraft, actor: Actor): Promise<HouseholdView> {
    const today = todayInChina();
    const { problems, members } = validateHouseholdDraft(draft, today, currentLanguage());
    if (problems.length > 0) throw refusalFor(problems);
    const scope = new RegionScope(actor.regionCode);
    scope.assert(draft.regionCode, 'region');

    const snapshot = await this.transactions.run(async (manager) => {
      const level = await this.repository.regionLevel(manager, draft.regionCode);
      if (level !== 'VILLAGE') {
        throw new ValidationFailedError([
          { field: 'regionCode', message: callerText('messages.noSuchVillage', { regionCode: draft.regionCode }) },
        ]);
      }
      const householdId = uuidv7();
      const inserted = await this.repository.insertHousehold(manager, {
        id: householdId,
        householdNo: draft.householdNo,
        regionCode: draft.regionCode,
        address: draft.address.trim(),
        quotaWaivedOn: draft.quotaWaivedOn ?? null,
      });
      if (!inserted) throw new DuplicateHouseholdError(draft.householdNo);
      const event = await this.repository.insertEvent(manager, {
        householdId,
        type: 'REGISTERED',
        personId: null,
        date: today,
        data: { source: 'API' },
        actorId: actor.id,
      });

      const persons = members.map((member) => ({ ...member, id: uuidv7() }));
      const taken = await this.repository.insertPersons(
        manager,
        persons.map((p) => ({ ...p, deathDate: p.deathDate ?? null })),
      );
      if (taken.length > 0) throw await this.duplicatePerson(manager, taken[0], scope);
      const known = await this.repository.linkablePersons(
        manager,
        namedParentIdNumbers(persons),
        persons
          .flatMap((p) => [p.motherPersonId, p.fatherPersonId])
          .filter((id): id is string => typeof id === 'string'),
      );
      const linked = resolveParentLinks(persons, known, undefined, currentLanguage());
      if (linked.problems.length > 0) throw refusalFor(linked.problems);
      await this.repository.setParentLinks(manager, linked.links);
      await this.repository.insertMembers(
        manager,
        householdId,
        persons.map((p) => ({
          personId: p.id,
          relation: p.relation,
          birthOrder: p.birthOrder ?? null,
          adopted: p.adopted ?? false,
          adoptedOn: p.adoptedOn ?? null,
          joinedOn: p.adopted && p.adoptedOn ? p.adoptedOn : FROM_THE_BEGINNING,
        })),
      );
      await this.repository.insertHukou(
        manager,
        persons.map((p) => ({ personId: p.id, effectiveOn: FROM_THE_BEGINNING, hukouType: p.hukouType })),
        event.id,
      );
      await this.repository.insertGrades(
        manager,
        persons.flatMap((p) => [
          ...(p.disabilityGrade != null
            ? [
                {
                  personId: p.id,
                  kind: 'DISABILITY' as const,
                  effectiveOn: p.disabilityAssessedOn ?? FROM_THE_BEGINNING,
                  grade: p.disabilityGrade,
                },
              ]
            : []),
          ...(p.complicationGrade != null
            ? [
                {
                  personId: p.id,
                  kind: 'COMPLICATION' as const,
                  effectiveOn: p.complicationAssessedOn ?? FROM_THE_BEGINNING,
                  grade: p.complicationGrade,
                },
              ]
            : []),
        ]),
        event.id,
      );
      await this.repository.insertRegion(
        manager,
        householdId,
        FROM_THE_BEGINNING,
        draft.regionCode,
        draft.address.trim(),
        event.id,
      );
      if (draft.certificate) {
        const ok = await this.repository.insertCertificate(
          manager,
          householdId,
          draft.certificate.certificateNo,
          draft.certificate.issuedOn,
          event.id,
        );
        if (!ok) {
          throw new EventConflictError(
            'DUPLICATE_CERTIFICATE',
            `Certificate ${draft.certificate.certificateNo} is already registered`,
          );
        }
      }
      await this.repository.insertViolations(
        manager,
        householdId,
        draft.violationYears ?? [],
        FROM_THE_BEGINNING,
        event.id,
      );
      if (draft.bankAccount) {
        const holderId = draft.bankAccount.holderIdNumber.trim().toUpperCase();
        const holder = persons.find((p) => p.idNumber === holderId)!;
        await this.repository.insertBankAccount(
          manager,
          householdId,
          FROM_THE_BEGINNING,
          { bankCode: draft.bankAccount.bankCode, accountNo: draft.bankAccount.accountNo, holderPersonId: holder.id },
          event.id,
        );
      }
      const after = await this.snapshots.forHousehold(householdId, today, manager);
      await this.audit.record(manager, {
        action: 'household.registered',
        entityType: 'household',
        entityId: householdId,
        regionCode: draft.regionCode,
        after: maskedSnapshot(after),
      });
      return after;
    });
    return toHouseholdView(snapshot, echoVisibilityFor(actor.role));
  }

  /** The 409 for a taken ID number: names the household only when the caller may see it. */
  async duplicatePerson(manager: EntityManager, idNumber: string, scope: RegionScope): Promise<DuplicatePersonError> {
    const [holder] = await this.repository.findHolders(manager, [idNumber]);
    return new DuplicatePersonError(
      idNumber,
      holder && scope.covers(holder.region_code)
        ? { householdId: holder.household_id, householdNo: holder.household_no }
        : undefined,
    );
  }

  /** The household as of a date (default today), if it lies in the caller's scope today. */
  async get(id: string, actor: Actor, asOf?: string): Promise<HouseholdView> {
    await this.assertVisible(id, actor);
    const snapshot = await this.snapshots.forHousehold(id, asOf ?? todayInChina());
    return toHouseholdView(snapshot, visibilityFor(actor.role));
  }

  /** 404 (never the data) when the household does not exist or lies outside the caller's region. */
  async assertVisible(id: string, actor: Actor): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('Household', id);
    const params: unknown[] = [id];
    const rows = await queryRows(
      this.dataSource,
      `SELECT 1 FROM households WHERE id = $1 AND ${new RegionScope(actor.regionCode).where('region_code', params)}`,
      params,
    );
    if (rows.length === 0) throw new NotFoundError('Household', id);
  }

  /** Search within the caller's scope; ID and account numbers are always masked in lists. */
  async search(
    actor: Actor,
    query: { regionCode?: string; q?: string; limit: number; cursor?: string },
  ): Promise<Page<HouseholdListItem>> {
    const scope = new RegionScope(actor.regionCode);
    const params: unknown[] = [];
    const conditions = [scope.where('h.region_code', params)];
    if (query.regionCode) {
      if (!scope.covers(query.regionCode) && !new RegionScope(query.regionCode).covers(actor.regionCode)) {
        throw new ForbiddenError(
          'OUT_OF_SCOPE',
          `Region ${query.regionCode} is outside your region ${actor.regionCode}`,
        );
      }
      conditions.push(new RegionScope(query.regionCode).where('h.region_code', params));
    }
    const q = query.q?.trim();
    if (q) {
      const id = parseIdNumber(q, '9999-12-31');
      if (/^\d{17}[\dXx]$/.test(q)) {
        params.push(pii().blindIndex('id', id.ok ? id.value.idNumber : q.toUpperCase()));
        conditions.push(
          `h.id IN (SELECT m.household_id FROM persons p JOIN household_members m ON m.person_id = p.id
                     WHERE p.id_number_bidx = $${params.length})`,
        );
      } else {
        // Household numbers and names by prefix, as byte-ordered index ranges ([q, q + U+10FFFF)).
        params.push(q);
        const n = params.length;
        conditions.push(
          `h.id IN (
             SELECT id FROM households
              WHERE household_no >= $${n} AND household_no < ($${n} || U&'\\+10FFFF')
             UNION
             SELECT m.household_id FROM persons p JOIN household_members m ON m.person_id = p.id
              WHERE (p.name COLLATE "C") >= $${n} AND (p.name COLLATE "C") < ($${n} || U&'\\+10FFFF'))`,
        );
      }
    }
    const after = decodeCursor(query.cursor, [cursorPart.text, cursorPart.uuid]);
    if (after) {
      params.push(after[0], after[1]);
      conditions.push(`(h.household_no, h.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await queryRows<ListRow>(
      this.dataSource,
      `SELECT h.id, h.household_no, h.region_code, h.address,
              head.person_id AS head_person_id, head.name AS head_name, head.id_number_enc AS head_id_number,
              (SELECT count(*) FROM household_members c WHERE c.household_id = h.id)::int AS member_count
         FROM households h
         LEFT JOIN LATERAL (
           SELECT p.id AS person_id, p.name, p.id_number_enc FROM household_members m JOIN persons p ON p.id = m.person_id
            WHERE m.household_id = h.id AND m.relation = 'HEAD' LIMIT 1) head ON true
        WHERE ${conditions.join(' AND ')}
        ORDER BY h.household_no, h.id
        LIMIT $${params.length}`,
      params,
    );
    openColumns(rows, 'head_id_number');
    return toPage(
      rows,
      query.limit,
      (row) => [row.household_no, row.id],
      (row) => ({
        id: row.id,
        householdNo: row.household_no,
        regionCode: row.region_code,
        address: row.address,
        head:
          row.head_person_id === null
            ? null
            : { personId: row.head_person_id, name: row.head_name!, idNumber: maskNumber(row.head_id_number!) },
        memberCount: row.member_count,
      }),
    );
  }

  /** The events recorded for a household, oldest first, a page at a time. */
  async events(id: string, actor: Actor, page: { limit: number; cursor?: string }): Promise<Page<HouseholdEventView>> {
    await this.assertVisible(id, actor);
    const after = decodeCursor(page.cursor, [cursorPart.int8Text]);
    const rows = await queryRows<EventRow>(
      this.dataSource,
      `SELECT id::text, type, person_id, to_char(event_date, 'YYYY-MM-DD') AS event_date, data, recorded_at, recorded_by
         FROM household_events WHERE household_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [id, after?.[0] ?? '0', page.limit + 1],
    );
    const visibility = visibilityFor(actor.role);
    return toPage(
      rows,
      page.limit,
      (row) => [row.id],
      (row) => ({
        id: row.id,
        type: row.type,
        personId: row.person_id,
        date: row.event_date,
        data: maskEventData(row.data, visibility.fullIdNumbers, visibility.fullAccountNumbers),
        recordedAt: row.recorded_at.toISOString(),
        recordedBy: row.recorded_by,
      }),
    );
  }

  snapshotFor(id: string, asOf: string): Promise<HouseholdSnapshot> {
    return this.snapshots.forHousehold(id, asOf);
  }
}

function maskEventData(
  data: Record<string, unknown>,
  fullIds: boolean,
  fullAccounts: boolean,
): Record<string, unknown> {
  const copy = { ...data };
  if (!fullIds && typeof copy.idNumber === 'string') copy.idNumber = maskNumber(copy.idNumber);
  if (!fullAccounts && typeof copy.accountNo === 'string') copy.accountNo = maskNumber(copy.accountNo);
  return copy;
}
