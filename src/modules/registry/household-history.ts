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

const HOUSEHOLDS = `
  SELECT h.id, h.household_no, ${day('h.quota_waived_on')} AS quota_waived_on
    FROM households h WHERE h.id = ANY($1::uuid[])`;

const REGIONS = `
  SELECT household_id, ${day('effective_on')} AS effective_on, region_code, address
    FROM household_region_history WHERE household_id = ANY($1::uuid[])
   ORDER BY household_id, effective_on, seq`;

const CERTIFICATES = `
  SELECT household_id, certificate_no, ${day('issued_on')} AS issued_on, ${day('revoked_on')} AS revoked_on
    FROM household_certificates WHERE household_id = ANY($1::uuid[])
   ORDER BY household_id, issued_on, id`;

const ACCOUNTS = `
  SELECT household_id, ${day('effective_on')} AS effective_on, bank_code, account_no, holder_person_id
    FROM household_bank_accounts WHERE household_id = ANY($1::uuid[])
   ORDER BY household_id, effective_on, seq`;

const MEMBERS = `
  SELECT m.household_id, p.id AS person_id, p.id_number, p.name, p.sex, ${day('p.birth_date')} AS birth_date,
         ${day('p.death_date')} AS death_date, m.relation, m.birth_order, m.adopted,
         ${day('m.adopted_on')} AS adopted_on, ${day('m.joined_on')} AS joined_on,
         ${day('p.college_admitted_on')} AS college_admitted_on
    FROM household_members m JOIN persons p ON p.id = m.person_id
   WHERE m.household_id = ANY($1::uuid[])
   ORDER BY m.household_id,
            array_position(ARRAY['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'], m.relation),
            m.birth_order NULLS LAST, p.birth_date, p.id`;

const HUKOU = `
  SELECT x.person_id, ${day('x.effective_on')} AS effective_on, x.hukou_type
    FROM household_members m JOIN person_hukou_history x ON x.person_id = m.person_id
   WHERE m.household_id = ANY($1::uuid[])
   ORDER BY x.person_id, x.effective_on, x.seq`;

const GRADES = `
  SELECT g.person_id, g.kind, ${day('g.effective_on')} AS effective_on, g.grade
    FROM household_members m JOIN person_grade_history g ON g.person_id = m.person_id
   WHERE m.household_id = ANY($1::uuid[])
   ORDER BY g.person_id, g.kind, g.effective_on, g.seq`;

const VIOLATIONS = `
  SELECT household_id, year, ${day('recorded_on')} AS recorded_on
    FROM household_violations WHERE household_id = ANY($1::uuid[])
   ORDER BY household_id, year`;

interface Row {
  [column: string]: string | number | boolean | null;
}

function groupBy(rows: Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const id = row[key] as string;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = []));
    group.push(row);
  }
  return groups;
}

const text = (value: Row[string]) => value as string;
const maybeText = (value: Row[string]) => (value === null ? null : (value as string));
const maybeNumber = (value: Row[string]) => (value === null ? null : Number(value));

/**
 * The dated records of the given households (unknown ids are left out), with eight set-based
 * queries whatever their number; the caller chunks. Read inside one transaction for a consistent
 * picture.
 */
export async function loadHistories(db: Db, householdIds: string[]): Promise<Map<string, HouseholdHistory>> {
  const histories = new Map<string, HouseholdHistory>();
  if (householdIds.length === 0) return histories;
  const params = [householdIds];
  const households = await queryRows<Row>(db, HOUSEHOLDS, params);
  const regions = groupBy(await queryRows<Row>(db, REGIONS, params), 'household_id');
  const certificates = groupBy(await queryRows<Row>(db, CERTIFICATES, params), 'household_id');
  const accounts = groupBy(await queryRows<Row>(db, ACCOUNTS, params), 'household_id');
  const members = groupBy(await queryRows<Row>(db, MEMBERS, params), 'household_id');
  const hukou = groupBy(await queryRows<Row>(db, HUKOU, params), 'person_id');
  const grades = groupBy(await queryRows<Row>(db, GRADES, params), 'person_id');
  const violations = groupBy(await queryRows<Row>(db, VIOLATIONS, params), 'household_id');

  for (const row of households) {
    const id = text(row.id);
    histories.set(id, {
      householdId: id,
      householdNo: text(row.household_no),
      quotaWaivedOn: maybeText(row.quota_waived_on),
      regions: (regions.get(id) ?? []).map((r) => ({
        effectiveOn: text(r.effective_on),
        regionCode: text(r.region_code),
        address: text(r.address),
      })),
      certificates: (certificates.get(id) ?? []).map((c) => ({
        certificateNo: text(c.certificate_no),
        issuedOn: text(c.issued_on),
        revokedOn: maybeText(c.revoked_on),
      })),
      accounts: (accounts.get(id) ?? []).map((a) => ({
        effectiveOn: text(a.effective_on),
        bankCode: text(a.bank_code),
        accountNo: text(a.account_no),
        holderPersonId: text(a.holder_person_id),
      })),
      members: (members.get(id) ?? []).map((m) => {
        const personId = text(m.person_id);
        const personGrades = grades.get(personId) ?? [];
        const gradesOf = (kind: string) =>
          personGrades
            .filter((g) => g.kind === kind)
            .map((g) => ({ effectiveOn: text(g.effective_on), grade: maybeNumber(g.grade) }));
        return {
          personId,
          idNumber: text(m.id_number),
          name: text(m.name),
          sex: m.sex as Sex,
          birthDate: text(m.birth_date),
          deathDate: maybeText(m.death_date),
          relation: m.relation as Relation,
          birthOrder: maybeNumber(m.birth_order),
          adopted: m.adopted === true,
          adoptedOn: maybeText(m.adopted_on),
          joinedOn: text(m.joined_on),
          collegeAdmittedOn: maybeText(m.college_admitted_on),
          hukou: (hukou.get(personId) ?? []).map((x) => ({
            effectiveOn: text(x.effective_on),
            hukouType: x.hukou_type as HukouType,
          })),
          disability: gradesOf('DISABILITY'),
          complication: gradesOf('COMPLICATION'),
        };
      }),
      violations: (violations.get(id) ?? []).map((v) => ({ year: Number(v.year), recordedOn: text(v.recorded_on) })),
    });
  }
  return histories;
}
