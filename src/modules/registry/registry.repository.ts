import { Injectable } from '@nestjs/common';
import { openColumns, pii } from '../../common/pii/keyring.js';
import { maskPiiText } from '../../common/pii/redact.js';
import type { EntityManager } from 'typeorm';
import type { RegionScope } from '../../common/region-scope.js';
import { queryOne, queryRows } from '../../database/sql.js';
import type { HukouType, Relation, Sex } from './household-snapshot.js';
import { AccountHeldByAnotherError } from './registry.errors.js';

/** Facts registered without a known start hold from the beginning of the record. */
export const FROM_THE_BEGINNING = '-infinity';

export interface LockedHousehold {
  id: string;
  household_no: string;
  region_code: string;
  address: string;
  quota_waived_on: string | null;
}

export interface NewPerson {
  id: string;
  idNumber: string;
  name: string;
  sex: Sex;
  birthDate: string;
  deathDate: string | null;
}

export interface NewMember {
  personId: string;
  relation: Relation;
  birthOrder: number | null;
  adopted: boolean;
  adoptedOn: string | null;
  joinedOn: string;
}

export interface PersonFacts {
  person_id: string;
  household_id: string;
  relation: Relation;
  birth_date: string;
  death_date: string | null;
  college_admitted_on: string | null;
  /** Latest effective date of any dated fact of the person (hukou, grades), or null. */
  last_fact_on: string | null;
  hukou_type: HukouType;
  hukou_since: string | null;
  disability_since: string | null;
  complication_since: string | null;
}

/** A logged life event, with whether a CORRECTION has withdrawn it. */
export interface LoggedEvent {
  id: string;
  household_id: string;
  type: string;
  person_id: string | null;
  event_date: string;
  data: Record<string, unknown>;
  withdrawn: boolean;
}

/** Whether a CORRECTION withdrew the event (aliased `e`). */
const WITHDRAWN = (e: string) => `EXISTS (SELECT 1 FROM household_events c
   WHERE c.household_id = ${e}.household_id AND c.type = 'CORRECTION' AND c.data->>'withdrawsEventId' = ${e}.id::text)`;

/**
 * The dated histories an event writes, with the columns naming whose row it is, the values it
 * holds, and what held where no row did (a person is resident and ungraded from birth).
 */
const DATED_HISTORIES = {
  hukou: { table: 'person_hukou_history', keys: ['person_id'], values: ['hukou_type'], fallback: undefined },
  grade: { table: 'person_grade_history', keys: ['person_id', 'kind'], values: ['grade'], fallback: { grade: null } },
  residence: {
    table: 'person_residence_history',
    keys: ['person_id'],
    values: ['resident', 'from_place'],
    fallback: { resident: true, from_place: null },
  },
  region: {
    table: 'household_region_history',
    keys: ['household_id'],
    values: ['region_code', 'address'],
    fallback: undefined,
  },
  account: {
    table: 'household_bank_accounts',
    keys: ['household_id'],
    values: ['bank_code', 'account_no_enc', 'account_no_bidx', 'holder_person_id'],
    fallback: undefined,
  },
} as const satisfies Record<
  string,
  { table: string; keys: readonly string[]; values: readonly string[]; fallback: Record<string, unknown> | undefined }
>;
export type DatedHistory = keyof typeof DATED_HISTORIES;

/** The SQL of the registry's writes and searches, named for what they do. */
@Injectable()
export class RegistryRepository {
  /** The household, locked for the change, if it exists inside the scope. */
  async lockHousehold(manager: EntityManager, id: string, scope: RegionScope): Promise<LockedHousehold | undefined> {
    const params: unknown[] = [id];
    return queryOne<LockedHousehold>(
      manager,
      `SELECT id, household_no, region_code, address, to_char(quota_waived_on, 'YYYY-MM-DD') AS quota_waived_on
         FROM households WHERE id = $1 AND ${scope.where('region_code', params)} FOR UPDATE`,
      params,
    );
  }

  async regionLevel(manager: EntityManager, code: string): Promise<string | undefined> {
    const row = await queryOne<{ level: string }>(manager, `SELECT level FROM regions WHERE code = $1 FOR SHARE`, [
      code,
    ]);
    return row?.level;
  }

