import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryPrepared, queryRows } from '../../database/sql.js';
import type { HouseholdSnapshot } from './household-snapshot.js';
import { buildSnapshots, type HouseholdRow, type MemberRow, type ViolationRow } from './snapshot-rows.js';

type Db = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/**
 * The SQL of "the household as of $1": every time-varying fact is the latest dated row on or before
 * the date (ties broken by the order of recording). Facts registered without a date hold from
 * -infinity. The same three statements serve one household and a chunk of a million.
 */
const HOUSEHOLDS_AS_OF = `
  SELECT h.id, h.household_no, r.region_code, r.address,
         to_char(CASE WHEN h.quota_waived_on <= $1::date THEN h.quota_waived_on END, 'YYYY-MM-DD') AS quota_waived_on,
         c.certificate_no,
         to_char(c.issued_on, 'YYYY-MM-DD') AS certificate_issued_on,
         to_char(CASE WHEN c.revoked_on <= $1::date THEN c.revoked_on END, 'YYYY-MM-DD') AS certificate_revoked_on,
         b.bank_code, b.account_no_enc AS account_no, b.holder_person_id
    FROM households h
    CROSS JOIN LATERAL (
      SELECT rh.region_code, rh.address FROM household_region_history rh
       WHERE rh.household_id = h.id AND rh.effective_on <= $1::date
       ORDER BY rh.effective_on DESC, rh.seq DESC LIMIT 1) r
    LEFT JOIN LATERAL (
      SELECT hc.certificate_no, hc.issued_on, hc.revoked_on FROM household_certificates hc
       WHERE hc.household_id = h.id AND hc.issued_on <= $1::date
       ORDER BY hc.issued_on DESC, hc.id DESC LIMIT 1) c ON true
    LEFT JOIN LATERAL (
      SELECT ba.bank_code, ba.account_no_enc, ba.holder_person_id FROM household_bank_accounts ba
       WHERE ba.household_id = h.id AND ba.effective_on <= $1::date
       ORDER BY ba.effective_on DESC, ba.seq DESC LIMIT 1) b ON true`;

/**
 * The snapshot's member order, by household: relation (head, spouse, children, parents, others),
 * birth order (none last), birth date, person id. (household-history.ts keeps it in Node.)
 */
export const memberOrderBy = (
  household: string,
  relation: string,
  birthOrder: string,
  birthDate: string,
  person: string,
) =>
  `${household}, array_position(ARRAY['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'], ${relation}), ` +
  `${birthOrder} NULLS LAST, ${birthDate}, ${person}`;

// Members of the chunk's households (`= ANY`: one index descent per household, in household order,
// never a merge join that reads the index from its start), each person looked up by primary key
// (the LIMIT keeps that a per-member probe: joined plainly, the planner may hash the whole persons
// table for every chunk, a cost that grows with the city instead of the chunk). Grades: one lookup
// for both kinds, the latest row of each kind picked by max over [epoch of effective_on, seq,
// grade] (numeric, so that -infinity sorts first; seq is unique, so the grade never decides the
// order; a lifted grade is a null grade), instead of one lookup per kind.
const MEMBERS_AS_OF = `
  SELECT m.household_id, p.id AS person_id, p.id_number_enc AS id_number, p.name, p.sex,
         to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
         to_char(CASE WHEN p.death_date <= $1::date THEN p.death_date END, 'YYYY-MM-DD') AS death_date,
         hk.hukou_type, m.relation, m.birth_order, m.adopted,
         to_char(m.adopted_on, 'YYYY-MM-DD') AS adopted_on,
         g.disability[3]::smallint AS disability_grade, g.complication[3]::smallint AS complication_grade,
         to_char(CASE WHEN p.college_admitted_on <= $1::date THEN p.college_admitted_on END, 'YYYY-MM-DD')
           AS college_admitted_on,
         p.mother_id, p.father_id, to_char(CASE WHEN m.left_on <= $1::date THEN m.left_on END, 'YYYY-MM-DD') AS left_on,
         coalesce(rs.resident, true) AS resident
    FROM household_members m
    CROSS JOIN LATERAL (
      SELECT q.id, q.id_number_enc, q.name, q.sex, q.birth_date, q.death_date, q.college_admitted_on, q.mother_id,
             q.father_id FROM persons q
       WHERE q.id = m.person_id AND q.birth_date <= $1::date LIMIT 1) p
    LEFT JOIN LATERAL (
      SELECT x.resident FROM person_residence_history x
       WHERE x.person_id = p.id AND x.effective_on <= $1::date
       ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1) rs ON true
    CROSS JOIN LATERAL (
      SELECT x.hukou_type FROM person_hukou_history x
       WHERE x.person_id = p.id AND x.effective_on <= $1::date
       ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1) hk
    CROSS JOIN LATERAL (
      SELECT max(ARRAY[extract(epoch FROM g.effective_on), g.seq, g.grade]) FILTER (WHERE g.kind = 'DISABILITY')
               AS disability,
             max(ARRAY[extract(epoch FROM g.effective_on), g.seq, g.grade]) FILTER (WHERE g.kind = 'COMPLICATION')
               AS complication
        FROM person_grade_history g
       WHERE g.person_id = p.id AND g.effective_on <= $1::date) g
   WHERE m.household_id = ANY($2::uuid[]) AND m.joined_on <= $1::date
   ORDER BY ${memberOrderBy('m.household_id', 'm.relation', 'm.birth_order', 'p.birth_date', 'p.id')}`;

