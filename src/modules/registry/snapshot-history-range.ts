import { definePii } from '../../common/pii/keyring.js';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type { HouseholdHistory, MemberHistory } from './household-history.js';
import type { HukouType, Relation, Sex } from './household-snapshot.js';
import { memberOrderBy } from './snapshot.queries.js';

type Db = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/**
 * The histories of every household whose id lies in a range, for a stream over a whole city (the
 * eligibility stage reads a million households in turn): one statement per chunk, each history
 * table read by an index range scan in household order (sequential reads, no probe per
 * household) and grouped in the database into one row per household, each dated list a JSON
 * array in recording order. Parsing one JSON value per household is a fraction of the work of
 * parsing and grouping a million plain rows in Node, which was most of the stream's time. Only the
 * person histories (hukou, residence, grades) are still read per member: persons are keyed by
 * their own ids, which need not follow their household's. The account history is left out
 * (eligibility never reads it). `loadHistories` answers the same histories by id, accounts
 * included; a test compares the two.
 */
const HISTORY_RANGE = `
  SELECT h.id, h.household_no, h.quota_waived_on::text AS quota_waived_on,
         r.regions, c.certificates, v.violations, mm.members
    FROM households h
    LEFT JOIN (
      SELECT x.household_id,
             json_agg(json_build_array(x.effective_on::text, x.region_code, x.address) ORDER BY x.effective_on, x.seq)
               AS regions
        FROM household_region_history x WHERE x.household_id > $1::uuid AND x.household_id <= $2::uuid
       GROUP BY x.household_id) r ON r.household_id = h.id
    LEFT JOIN (
      SELECT x.household_id,
             json_agg(json_build_array(x.certificate_no, x.issued_on::text, x.revoked_on::text) ORDER BY x.issued_on, x.id)
               AS certificates
        FROM household_certificates x WHERE x.household_id > $1::uuid AND x.household_id <= $2::uuid
       GROUP BY x.household_id) c ON c.household_id = h.id
    LEFT JOIN (
      SELECT x.household_id, json_agg(json_build_array(x.year, x.recorded_on::text) ORDER BY x.year) AS violations
        FROM household_violations x WHERE x.household_id > $1::uuid AND x.household_id <= $2::uuid
       GROUP BY x.household_id) v ON v.household_id = h.id
    LEFT JOIN (
      SELECT m.household_id,
             json_agg(json_build_array(
               p.id, p.id_number_enc, p.name, p.sex, p.birth_date::text, p.death_date::text, m.relation, m.birth_order,
               m.adopted, m.adopted_on::text, m.joined_on::text, p.college_admitted_on::text, p.mother_id, p.father_id,
               m.left_on::text, hk.rows, rs.rows, gr.rows)
               ORDER BY ${memberOrderBy('m.household_id', 'm.relation', 'm.birth_order', 'p.birth_date', 'p.id')}) AS members
        FROM household_members m
        CROSS JOIN LATERAL (SELECT * FROM persons p WHERE p.id = m.person_id OFFSET 0) p
        CROSS JOIN LATERAL (
          SELECT json_agg(json_build_array(x.effective_on::text, x.hukou_type) ORDER BY x.effective_on, x.seq) AS rows
            FROM person_hukou_history x WHERE x.person_id = m.person_id) hk
        CROSS JOIN LATERAL (
          SELECT json_agg(json_build_array(x.effective_on::text, x.resident) ORDER BY x.effective_on, x.seq) AS rows
            FROM person_residence_history x WHERE x.person_id = m.person_id) rs
        CROSS JOIN LATERAL (
          SELECT json_agg(json_build_array(x.kind, x.effective_on::text, x.grade) ORDER BY x.kind, x.effective_on, x.seq)
                   AS rows
            FROM person_grade_history x WHERE x.person_id = m.person_id) gr
       WHERE m.household_id > $1::uuid AND m.household_id <= $2::uuid
       GROUP BY m.household_id) mm ON mm.household_id = h.id
   WHERE h.id > $1::uuid AND h.id <= $2::uuid
   ORDER BY h.id`;

type Json<T> = T | null;
type MemberTuple = [
  personId: string,
  idNumber: string,
  name: string,
  sex: Sex,
  birthDate: string,
  deathDate: string | null,
  relation: Relation,
  birthOrder: number | null,
  adopted: boolean,
  adoptedOn: string | null,
  joinedOn: string,
  collegeAdmittedOn: string | null,
  motherId: string | null,
  fatherId: string | null,
  leftOn: string | null,
  hukou: Json<[string, HukouType][]>,
  residence: Json<[string, boolean][]>,
  grades: Json<['DISABILITY' | 'COMPLICATION', string, number | null][]>,
];

interface HistoryRow {
  id: string;
  household_no: string;
  quota_waived_on: string | null;
  regions: Json<[string, string, string][]>;
  certificates: Json<[string, string, string | null][]>;
  violations: Json<[number, string][]>;
  members: Json<MemberTuple[]>;
}

function memberOf(t: MemberTuple): MemberHistory {
  const member: MemberHistory = {
    personId: t[0],
    idNumber: '',
    name: t[2],
    sex: t[3],
    birthDate: t[4],
    deathDate: t[5],
    relation: t[6],
    birthOrder: t[7],
    adopted: t[8],
    adoptedOn: t[9],
    joinedOn: t[10],
    collegeAdmittedOn: t[11],
    motherId: t[12],
    fatherId: t[13],
    leftOn: t[14],
    hukou: (t[15] ?? []).map(([effectiveOn, hukouType]) => ({ effectiveOn, hukouType })),
    residence: (t[16] ?? []).map(([effectiveOn, resident]) => ({ effectiveOn, resident })),
    disability: [],
    complication: [],
  };
  for (const [kind, effectiveOn, grade] of t[17] ?? []) {
    (kind === 'DISABILITY' ? member.disability : member.complication).push({ effectiveOn, grade });
  }
  return definePii(member, 'idNumber', t[1]);
}

/**
 * The histories (without accounts) of the households whose id lies in (`after`, `through`], in id
 * order: what `loadHistories(db, ids, { accounts: false })` answers for those ids.
 */
export async function loadHistoryRange(db: Db, after: string, through: string): Promise<HouseholdHistory[]> {
  const rows = await queryRows<HistoryRow>(db, HISTORY_RANGE, [after, through]);
  return rows.map((row) => ({
    householdId: row.id,
    householdNo: row.household_no,
    quotaWaivedOn: row.quota_waived_on,
    regions: (row.regions ?? []).map(([effectiveOn, regionCode, address]) => ({ effectiveOn, regionCode, address })),
    certificates: (row.certificates ?? []).map(([certificateNo, issuedOn, revokedOn]) => ({
      certificateNo,
      issuedOn,
      revokedOn,
    })),
    accounts: [],
    members: (row.members ?? []).map(memberOf),
    violations: (row.violations ?? []).map(([year, recordedOn]) => ({ year, recordedOn })),
  }));
}
