import { createHash } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import { addDays } from '../../common/calendar.js';
import type { PolicyWithVersions } from './policy-model.js';

/**
 * Brings `policies` and `policy_versions` to a catalogue (the data files, or, going down, an older
 * one), under the rule that what was paid is never rewritten (SPEC.md "The 15 policies"):
 * - a version no payment used (`used_at` null) is corrected in place: it keeps its id and takes the
 *   catalogue's dates, rule, amount and shares (it is deleted and written again, so that dates may
 *   move without two versions overlapping on the way); a version the catalogue no longer has is
 *   removed;
 * - a used version that the catalogue changes keeps everything it decided: it is closed on the last
 *   day it paid (`paid_through`) and a corrected successor (a new id, derived from the old one)
 *   starts the next day; one the catalogue leaves as it was is kept (its end date may follow);
 * - a policy's name and category follow the catalogue; its unit, beneficiaries and frequency must
 *   not change (a new policy would be needed), which stops the migration.
 * Answers what it did, one line per change, for the migration's log.
 */
export async function applyCatalogue(q: QueryRunner, catalogue: readonly PolicyWithVersions[]): Promise<string[]> {
  const done: string[] = [];
  for (const policy of catalogue) {
    const [existing] = (await q.query(
      `SELECT unit, beneficiaries, frequency, benefit_kind FROM policies WHERE code = $1`,
      [policy.code],
    )) as { unit: string; beneficiaries: string; frequency: string; benefit_kind: string }[];
    if (!existing) {
      await q.query(
        `INSERT INTO policies (code, name, category, benefit_kind, unit, beneficiaries, frequency, entitlement_prefix)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          policy.code,
          policy.name,
          policy.category,
          policy.benefitKind,
          policy.unit,
          policy.beneficiaries,
          policy.frequency,
          policy.entitlementPrefix,
        ],
      );
      done.push(`${policy.code}: added`);
    } else {
      if (
        existing.unit !== policy.unit ||
        existing.beneficiaries !== policy.beneficiaries ||
        existing.frequency !== policy.frequency ||
        existing.benefit_kind !== policy.benefitKind
      ) {
        throw new Error(`${policy.code}: unit, beneficiaries, frequency and kind cannot change; add a new policy`);
      }
      await q.query(`UPDATE policies SET name = $2, category = $3 WHERE code = $1`, [
        policy.code,
        policy.name,
        policy.category,
      ]);
    }
    type Row = {
      id: string;
      version_no: number;
      effective_from: string;
      effective_to: string | null;
      rule: unknown;
      amount: unknown;
      funding_shares: unknown;
      paid_through: string | null;
    };
    const used = (await q.query(
      `SELECT id, version_no, effective_from::text, effective_to::text, rule, amount, funding_shares,
              coalesce(paid_through, effective_from)::text AS paid_through
         FROM policy_versions WHERE policy_code = $1 AND used_at IS NOT NULL ORDER BY effective_from`,
      [policy.code],
    )) as Row[];
    const removed = await queryRows<{ id: string }>(
      q,
      `DELETE FROM policy_versions WHERE policy_code = $1 AND used_at IS NULL RETURNING id`,
      [policy.code],
    );
    const removedIds = new Set(removed.map((row) => row.id));
    const taken = new Set(used.map((row) => row.version_no));
    let nextNo = Math.max(0, ...used.map((row) => row.version_no), ...policy.versions.map((v) => v.versionNo)) + 1;
    const insert = async (
      id: string,
      versionNo: number,
      from: string,
      to: string | null,
      v: (typeof policy.versions)[number],
    ) => {
      await q.query(
        `INSERT INTO policy_versions (id, policy_code, version_no, effective_from, effective_to, rule, amount, funding_shares)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          policy.code,
          versionNo,
          from,
          to,
          JSON.stringify(v.rule),
          JSON.stringify(v.amount),
          JSON.stringify(v.fundingShares),
        ],
      );
      taken.add(versionNo);
    };
    for (const version of policy.versions) {
      const old = used.find((row) => row.id === version.id);
      if (!old) {
        const versionNo = taken.has(version.versionNo) ? nextNo++ : version.versionNo;
        await insert(version.id, versionNo, version.effectiveFrom, version.effectiveTo, version);
        done.push(`${policy.code} ${version.id}: ${removedIds.has(version.id) ? 'corrected in place' : 'added'}`);
        continue;
      }
      const same =
        old.effective_from === version.effectiveFrom &&
        sameJson(old.rule, version.rule) &&
        sameJson(old.amount, version.amount) &&
        sameJson(old.funding_shares, version.fundingShares);
      if (same) {
        if (old.effective_to !== version.effectiveTo) {
          await q.query(`UPDATE policy_versions SET effective_to = $2 WHERE id = $1`, [old.id, version.effectiveTo]);
          done.push(`${policy.code} ${old.id}: now ends ${version.effectiveTo ?? 'never'}`);
        }
        continue;
      }
      // Used and changed: the old version keeps what it paid; a corrected successor follows it.
      await q.query(`UPDATE policy_versions SET effective_to = $2 WHERE id = $1`, [old.id, old.paid_through]);
      const successor = derivedId(old.id, version.effectiveFrom);
      const from = addDays(old.paid_through!, 1);
      if (version.effectiveTo === null || version.effectiveTo >= from) {
        await insert(successor, nextNo++, from, version.effectiveTo, version);
      }
      done.push(`${policy.code} ${old.id}: used, closed on ${old.paid_through}; corrected successor ${successor}`);
    }
  }
  return done;
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A deterministic id for the successor of a used version (md5 of the old id and the new start, as a v4-shaped uuid). */
function derivedId(oldId: string, from: string): string {
  const hex = createHash('md5').update(`${oldId}|${from}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
