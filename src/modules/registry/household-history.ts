import { copyPii, definePii, type Sealed } from '../../common/pii/keyring.js';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type {
  BankAccountSnapshot,
  HouseholdSnapshot,
  HukouType,
  PersonSnapshot,
  Relation,
} from './household-snapshot.js';
import type { PayingAccount } from './household-snapshots.service.js';
import type { MemberRow as SnapshotMemberRow } from './snapshot-rows.js';

type Db = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/**
 * A household's whole dated record: every history row, not only the one in force on a date. A
 * batch decides each month of its period (three dates for March with arrears) and pays into
 * today's account; reading the history once and answering every date from it replaces one
 * snapshot load per date. `snapshotOn` answers exactly as the as-of SQL of snapshot.queries.ts
 * does (the registry's test compares the two on a synthetic city, date by date).
 */
export interface HouseholdHistory {
  householdId: string;
  householdNo: string;
  quotaWaivedOn: string | null;
  /** Each list in recording order: effective date, then the order of recording. */
  regions: Dated<{ regionCode: string; address: string }>[];
  certificates: { certificateNo: string; issuedOn: string; revokedOn: string | null }[];
  accounts: Dated<BankAccountSnapshot>[];
  /** In the snapshot's member order (relation, birth order, birth date, id), which no date changes. */
  members: MemberHistory[];
  violations: { year: number; recordedOn: string }[];
}

type Dated<T> = T & { effectiveOn: string };

/** A member's lasting facts as the snapshot has them, and the dated ones as their histories. */
export type MemberHistory = Omit<PersonSnapshot, 'hukouType' | 'disabilityGrade' | 'complicationGrade' | 'resident'> & {
  joinedOn: string;
  hukou: Dated<{ hukouType: HukouType }>[];
  /** Residence rows (MOVE_IN, MOVE_OUT); none: resident from birth. */
  residence: Dated<{ resident: boolean }>[];
  disability: Dated<{ grade: number | null }>[];
  complication: Dated<{ grade: number | null }>[];
};

/** The last entry in force on `date` (entries are in recording order), or undefined. */
function inForce<T extends { effectiveOn: string }>(entries: readonly T[], date: string): T | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].effectiveOn <= date) return entries[i];
  return undefined;
}

const onOrBefore = (value: string | null, date: string) => (value !== null && value <= date ? value : null);

/**
 * The household as of `date`, or null where the as-of SQL finds no household (it had no region
 * yet). Members who had not joined or been born, or had no hukou yet, are left out as there.
 * `built` (one entry per member of the history) keeps the members built for other dates, which are
 * reused where nothing dated differs.
 */
export function snapshotOn(
  history: HouseholdHistory,
  date: string,
  built?: (PersonSnapshot | undefined)[],
): HouseholdSnapshot | null {
  const region = inForce(history.regions, date);
  if (!region) return null;
  let certificate: HouseholdHistory['certificates'][number] | undefined;
  for (const candidate of history.certificates) if (candidate.issuedOn <= date) certificate = candidate;
  const account = inForce(history.accounts, date);
  const members: PersonSnapshot[] = [];
  for (let i = 0; i < history.members.length; i++) {
    const member = history.members[i];
    if (member.joinedOn > date || member.birthDate > date) continue;
    const hukou = inForce(member.hukou, date);
    if (!hukou) continue;
    const deathDate = onOrBefore(member.deathDate, date);
    const disabilityGrade = inForce(member.disability, date)?.grade ?? null;
    const complicationGrade = inForce(member.complication, date)?.grade ?? null;
    const collegeAdmittedOn = onOrBefore(member.collegeAdmittedOn, date);
    const leftOn = onOrBefore(member.leftOn, date);
    const resident = inForce(member.residence, date)?.resident ?? true;
    // The member as another date of the same timeline built it, when nothing dated differs: the
    // snapshots of a timeline share their members (none of them is ever modified).
    const earlier = built?.[i];
    if (
      earlier !== undefined &&
      earlier.deathDate === deathDate &&
      earlier.hukouType === hukou.hukouType &&
      earlier.disabilityGrade === disabilityGrade &&
      earlier.complicationGrade === complicationGrade &&
      earlier.collegeAdmittedOn === collegeAdmittedOn &&
      earlier.leftOn === leftOn &&
      earlier.resident === resident
    ) {
      members.push(earlier);
      continue;
    }
    const person: PersonSnapshot = {
      personId: member.personId,
      idNumber: '',
      name: member.name,
      sex: member.sex,
      birthDate: member.birthDate,
      deathDate,
      hukouType: hukou.hukouType,
      relation: member.relation,
      birthOrder: member.birthOrder,
      adopted: member.adopted,
      adoptedOn: member.adoptedOn,
      disabilityGrade,
      complicationGrade,
      collegeAdmittedOn,
      motherId: member.motherId,
      fatherId: member.fatherId,
      leftOn,
      resident,
    };
    copyPii(person, member, 'idNumber'); // never decrypted unless read
    if (built) built[i] = person;
    members.push(person);
  }
  return {
    householdId: history.householdId,
    householdNo: history.householdNo,
    regionCode: region.regionCode,
    address: region.address,
    asOf: date,
    members,
    certificate: certificate
      ? {
          certificateNo: certificate.certificateNo,
          issuedOn: certificate.issuedOn,
          revokedOn: onOrBefore(certificate.revokedOn, date),
        }
      : null,
    violationYears: history.violations.filter((v) => v.recordedOn <= date).map((v) => v.year),
    quotaWaivedOn: onOrBefore(history.quotaWaivedOn, date),
    bankAccount: account
      ? { bankCode: account.bankCode, accountNo: account.accountNo, holderPersonId: account.holderPersonId }
      : null,
  };
}

