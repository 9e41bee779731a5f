import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type {
  BankAccountSnapshot,
  HouseholdSnapshot,
  HukouType,
  PersonSnapshot,
  Relation,
  Sex,
} from './household-snapshot.js';
import type { PayingAccount } from './household-snapshots.service.js';

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

export interface MemberHistory {
  personId: string;
  idNumber: string;
  name: string;
  sex: Sex;
  birthDate: string;
  deathDate: string | null;
  relation: Relation;
  birthOrder: number | null;
  adopted: boolean;
  adoptedOn: string | null;
  joinedOn: string;
  collegeAdmittedOn: string | null;
  hukou: Dated<{ hukouType: HukouType }>[];
  disability: Dated<{ grade: number | null }>[];
  complication: Dated<{ grade: number | null }>[];
}

/** The last entry in force on `date` (entries are in recording order), or undefined. */
function inForce<T extends { effectiveOn: string }>(entries: readonly T[], date: string): T | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].effectiveOn <= date) return entries[i];
  return undefined;
}

const onOrBefore = (value: string | null, date: string) => (value !== null && value <= date ? value : null);

/**
 * The household as of `date`, or null where the as-of SQL finds no household (it had no region
 * yet). Members who had not joined or been born, or had no hukou yet, are left out as there.
 */