const VIOLATIONS_AS_OF = `
  SELECT household_id, year FROM household_violations
   WHERE household_id = ANY($2::uuid[]) AND recorded_on <= $1::date
   ORDER BY household_id, year`;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Which households to load: given ids, or the next keyset chunk of a region (as of the date). */
export type SnapshotSelection =
  { householdIds: string[] } | { after: string | null; regionLike: string; limit: number };

/**
 * The three statements as one, for households named by id (a single eligibility question, the
 * household page): one round trip instead of three, the rows coming back as JSON arrays in the
 * statements' own order.
 */
const SNAPSHOTS_OF = `
  SELECT (SELECT coalesce(json_agg(h ORDER BY h.id), '[]')
            FROM (${HOUSEHOLDS_AS_OF} WHERE h.id = ANY($2::uuid[])) h) AS households,
         (SELECT coalesce(json_agg(m ORDER BY ${memberOrderBy('m.household_id', 'm.relation', 'm.birth_order', 'm.birth_date', 'm.person_id')}), '[]')
            FROM (${MEMBERS_AS_OF}) m) AS members,
         (SELECT coalesce(json_agg(v ORDER BY v.household_id, v.year), '[]') FROM (${VIOLATIONS_AS_OF}) v) AS violations`;

/**
 * Loads the snapshots of a selection whatever its size: households named by id in one statement,
 * a keyset chunk of a region with three.
 */
export async function loadSnapshots(db: Db, asOf: string, selection: SnapshotSelection): Promise<HouseholdSnapshot[]> {
  let households: HouseholdRow[];
  if ('householdIds' in selection) {
    if (selection.householdIds.length === 0) return [];
    const [rows] = await queryPrepared<{
      households: HouseholdRow[];
      members: MemberRow[];
      violations: ViolationRow[];
    }>(db, SNAPSHOTS_OF, [asOf, selection.householdIds]);
    return buildSnapshots(asOf, rows.households, rows.members, rows.violations);
  } else {
    households = await queryRows<HouseholdRow>(
      db,
      `${HOUSEHOLDS_AS_OF}
        WHERE h.id > $2::uuid AND r.region_code LIKE $3
        ORDER BY h.id LIMIT $4`,
      [asOf, selection.after ?? NIL_UUID, selection.regionLike, selection.limit],
    );
  }
  if (households.length === 0) return [];
  const ids = households.map((row) => row.id);
  const members = await queryRows<MemberRow>(db, MEMBERS_AS_OF, [asOf, ids]);
  const violations = await queryRows<ViolationRow>(db, VIOLATIONS_AS_OF, [asOf, ids]);
  return buildSnapshots(asOf, households, members, violations);
}

/** The ids of a keyset chunk of the households whose region on the date lies under a prefix. */
export async function loadHouseholdIds(
  db: Db,
  asOf: string,
  selection: { after: string | null; regionLike: string; limit: number },
): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    `SELECT h.id FROM households h
      CROSS JOIN LATERAL (
        SELECT rh.region_code FROM household_region_history rh
         WHERE rh.household_id = h.id AND rh.effective_on <= $1::date
         ORDER BY rh.effective_on DESC, rh.seq DESC LIMIT 1) r
      WHERE h.id > $2::uuid AND r.region_code LIKE $3
      ORDER BY h.id LIMIT $4`,
    [asOf, selection.after ?? NIL_UUID, selection.regionLike, selection.limit],
  );
  return rows.map((row) => row.id);
}

/**
 * The next range of household ids in id order, whatever their region: `limit` ids after `after`
 * (from the start when null), as (after, through] and how many it holds; null when none is left.
 * One index-only walk of the primary key (a stream over the whole city reads histories by range).
 */
export async function loadIdRange(
  db: Db,
  after: string | null,
  limit: number,
): Promise<{ after: string; through: string; count: number } | null> {
  const [row] = await queryRows<{ through: string | null; count: string }>(
    db,
    `SELECT (array_agg(id ORDER BY id DESC))[1] AS through, count(*) AS count
       FROM (SELECT id FROM households WHERE id > $1::uuid ORDER BY id LIMIT $2) chunk`,
    [after ?? NIL_UUID, limit],
  );
  if (!row || row.through === null) return null;
  return { after: after ?? NIL_UUID, through: row.through, count: Number(row.count) };
}