/**
 * The chunk's rows of one table, each household (or member) looked up through its index in
 * recording order: a LATERAL probe per id, which OFFSET 0 keeps from being planned as a hash join
 * over the whole history table. Dates come as `YYYY-MM-DD` text (ISO DateStyle, as everywhere in
 * the service) and `-infinity`, which sorts before every date, as in SQL.
 */
const perHousehold = (table: string, columns: string, order: string) => `
  SELECT chunk.id AS household_id, ${columns}
    FROM unnest($1::uuid[]) AS chunk(id)
    CROSS JOIN LATERAL (
      SELECT * FROM ${table} x WHERE x.household_id = chunk.id ORDER BY ${order} OFFSET 0) x`;

const perMember = (table: string, columns: string, order: string) => `
  SELECT m.person_id, ${columns}
    FROM unnest($1::uuid[]) AS chunk(id)
    JOIN household_members m ON m.household_id = chunk.id
    CROSS JOIN LATERAL (
      SELECT * FROM ${table} x WHERE x.person_id = m.person_id ORDER BY ${order} OFFSET 0) x`;

const HOUSEHOLDS = `
  SELECT h.id, h.household_no, h.quota_waived_on::text AS quota_waived_on
    FROM unnest($1::uuid[]) AS chunk(id)
    CROSS JOIN LATERAL (SELECT * FROM households h WHERE h.id = chunk.id OFFSET 0) h`;
const REGIONS = perHousehold(
  'household_region_history',
  'x.effective_on::text AS effective_on, x.region_code, x.address',
  'x.effective_on, x.seq',
);
const CERTIFICATES = perHousehold(
  'household_certificates',
  'x.certificate_no, x.issued_on::text AS issued_on, x.revoked_on::text AS revoked_on',
  'x.issued_on, x.id',
);
const ACCOUNTS = perHousehold(
  'household_bank_accounts',
  'x.effective_on::text AS effective_on, x.bank_code, x.account_no_enc AS account_no, x.holder_person_id',
  'x.effective_on, x.seq',
);
const VIOLATIONS = perHousehold('household_violations', 'x.year, x.recorded_on::text AS recorded_on', 'x.year');
const MEMBERS = `
  SELECT m.household_id, p.id AS person_id, p.id_number_enc AS id_number, p.name, p.sex, p.birth_date::text AS birth_date,
         p.death_date::text AS death_date, m.relation, m.birth_order, m.adopted, m.adopted_on::text AS adopted_on,
         m.joined_on::text AS joined_on, p.college_admitted_on::text AS college_admitted_on, p.mother_id, p.father_id,
         m.left_on::text AS left_on
    FROM unnest($1::uuid[]) AS chunk(id)
    JOIN household_members m ON m.household_id = chunk.id
    CROSS JOIN LATERAL (SELECT * FROM persons p WHERE p.id = m.person_id OFFSET 0) p`;
const HUKOU = perMember(
  'person_hukou_history',
  'x.effective_on::text AS effective_on, x.hukou_type',
  'x.effective_on, x.seq',
);
const RESIDENCE = perMember(
  'person_residence_history',
  'x.effective_on::text AS effective_on, x.resident',
  'x.effective_on, x.seq',
);
const GRADES = perMember(
  'person_grade_history',
  'x.kind, x.effective_on::text AS effective_on, x.grade',
  'x.kind, x.effective_on, x.seq',
);