  /** Where already registered ID numbers live. */
  async findHolders(
    manager: EntityManager,
    idNumbers: string[],
  ): Promise<{ id_number: string; household_id: string; household_no: string; region_code: string }[]> {
    const rows = await queryRows<{
      id_number: string;
      household_id: string;
      household_no: string;
      region_code: string;
    }>(
      manager,
      `SELECT p.id_number_enc AS id_number, h.id AS household_id, h.household_no, h.region_code
         FROM persons p JOIN household_members m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
        WHERE p.id_number_bidx = ANY($1::bytea[])
        ORDER BY m.left_on IS NULL DESC, m.joined_on DESC`,
      [idNumbers.map((id) => pii().blindIndex('id', id))],
    );
    return openColumns(rows, 'id_number');
  }

  async insertHousehold(
    manager: EntityManager,
    household: { id: string; householdNo: string; regionCode: string; address: string; quotaWaivedOn: string | null },
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO households (id, household_no, region_code, address, quota_waived_on)
       VALUES ($1, $2, $3, $4, $5::date) ON CONFLICT (household_no) DO NOTHING RETURNING id`,
      [household.id, household.householdNo, household.regionCode, household.address, household.quotaWaivedOn],
    );
    return rows.length === 1;
  }

  async insertEvent(
    manager: EntityManager,
    event: {
      householdId: string;
      type: string;
      personId: string | null;
      date: string;
      data: object;
      actorId: string | null;
    },
  ): Promise<{ id: string; recorded_at: Date }> {
    const row = await queryOne<{ id: string; recorded_at: Date }>(
      manager,
      `INSERT INTO household_events (household_id, type, person_id, event_date, data, recorded_by)
       VALUES ($1, $2, $3, $4::date, $5, $6) RETURNING id::text, recorded_at`,
      [
        event.householdId,
        event.type,
        event.personId,
        event.date,
        maskPiiText(JSON.stringify(event.data)),
        event.actorId,
      ],
    );
    return row!;
  }

  /** Inserts new persons; returns the ID numbers that were already registered (nothing else is inserted then). */
  async insertPersons(manager: EntityManager, persons: NewPerson[]): Promise<string[]> {
    const keyring = pii();
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO persons (id, id_number_enc, id_number_bidx, name, sex, birth_date, death_date)
       SELECT * FROM unnest($1::uuid[], $7::bytea[], $2::bytea[], $3::text[], $4::text[], $5::date[], $6::date[])
       ON CONFLICT (id_number_bidx) DO NOTHING RETURNING id`,
      [
        persons.map((p) => p.id),
        persons.map((p) => keyring.blindIndex('id', p.idNumber)),
        persons.map((p) => p.name),
        persons.map((p) => p.sex),
        persons.map((p) => p.birthDate),
        persons.map((p) => p.deathDate),
        persons.map((p) => keyring.encrypt(p.idNumber)),
      ],
    );
    const done = new Set(inserted.map((row) => row.id));
    return persons.filter((p) => !done.has(p.id)).map((p) => p.idNumber);
  }

  /** Registered persons by resident ID or person id, as a parent link may name them. */
  async linkablePersons(
    manager: EntityManager,
    idNumbers: string[],
    personIds: string[],
  ): Promise<{ id: string; idNumber: string; sex: 'M' | 'F'; birthDate: string }[]> {
    if (idNumbers.length === 0 && personIds.length === 0) return [];
    const rows = await queryRows<{ id: string; idNumber: string; sex: 'M' | 'F'; birthDate: string }>(
      manager,
      `SELECT id, id_number_enc AS "idNumber", sex, to_char(birth_date, 'YYYY-MM-DD') AS "birthDate" FROM persons
        WHERE id_number_bidx = ANY($1::bytea[]) OR id = ANY($2::uuid[])`,
      [idNumbers.map((id) => pii().blindIndex('id', id)), personIds],
    );
    return openColumns(rows, 'idNumber');
  }

  /** One event of the household, with whether a CORRECTION has withdrawn it. */
  eventOfHousehold(manager: EntityManager, householdId: string, eventId: string): Promise<LoggedEvent | undefined> {
    return queryOne(
      manager,
      `SELECT e.id::text, e.household_id, e.type, e.person_id, e.event_date::text, e.data,
              ${WITHDRAWN('e')} AS withdrawn
         FROM household_events e WHERE e.household_id = $1 AND e.id = $2::bigint`,
      [householdId, eventId],
    );
  }

  /**
   * The first later event, not withdrawn, that was checked against `event`: of the given types (or
   * any but a CORRECTION), about the same person in any household, or in the same household.
   */
  async laterDependent(
    manager: EntityManager,
    event: LoggedEvent,
    types: readonly string[] | 'ALL',
    of: 'person' | 'household',
  ): Promise<{ id: string; type: string } | undefined> {
    if (of === 'person' && event.person_id === null) return undefined;
    return queryOne(
      manager,
      `SELECT e.id::text, e.type FROM household_events e
        WHERE e.id > $1::bigint AND e.type <> 'CORRECTION' AND ($2::text[] IS NULL OR e.type = ANY($2::text[]))
          AND ${of === 'person' ? 'e.person_id = $3::uuid' : 'e.household_id = $3::uuid'}
          AND NOT ${WITHDRAWN('e')}
        ORDER BY e.id LIMIT 1`,
      [event.id, types === 'ALL' ? null : types, of === 'person' ? event.person_id : event.household_id],
    );
  }

  /**
   * Withdraws the rows an event wrote into a dated history: each gets a successor of the same date
   * restoring what held just before it, the event's own rows left out (the later row of a day
   * wins, as everywhere in the registry), or the history's default where nothing held before.
   * False when a row has neither (the household's first account, say): nothing is written then.
   */
  async restoreDated(
    manager: EntityManager,
    history: DatedHistory,
    eventId: string,
    correctionId: string,
  ): Promise<boolean> {
    const { table, keys, values, fallback } = DATED_HISTORIES[history];
    const rows = await queryRows<Record<string, unknown> & { seq: string; effective_on: string }>(
      manager,
      `SELECT seq::text, effective_on::text, ${keys.join(', ')} FROM ${table}
        WHERE event_id = $1::bigint ORDER BY effective_on, seq`,
      [eventId],
    );
    for (const row of rows) {
      const [before] = await queryRows<Record<string, unknown>>(
        manager,
        `SELECT ${values.join(', ')} FROM ${table}
          WHERE ${keys.map((key, i) => `${key} = $${i + 4}`).join(' AND ')}
            AND (effective_on, seq) < ($1::date, $2::bigint) AND event_id IS DISTINCT FROM $3::bigint
          ORDER BY effective_on DESC, seq DESC LIMIT 1`,
        [row.effective_on, row.seq, eventId, ...keys.map((key) => row[key])],
      );
      const value = before ?? fallback;
      if (!value) return false;
      const columns = [...keys, 'effective_on', ...values, 'event_id'];
      await manager.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        [...keys.map((key) => row[key]), row.effective_on, ...values.map((v) => value[v]), correctionId],
      );
    }
    return true;
  }

  /** Erases a recorded death (the withdrawn DEATH event's). */
  async eraseDeath(manager: EntityManager, personId: string, date: string): Promise<void> {
    await manager.query(`UPDATE persons SET death_date = NULL WHERE id = $1 AND death_date = $2::date`, [
      personId,
      date,
    ]);
  }

  /** Erases a recorded college admission. */
  async eraseCollegeAdmission(manager: EntityManager, personId: string, date: string): Promise<void> {
    await manager.query(
      `UPDATE persons SET college_admitted_on = NULL WHERE id = $1 AND college_admitted_on = $2::date`,
      [personId, date],
    );
  }

  /** Erases a recorded quota waiver. */
  async eraseQuotaWaiver(manager: EntityManager, householdId: string, date: string): Promise<void> {
    await manager.query(
      `UPDATE households SET quota_waived_on = NULL, updated_at = now() WHERE id = $1 AND quota_waived_on = $2::date`,
      [householdId, date],
    );
  }

  /** Removes the certificate an event issued; false when a revocation of it stands. */
  async eraseIssuedCertificate(manager: EntityManager, eventId: string): Promise<void> {
    await manager.query(`DELETE FROM household_certificates WHERE issue_event_id = $1::bigint`, [eventId]);
  }

  /** Lifts the revocation an event recorded; false when another certificate is in force now. */
  async eraseRevocation(manager: EntityManager, householdId: string, eventId: string): Promise<boolean> {
    if (await this.activeCertificate(manager, householdId)) return false;
    await manager.query(
      `UPDATE household_certificates SET revoked_on = NULL, revoke_event_id = NULL WHERE revoke_event_id = $1::bigint`,
      [eventId],
    );
    return true;
  }

  /** Removes the violation an event recorded (the table's trigger allows it only for a withdrawn event). */
  async eraseViolation(manager: EntityManager, eventId: string): Promise<void> {
    await manager.query(`DELETE FROM household_violations WHERE event_id = $1::bigint`, [eventId]);
  }

  /** Makes the household's current region and address those of its region history in force now. */
  async syncCurrentRegion(manager: EntityManager, householdId: string): Promise<void> {
    await manager.query(
      `UPDATE households h SET region_code = r.region_code, address = r.address, updated_at = now()
         FROM (SELECT region_code, address FROM household_region_history WHERE household_id = $1
                ORDER BY effective_on DESC, seq DESC LIMIT 1) r
        WHERE h.id = $1`,
      [householdId],
    );
  }

  /** Corrects a mistyped name; answers the name it replaced. */
  async correctName(manager: EntityManager, personId: string, name: string): Promise<string> {
    const [row] = await queryRows<{ before: string }>(
      manager,
      `UPDATE persons p SET name = $2 FROM persons o WHERE p.id = $1 AND o.id = p.id RETURNING o.name AS before`,
      [personId, name],
    );
    return row.before;
  }

  /** Corrects a mistyped address: the region row in force gets a successor of the same date. */
  async correctAddress(manager: EntityManager, householdId: string, address: string, eventId: string): Promise<string> {
    const [row] = await queryRows<{ before: string }>(
      manager,
      `WITH latest AS (
         SELECT effective_on, region_code, address FROM household_region_history WHERE household_id = $1
          ORDER BY effective_on DESC, seq DESC LIMIT 1),
       ins AS (
         INSERT INTO household_region_history (household_id, effective_on, region_code, address, event_id)
         SELECT $1, effective_on, region_code, $2, $3 FROM latest)
       SELECT address AS before FROM latest`,
      [householdId, address, eventId],
    );
    await manager.query(`UPDATE households SET address = $2, updated_at = now() WHERE id = $1`, [householdId, address]);
    return row.before;
  }

  /** A registered person by ID number, locked, with the household they belong to now (if any). */
  async registeredPerson(
    manager: EntityManager,
    idNumber: string,
  ): Promise<
    | {
        id: string;
        name: string;
        birth_date: string;
        death_date: string | null;
        household_id: string | null;
        joined_on: string | null;
        memberships: number;
      }
    | undefined
  > {
    return queryOne(
      manager,
      `SELECT p.id, p.name, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
              to_char(p.death_date, 'YYYY-MM-DD') AS death_date, m.household_id,
              CASE WHEN m.joined_on = '-infinity' THEN NULL ELSE to_char(m.joined_on, 'YYYY-MM-DD') END AS joined_on,
              (SELECT count(*)::int FROM household_members a WHERE a.person_id = p.id) AS memberships
         FROM persons p LEFT JOIN household_members m ON m.person_id = p.id AND m.left_on IS NULL
        WHERE p.id_number_bidx = $1
        FOR UPDATE OF p`,
      [pii().blindIndex('id', idNumber)],
    );
  }

  /** The day the person last left a household, if they did. */
  async lastLeftOn(manager: EntityManager, personId: string): Promise<string | null> {
    const row = await queryOne<{ last: string | null }>(
      manager,
      `SELECT to_char(max(left_on), 'YYYY-MM-DD') AS last FROM household_members WHERE person_id = $1`,
      [personId],
    );
    return row?.last ?? null;
  }

  /** Removes a membership an event created (the event withdrawn); false when there was none. */
  async deleteMembership(manager: EntityManager, householdId: string, personId: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `DELETE FROM household_members WHERE household_id = $1 AND person_id = $2 RETURNING person_id`,
      [householdId, personId],
    );
    return rows.length === 1;
  }

  /** Undoes a member's leaving on `date`: a member again (false when they belong elsewhere now). */
  async reopenMembership(
    manager: EntityManager,
    householdId: string,
    personId: string,
    date: string,
  ): Promise<boolean> {
    const current = await queryOne(
      manager,
      `SELECT 1 FROM household_members WHERE person_id = $1 AND left_on IS NULL`,
      [personId],
    );
    if (current) return false;
    const rows = await queryRows(
      manager,
      `UPDATE household_members SET left_on = NULL WHERE household_id = $1 AND person_id = $2 AND left_on = $3::date
       RETURNING person_id`,
      [householdId, personId, date],
    );
    return rows.length === 1;
  }

  /** Persons whose mother or father link names the person (a child depends on its parent's record). */
  async childrenOf(manager: EntityManager, personId: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      manager,
      `SELECT count(*)::int AS n FROM persons WHERE mother_id = $1 OR father_id = $1`,
      [personId],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * A person left in no household (the event that added them was withdrawn) registered again:
   * the record starts afresh under the same ID number.
   */
  async reuseDetachedPerson(manager: EntityManager, personId: string, name: string): Promise<void> {
    await manager.query(
      `UPDATE persons SET name = $2, death_date = NULL, college_admitted_on = NULL, mother_id = NULL, father_id = NULL
        WHERE id = $1`,
      [personId, name],
    );
  }

  /** Records that a member left the household on `date` (once); false when already recorded. */
  async markMemberLeft(manager: EntityManager, householdId: string, personId: string, date: string): Promise<boolean> {
    const rows = await queryRows<{ person_id: string }>(
      manager,
      `UPDATE household_members SET left_on = $3::date
        WHERE household_id = $1 AND person_id = $2 AND left_on IS NULL AND joined_on <= $3::date RETURNING person_id`,
      [householdId, personId, date],
    );
    return rows.length === 1;
  }

  /**
   * The person's residence rows (MOVE_IN, MOVE_OUT) in order; none: resident from birth. Rows of
   * withdrawn events and the rows that undid them are left out: they cancel out.
   */
  residenceOf(manager: EntityManager, personId: string): Promise<{ effective_on: string; resident: boolean }[]> {
    return queryRows(
      manager,
      `SELECT x.effective_on::text, x.resident FROM person_residence_history x
         LEFT JOIN household_events e ON e.id = x.event_id
        WHERE x.person_id = $1 AND (e.id IS NULL OR (e.type <> 'CORRECTION' AND NOT ${WITHDRAWN('e')}))
        ORDER BY x.effective_on, x.seq`,
      [personId],
    );
  }

  async insertResidence(
    manager: EntityManager,
    personId: string,
    rows: { effectiveOn: string; resident: boolean; fromPlace: string | null }[],
    eventId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO person_residence_history (person_id, effective_on, resident, from_place, event_id)
       SELECT $1, e, r, f, $5 FROM unnest($2::date[], $3::boolean[], $4::text[]) AS t(e, r, f)`,
      [personId, rows.map((r) => r.effectiveOn), rows.map((r) => r.resident), rows.map((r) => r.fromPlace), eventId],
    );
  }

  /** The household's HEAD and SPOUSE, whom a new child without named parents is linked to. */
  async householdCouple(
    manager: EntityManager,
    householdId: string,
  ): Promise<{ id: string; idNumber: string; sex: 'M' | 'F'; birthDate: string; relation: Relation }[]> {
    const rows = await queryRows<{
      id: string;
      idNumber: string;
      sex: 'M' | 'F';
      birthDate: string;
      relation: Relation;
    }>(
      manager,
      `SELECT p.id, p.id_number_enc AS "idNumber", p.sex, to_char(p.birth_date, 'YYYY-MM-DD') AS "birthDate", m.relation
         FROM household_members m JOIN persons p ON p.id = m.person_id
        WHERE m.household_id = $1 AND m.relation IN ('HEAD', 'SPOUSE')
        ORDER BY m.relation, p.id`,
      [householdId],
    );
    return openColumns(rows, 'idNumber');
  }

  /** Sets each person's mother and father (the parent links every rule reads). */
  async setParentLinks(
    manager: EntityManager,
    links: { personId: string; motherId: string | null; fatherId: string | null }[],
  ): Promise<void> {
    const named = links.filter((link) => link.motherId !== null || link.fatherId !== null);
    if (named.length === 0) return;
    await manager.query(
      `UPDATE persons p SET mother_id = l.mother_id, father_id = l.father_id
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS l(person_id, mother_id, father_id)
        WHERE p.id = l.person_id`,
      [named.map((l) => l.personId), named.map((l) => l.motherId), named.map((l) => l.fatherId)],
    );
  }

  async insertMembers(manager: EntityManager, householdId: string, members: NewMember[]): Promise<void> {
    await manager.query(
      `INSERT INTO household_members (household_id, person_id, relation, birth_order, adopted, adopted_on, joined_on)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::smallint[], $5::boolean[], $6::date[], $7::date[])`,
      [
        householdId,
        members.map((m) => m.personId),
        members.map((m) => m.relation),
        members.map((m) => m.birthOrder),
        members.map((m) => m.adopted),
        members.map((m) => m.adoptedOn),
        members.map((m) => m.joinedOn),
      ],
    );
  }

  async insertHukou(
    manager: EntityManager,
    rows: { personId: string; effectiveOn: string; hukouType: HukouType }[],
    eventId: string | null,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO person_hukou_history (person_id, effective_on, hukou_type, event_id)
       SELECT p, e, h, $4 FROM unnest($1::uuid[], $2::date[], $3::text[]) AS t(p, e, h)`,
      [rows.map((r) => r.personId), rows.map((r) => r.effectiveOn), rows.map((r) => r.hukouType), eventId],
    );
  }

  async insertGrades(
    manager: EntityManager,
    rows: { personId: string; kind: 'DISABILITY' | 'COMPLICATION'; effectiveOn: string; grade: number | null }[],
    eventId: string | null,
  ): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO person_grade_history (person_id, kind, effective_on, grade, event_id)
       SELECT p, k, e, g, $5 FROM unnest($1::uuid[], $2::text[], $3::date[], $4::smallint[]) AS t(p, k, e, g)`,
      [
        rows.map((r) => r.personId),
        rows.map((r) => r.kind),
        rows.map((r) => r.effectiveOn),
        rows.map((r) => r.grade),
        eventId,
      ],
    );
  }

  async insertRegion(
    manager: EntityManager,
    householdId: string,
    effectiveOn: string,
    regionCode: string,
    address: string,
    eventId: string | null,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO household_region_history (household_id, effective_on, region_code, address, event_id)
       VALUES ($1, $2::date, $3, $4, $5)`,
      [householdId, effectiveOn, regionCode, address, eventId],
    );
  }

  /** False when the certificate number is already used. */
  async insertCertificate(
    manager: EntityManager,
    householdId: string,
    certificateNo: string,
    issuedOn: string,
    eventId: string | null,
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO household_certificates (household_id, certificate_no, issued_on, issue_event_id)
       VALUES ($1, $2, $3::date, $4) ON CONFLICT (certificate_no) DO NOTHING RETURNING id`,
      [householdId, certificateNo, issuedOn, eventId],
    );
    return rows.length === 1;
  }

  async activeCertificate(
    manager: EntityManager,
    householdId: string,
  ): Promise<{ id: string; certificate_no: string; issued_on: string } | undefined> {
    return queryOne(
      manager,
      `SELECT id::text, certificate_no, to_char(issued_on, 'YYYY-MM-DD') AS issued_on
         FROM household_certificates WHERE household_id = $1 AND revoked_on IS NULL`,
      [householdId],
    );
  }

  async lastCertificateChange(manager: EntityManager, householdId: string): Promise<string | null> {
    const row = await queryOne<{ last: string | null }>(
      manager,
      `SELECT to_char(max(greatest(issued_on, coalesce(revoked_on, issued_on))), 'YYYY-MM-DD') AS last
         FROM household_certificates WHERE household_id = $1`,
      [householdId],
    );
    return row?.last ?? null;
  }

  async revokeCertificate(
    manager: EntityManager,
    certificateId: string,
    revokedOn: string,
    eventId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE household_certificates SET revoked_on = $2::date, revoke_event_id = $3
        WHERE id = $1 AND revoked_on IS NULL`,
      [certificateId, revokedOn, eventId],
    );
  }

  /** False when the year is already recorded. */
  async insertViolations(
    manager: EntityManager,
    householdId: string,
    years: number[],
    recordedOn: string,
    eventId: string | null,
  ): Promise<boolean> {
    if (years.length === 0) return true;
    const rows = await queryRows(
      manager,
      `INSERT INTO household_violations (household_id, year, recorded_on, event_id)
       SELECT $1, y, $3::date, $4 FROM unnest($2::smallint[]) AS t(y)
       ON CONFLICT (household_id, year) DO NOTHING RETURNING year`,
      [householdId, years, recordedOn, eventId],
    );
    return rows.length === years.length;
  }

  async insertBankAccount(
    manager: EntityManager,
    householdId: string,
    effectiveOn: string,
    account: { bankCode: string; accountNo: string; holderPersonId: string },
    eventId: string | null,
  ): Promise<void> {
    try {
      await manager.query(
        `INSERT INTO household_bank_accounts
           (household_id, effective_on, bank_code, account_no_enc, account_no_bidx, holder_person_id, event_id)
         VALUES ($1, $2::date, $3, $4, $5, $6, $7)`,
        [
          householdId,
          effectiveOn,
          account.bankCode,
          pii().encrypt(account.accountNo),
          pii().blindIndex('account', account.accountNo),
          account.holderPersonId,
          eventId,
        ],
      );
    } catch (error) {
      // One account number, one holder city-wide (exclusion constraint household_bank_accounts_one_holder).
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23P01' && constraint === 'household_bank_accounts_one_holder') {
        throw new AccountHeldByAnotherError(account.accountNo);
      }
      throw error;
    }
  }

  async lastEffective(
    manager: EntityManager,
    table: 'household_region_history' | 'household_bank_accounts',
    householdId: string,
  ): Promise<string | null> {
    const row = await queryOne<{ last: string | null }>(
      manager,
      `SELECT CASE WHEN max(effective_on) = '-infinity' THEN NULL ELSE to_char(max(effective_on), 'YYYY-MM-DD') END AS last
         FROM ${table} WHERE household_id = $1`,
      [householdId],
    );
    return row?.last ?? null;
  }

  /**
   * A person's current facts and the dates they were last changed, with the household they belong
   * to now (else the given one they left, else the last).
   */
  async personFacts(manager: EntityManager, personId: string, householdId?: string): Promise<PersonFacts | undefined> {
    return queryOne<PersonFacts>(
      manager,
      `SELECT p.id AS person_id, m.household_id, m.relation,
              to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
              to_char(p.death_date, 'YYYY-MM-DD') AS death_date,
              to_char(p.college_admitted_on, 'YYYY-MM-DD') AS college_admitted_on,
              (SELECT hukou_type FROM person_hukou_history WHERE person_id = p.id
                ORDER BY effective_on DESC, seq DESC LIMIT 1) AS hukou_type,
              (SELECT to_char(nullif(max(effective_on), '-infinity'), 'YYYY-MM-DD') FROM person_hukou_history
                WHERE person_id = p.id) AS hukou_since,
              (SELECT to_char(nullif(max(effective_on), '-infinity'), 'YYYY-MM-DD') FROM person_grade_history
                WHERE person_id = p.id AND kind = 'DISABILITY') AS disability_since,
              (SELECT to_char(nullif(max(effective_on), '-infinity'), 'YYYY-MM-DD') FROM person_grade_history
                WHERE person_id = p.id AND kind = 'COMPLICATION') AS complication_since,
              to_char(greatest(
                (SELECT nullif(max(effective_on), '-infinity') FROM person_hukou_history WHERE person_id = p.id),
                (SELECT nullif(max(effective_on), '-infinity') FROM person_grade_history WHERE person_id = p.id),
                p.college_admitted_on), 'YYYY-MM-DD') AS last_fact_on
         FROM persons p JOIN household_members m ON m.person_id = p.id
        WHERE p.id = $1
        ORDER BY m.left_on IS NULL DESC, m.household_id = $2::uuid DESC NULLS LAST, m.joined_on DESC
        LIMIT 1
        FOR UPDATE OF p`,
      [personId, householdId ?? null],
    );
  }

  async nextBirthOrder(manager: EntityManager, householdId: string): Promise<number> {
    const row = await queryOne<{ next: number }>(
      manager,
      `SELECT coalesce(max(birth_order), 0) + 1 AS next FROM household_members WHERE household_id = $1`,
      [householdId],
    );
    return Number(row!.next);
  }
}
