import { definePii, type Sealed } from '../../common/pii/keyring.js';
import type { HouseholdSnapshot, HukouType, PersonSnapshot, Relation, Sex } from './household-snapshot.js';

/**
 * The rows the snapshot queries return (dates already `YYYY-MM-DD` text, facts already as of the
 * date), and the one function that turns them into snapshots. Both the single-household and the
 * bulk loader go through `buildSnapshots`, so they cannot disagree.
 */
export interface HouseholdRow {
  id: string;
  household_no: string;
  region_code: string;
  address: string;
  quota_waived_on: string | null;
  certificate_no: string | null;
  certificate_issued_on: string | null;
  certificate_revoked_on: string | null;
  bank_code: string | null;
  /** Encrypted (src/common/pii). */
  account_no: Sealed | null;
  holder_person_id: string | null;
}

export interface MemberRow {
  household_id: string;
  person_id: string;
  /** Encrypted (src/common/pii). */
  id_number: Sealed;
  name: string;
  sex: Sex;
  birth_date: string;
  death_date: string | null;
  hukou_type: HukouType;
  relation: Relation;
  birth_order: number | null;
  adopted: boolean;
  adopted_on: string | null;
  disability_grade: number | null;
  complication_grade: number | null;
  college_admitted_on: string | null;
  mother_id: string | null;
  father_id: string | null;
  left_on: string | null;
  resident: boolean;
}

export interface ViolationRow {
  household_id: string;
  year: number;
}

export function toPersonSnapshot(row: MemberRow): PersonSnapshot {
  const snapshot = {
    personId: row.person_id,
    idNumber: '',
    name: row.name,
    sex: row.sex,
    birthDate: row.birth_date,
    deathDate: row.death_date,
    hukouType: row.hukou_type,
    relation: row.relation,
    birthOrder: row.birth_order === null ? null : Number(row.birth_order),
    adopted: row.adopted,
    adoptedOn: row.adopted_on,
    disabilityGrade: row.disability_grade === null ? null : Number(row.disability_grade),
    complicationGrade: row.complication_grade === null ? null : Number(row.complication_grade),
    collegeAdmittedOn: row.college_admitted_on,
    motherId: row.mother_id,
    fatherId: row.father_id,
    leftOn: row.left_on,
    resident: row.resident,
  };
  return definePii(snapshot, 'idNumber', row.id_number);
}

/** Snapshots in the order of `households`; members and violations are matched by household id. */
export function buildSnapshots(
  asOf: string,
  households: HouseholdRow[],
  members: MemberRow[],
  violations: ViolationRow[],
): HouseholdSnapshot[] {
  const membersOf = new Map<string, PersonSnapshot[]>();
  for (const row of members) {
    const list = membersOf.get(row.household_id) ?? [];
    list.push(toPersonSnapshot(row));
    membersOf.set(row.household_id, list);
  }
  const violationsOf = new Map<string, number[]>();
  for (const row of violations) {
    const list = violationsOf.get(row.household_id) ?? [];
    list.push(Number(row.year));
    violationsOf.set(row.household_id, list);
  }
  return households.map((row) => ({
    householdId: row.id,
    householdNo: row.household_no,
    regionCode: row.region_code,
    address: row.address,
    asOf,
    members: membersOf.get(row.id) ?? [],
    certificate:
      row.certificate_no === null
        ? null
        : {
            certificateNo: row.certificate_no,
            issuedOn: row.certificate_issued_on!,
            revokedOn: row.certificate_revoked_on,
          },
    violationYears: violationsOf.get(row.id) ?? [],
    quotaWaivedOn: row.quota_waived_on,
    bankAccount:
      row.account_no === null
        ? null
        : definePii(
            { bankCode: row.bank_code!, accountNo: '', holderPersonId: row.holder_person_id! },
            'accountNo',
            row.account_no,
          ),
  }));
}