/** The as-of loader's member row, less the dated facts (read as histories), plus the join date. */
type MemberRow = Omit<SnapshotMemberRow, 'hukou_type' | 'disability_grade' | 'complication_grade' | 'resident'> & {
  joined_on: string;
};

/** Rows grouped by a key column, each group in the order the rows came. */
function groupBy<T, K extends keyof T>(rows: T[], key: K): Map<T[K], T[]> {
  const groups = new Map<T[K], T[]>();
  for (const row of rows) {
    const group = groups.get(row[key]);
    if (group) group.push(row);
    else groups.set(row[key], [row]);
  }
  return groups;
}

const RELATION_ORDER: Record<Relation, number> = { HEAD: 0, SPOUSE: 1, CHILD: 2, PARENT: 3, OTHER: 4 };

/** The snapshot's member order: relation, birth order (none last), birth date, id. */
function memberOrder(a: MemberRow, b: MemberRow): number {
  return (
    RELATION_ORDER[a.relation] - RELATION_ORDER[b.relation] ||
    (a.birth_order ?? Infinity) - (b.birth_order ?? Infinity) ||
    (a.birth_date < b.birth_date ? -1 : a.birth_date > b.birth_date ? 1 : 0) ||
    (a.person_id < b.person_id ? -1 : a.person_id > b.person_id ? 1 : 0)
  );
}

/** What a reader of histories can leave out. */
export interface HistoryOptions {
  /**
   * Whether to read the account history (default true). Eligibility never reads accounts: its
   * streams leave them out, and their snapshots then have no `bankAccount`.
   */
  accounts?: boolean;
}

/**
 * The dated records of the given households (unknown ids are left out), with nine plain
 * statements whatever their number (cheaper for the database than aggregating each history into
 * JSON: 105 against 163 ms for 2,000 households); the caller chunks. Read inside one transaction
 * for a consistent picture. (A stream over a whole city reads by ranges of ids instead:
 * snapshot-history-range.ts.)
 */
export async function loadHistories(
  db: Db,
  householdIds: string[],
  options: HistoryOptions = {},
): Promise<Map<string, HouseholdHistory>> {
  const histories = new Map<string, HouseholdHistory>();
  if (householdIds.length === 0) return histories;
  const params = [householdIds];
  type Of<T> = T & { household_id: string };
  const households = await queryRows<{ id: string; household_no: string; quota_waived_on: string | null }>(
    db,
    HOUSEHOLDS,
    params,
  );
  const regions = groupBy(
    await queryRows<Of<{ effective_on: string; region_code: string; address: string }>>(db, REGIONS, params),
    'household_id',
  );
  const certificates = groupBy(
    await queryRows<Of<{ certificate_no: string; issued_on: string; revoked_on: string | null }>>(
      db,
      CERTIFICATES,
      params,
    ),
    'household_id',
  );
  const accounts = groupBy(
    options.accounts === false
      ? []
      : await queryRows<Of<{ effective_on: string; bank_code: string; account_no: Sealed; holder_person_id: string }>>(
          db,
          ACCOUNTS,
          params,
        ),
    'household_id',
  );
  const violations = groupBy(
    await queryRows<Of<{ year: number; recorded_on: string }>>(db, VIOLATIONS, params),
    'household_id',
  );
  const members = groupBy(await queryRows<MemberRow>(db, MEMBERS, params), 'household_id');
  const hukou = groupBy(
    await queryRows<{ person_id: string; effective_on: string; hukou_type: HukouType }>(db, HUKOU, params),
    'person_id',
  );
  const residence = groupBy(
    await queryRows<{ person_id: string; effective_on: string; resident: boolean }>(db, RESIDENCE, params),
    'person_id',
  );
  const grades = groupBy(
    await queryRows<{
      person_id: string;
      kind: 'DISABILITY' | 'COMPLICATION';
      effective_on: string;
      grade: number | null;
    }>(db, GRADES, params),
    'person_id',
  );

  for (const row of households) {
    histories.set(row.id, {
      householdId: row.id,
      householdNo: row.household_no,
      quotaWaivedOn: row.quota_waived_on,
      regions: (regions.get(row.id) ?? []).map((r) => ({
        effectiveOn: r.effective_on,
        regionCode: r.region_code,
        address: r.address,
      })),
      certificates: (certificates.get(row.id) ?? []).map((c) => ({
        certificateNo: c.certificate_no,
        issuedOn: c.issued_on,
        revokedOn: c.revoked_on,
      })),
      accounts: (accounts.get(row.id) ?? []).map((a) =>
        definePii(
          { effectiveOn: a.effective_on, bankCode: a.bank_code, accountNo: '', holderPersonId: a.holder_person_id },
          'accountNo',
          a.account_no,
        ),
      ),
      members: (members.get(row.id) ?? []).sort(memberOrder).map((m) => {
        const member: MemberHistory = {
          personId: m.person_id,
          idNumber: '',
          name: m.name,
          sex: m.sex,
          birthDate: m.birth_date,
          deathDate: m.death_date,
          relation: m.relation,
          birthOrder: m.birth_order === null ? null : Number(m.birth_order),
          adopted: m.adopted,
          adoptedOn: m.adopted_on,
          joinedOn: m.joined_on,
          collegeAdmittedOn: m.college_admitted_on,
          motherId: m.mother_id,
          fatherId: m.father_id,
          leftOn: m.left_on,
          hukou: (hukou.get(m.person_id) ?? []).map((x) => ({ effectiveOn: x.effective_on, hukouType: x.hukou_type })),
          residence: (residence.get(m.person_id) ?? []).map((x) => ({
            effectiveOn: x.effective_on,
            resident: x.resident,
          })),
          disability: [],
          complication: [],
        };
        for (const g of grades.get(m.person_id) ?? []) {
          const entry = { effectiveOn: g.effective_on, grade: g.grade === null ? null : Number(g.grade) };
          (g.kind === 'DISABILITY' ? member.disability : member.complication).push(entry);
        }
        return definePii(member, 'idNumber', m.id_number);
      }),
      violations: (violations.get(row.id) ?? []).map((v) => ({ year: Number(v.year), recordedOn: v.recorded_on })),
    });
  }
  return histories;
}