export function snapshotOn(history: HouseholdHistory, date: string): HouseholdSnapshot | null {
  const region = inForce(history.regions, date);
  if (!region) return null;
  let certificate: HouseholdHistory['certificates'][number] | undefined;
  for (const candidate of history.certificates) if (candidate.issuedOn <= date) certificate = candidate;
  const account = inForce(history.accounts, date);
  const members: PersonSnapshot[] = [];
  for (const member of history.members) {
    if (member.joinedOn > date || member.birthDate > date) continue;
    const hukou = inForce(member.hukou, date);
    if (!hukou) continue;
    members.push({
      personId: member.personId,
      idNumber: member.idNumber,
      name: member.name,
      sex: member.sex,
      birthDate: member.birthDate,
      deathDate: onOrBefore(member.deathDate, date),
      hukouType: hukou.hukouType,
      relation: member.relation,
      birthOrder: member.birthOrder,
      adopted: member.adopted,
      adoptedOn: member.adoptedOn,
      disabilityGrade: inForce(member.disability, date)?.grade ?? null,
      complicationGrade: inForce(member.complication, date)?.grade ?? null,
      collegeAdmittedOn: onOrBefore(member.collegeAdmittedOn, date),
    });
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

/** A date column as `YYYY-MM-DD`, or `-infinity` (which sorts before every date, as in SQL). */
const day = (column: string) =>
  `CASE WHEN isfinite(${column}) THEN to_char(${column}, 'YYYY-MM-DD') ELSE ${column}::text END`;

/*
 * Two statements a chunk, each driven from the chunk's ids through per-row index lookups (a
 * LATERAL aggregate cannot be turned into a hash join over a whole history table), each history
 * as a JSON array in recording order. JSON renders dates as YYYY-MM-DD and -infinity as such.
 */
const HOUSEHOLDS = `
  SELECT h.id, h.household_no, ${day('h.quota_waived_on')} AS quota_waived_on, r.regions, c.certificates,
         b.accounts, v.violations
    FROM unnest($1::uuid[]) AS chunk(id)
    JOIN households h ON h.id = chunk.id
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.effective_on, x.region_code, x.address) ORDER BY x.effective_on, x.seq)
             AS regions
        FROM household_region_history x WHERE x.household_id = h.id) r
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.certificate_no, x.issued_on, x.revoked_on) ORDER BY x.issued_on, x.id)
             AS certificates
        FROM household_certificates x WHERE x.household_id = h.id) c
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.effective_on, x.bank_code, x.account_no, x.holder_person_id)
                      ORDER BY x.effective_on, x.seq) AS accounts
        FROM household_bank_accounts x WHERE x.household_id = h.id) b
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.year, x.recorded_on) ORDER BY x.year) AS violations
        FROM household_violations x WHERE x.household_id = h.id) v`;

const MEMBERS = `
  SELECT m.household_id, p.id AS person_id, p.id_number, p.name, p.sex, ${day('p.birth_date')} AS birth_date,
         ${day('p.death_date')} AS death_date, m.relation, m.birth_order, m.adopted,
         ${day('m.adopted_on')} AS adopted_on, ${day('m.joined_on')} AS joined_on,
         ${day('p.college_admitted_on')} AS college_admitted_on, hk.hukou, g.grades
    FROM unnest($1::uuid[]) AS chunk(id)
    JOIN household_members m ON m.household_id = chunk.id
    CROSS JOIN LATERAL (SELECT * FROM persons p WHERE p.id = m.person_id OFFSET 0) p
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.effective_on, x.hukou_type) ORDER BY x.effective_on, x.seq) AS hukou
        FROM person_hukou_history x WHERE x.person_id = m.person_id) hk
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_array(x.kind, x.effective_on, x.grade) ORDER BY x.kind, x.effective_on, x.seq)
             AS grades
        FROM person_grade_history x WHERE x.person_id = m.person_id) g
   ORDER BY m.household_id,
            array_position(ARRAY['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'], m.relation),
            m.birth_order NULLS LAST, p.birth_date, p.id`;

interface HouseholdRow {
  id: string;
  household_no: string;
  quota_waived_on: string | null;
  regions: [string, string, string][] | null;
  certificates: [string, string, string | null][] | null;
  accounts: [string, string, string, string][] | null;
  violations: [number, string][] | null;
}

interface MemberRow {
  household_id: string;
  person_id: string;
  id_number: string;
  name: string;
  sex: Sex;
  birth_date: string;
  death_date: string | null;
  relation: Relation;
  birth_order: number | null;
  adopted: boolean;
  adopted_on: string | null;
  joined_on: string;
  college_admitted_on: string | null;
  hukou: [string, HukouType][] | null;
  grades: ['DISABILITY' | 'COMPLICATION', string, number | null][] | null;
}

function toMember(row: MemberRow): MemberHistory {
  const member: MemberHistory = {
    personId: row.person_id,
    idNumber: row.id_number,
    name: row.name,
    sex: row.sex,
    birthDate: row.birth_date,
    deathDate: row.death_date,
    relation: row.relation,
    birthOrder: row.birth_order === null ? null : Number(row.birth_order),
    adopted: row.adopted,
    adoptedOn: row.adopted_on,
    joinedOn: row.joined_on,
    collegeAdmittedOn: row.college_admitted_on,
    hukou: (row.hukou ?? []).map(([effectiveOn, hukouType]) => ({ effectiveOn, hukouType })),
    disability: [],
    complication: [],
  };
  for (const [kind, effectiveOn, grade] of row.grades ?? []) {
    (kind === 'DISABILITY' ? member.disability : member.complication).push({ effectiveOn, grade });
  }
  return member;
}

/**
 * The dated records of the given households (unknown ids are left out), with two statements
 * whatever their number; the caller chunks. Read inside one transaction for a consistent
 * picture.
 */
export async function loadHistories(db: Db, householdIds: string[]): Promise<Map<string, HouseholdHistory>> {
  const histories = new Map<string, HouseholdHistory>();
  if (householdIds.length === 0) return histories;
  const households = await queryRows<HouseholdRow>(db, HOUSEHOLDS, [householdIds]);
  const members = await queryRows<MemberRow>(db, MEMBERS, [householdIds]);
  for (const row of households) {
    histories.set(row.id, {
      householdId: row.id,
      householdNo: row.household_no,
      quotaWaivedOn: row.quota_waived_on,
      regions: (row.regions ?? []).map(([effectiveOn, regionCode, address]) => ({ effectiveOn, regionCode, address })),
      certificates: (row.certificates ?? []).map(([certificateNo, issuedOn, revokedOn]) => ({
        certificateNo,
        issuedOn,
        revokedOn,
      })),
      accounts: (row.accounts ?? []).map(([effectiveOn, bankCode, accountNo, holderPersonId]) => ({
        effectiveOn,
        bankCode,
        accountNo,
        holderPersonId,
      })),
      members: [],
      violations: (row.violations ?? []).map(([year, recordedOn]) => ({ year, recordedOn })),
    });
  }
  for (const row of members) histories.get(row.household_id)?.members.push(toMember(row));
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