/**
 * The account a payment on `date` goes to, with its holder, as `HouseholdSnapshots.accountsOn`
 * answers it: null when the household has no account on the date; undefined when the holder is
 * not one of the household's members (then only `accountsOn` can say who it is).
 */
export function payingAccountOn(history: HouseholdHistory, date: string): PayingAccount | null | undefined {
  const account = inForce(history.accounts, date);
  if (!account) return null;
  const holder = history.members.find((member) => member.personId === account.holderPersonId);
  if (!holder) return undefined;
  return {
    bankCode: account.bankCode,
    accountNo: account.accountNo,
    holder: {
      personId: holder.personId,
      name: holder.name,
      idNumber: holder.idNumber,
      birthDate: holder.birthDate,
      deathDate: onOrBefore(holder.deathDate, date),
      member: holder.joinedOn <= date,
    },
  };
}

/**
 * The days from `first` to `last` (inclusive) on which a dated record of the household changed:
 * region, certificate, members joining, hukou, grades, residence, violations recorded (the
 * eligibility engine adds births, deaths and birthdays from the snapshot itself).
 */
export function changeDays(history: HouseholdHistory, first: string, last: string): string[] {
  const days: string[] = [];
  const add = (date: string | null) => {
    if (date !== null && date >= first && date <= last && !days.includes(date)) days.push(date);
  };
  for (const region of history.regions) add(region.effectiveOn);
  for (const certificate of history.certificates) {
    add(certificate.issuedOn);
    add(certificate.revokedOn);
  }
  for (const violation of history.violations) add(violation.recordedOn);
  add(history.quotaWaivedOn);
  for (const member of history.members) {
    add(member.joinedOn);
    add(member.leftOn);
    add(member.deathDate);
    for (const row of member.hukou) add(row.effectiveOn);
    for (const row of member.residence) add(row.effectiveOn);
    for (const row of member.disability) add(row.effectiveOn);
    for (const row of member.complication) add(row.effectiveOn);
  }
  return days;
}

/**
 * A household through time, as the eligibility engine reads it: the snapshot on any date (each
 * date built once) and the days its dated records changed. Built from the whole history, read once.
 */
export interface HouseholdTimeline {
  householdId: string;
  at(date: string): HouseholdSnapshot | null;
  changesIn(first: string, last: string): string[];
}

export function timelineOf(history: HouseholdHistory): HouseholdTimeline {
  const built = new Map<string, HouseholdSnapshot | null>();
  const people: (PersonSnapshot | undefined)[] = [];
  return {
    householdId: history.householdId,
    at(date) {
      let snapshot = built.get(date);
      if (snapshot === undefined) {
        snapshot = snapshotOn(history, date, people);
        built.set(date, snapshot);
      }
      return snapshot;
    },
    changesIn: (first, last) => changeDays(history, first, last),
  };
}
