import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ConflictError, DomainError } from '../../common/errors.js';
import { DEFAULT_LANGUAGE, label, translate, type Language } from '../../common/i18n/i18n.js';
import { RegionScope } from '../../common/region-scope.js';
import { requestContext, type Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { decideTimeline } from '../eligibility/eligibility.service.js';
import { PoliciesService } from '../policies/policies.service.js';
import type { PolicyWithVersions } from '../policies/policy-model.js';
import type { HouseholdTimeline } from '../registry/household-history.js';
import { HouseholdSnapshots } from '../registry/household-snapshots.service.js';
import { ImportRejectedError } from '../registry/registry.errors.js';
import { readRollRows, RollProblems, type RollRow } from './enrollments-import-format.js';
import {
  EnrollmentsImportRepository,
  type ImportedEnrollment,
  type ImportedTransition,
  type RegisteredPerson,
} from './enrollments-import.repository.js';

export interface RollsImportResult {
  dryRun: boolean;
  /** The import's id: the audit event's entity id, named in each history row's reason. */
  importId: string;
  enrollments: number;
  byPolicy: Record<string, number>;
}

/** A row that passed every check, with what the database said about it. */
interface CheckedRow {
  row: RollRow;
  enrollment: ImportedEnrollment;
  explanation: unknown;
}

/**
 * Existing rolls (SPEC.md revision 2): a city adopting Yikatong brings its enrollments with their
 * original application and approval dates and the names of their approvers in the old system.
 * The file is validated whole (each person registered, the policy known, the beneficiary eligible
 * under the version in force on the application date, no open enrollment already, no row twice,
 * dates in order) and written all or nothing: ACTIVE enrollments whose history rows carry the
 * original dates and approvers, marked imported, and one audit event for the import. Their
 * `applied_on` is the original date, so the arrears rule of the first batch that pays them holds.
 */
@Injectable()
export class EnrollmentsImportService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: EnrollmentsImportRepository,
    private readonly snapshots: HouseholdSnapshots,
    private readonly policies: PoliciesService,
    private readonly audit: AuditService,
  ) {}

  /** `actor` is the importing ADMIN (HTTP: the signed-in user; CLI: the user named by --as). */
  async importFile(bytes: Buffer, options: { dryRun: boolean; actor: Actor }): Promise<RollsImportResult> {
    const lang: Language = requestContext.current()?.language ?? DEFAULT_LANGUAGE;
    const problems = new RollProblems(lang);
    const rows = await readRollRows(bytes, problems);
    const importId = randomUUID();
    const result = await this.transactions.run(async (manager) => {
      const checked = await this.check(manager, rows, options.actor, problems);
      if (problems.items.length > 0) {
        const sorted = [...problems.items].sort((a, b) => a.line - b.line);
        throw new ImportRejectedError(sorted, sorted.length);
      }
      const byPolicy: Record<string, number> = {};
      for (const { enrollment } of checked)
        byPolicy[enrollment.policyCode] = (byPolicy[enrollment.policyCode] ?? 0) + 1;
      if (!options.dryRun) await this.write(manager, checked, importId, options.actor);
      return { dryRun: options.dryRun, importId, enrollments: checked.length, byPolicy };
    });
    return result;
  }

  private async check(
    manager: EntityManager,
    rows: RollRow[],
    actor: Actor,
    problems: RollProblems,
  ): Promise<CheckedRow[]> {
    if (rows.length === 0) return [];
    const catalogue = await this.policies.catalogue(manager);
    const policyOf = policyLookup(catalogue);
    const persons = new Map(
      (await this.repository.persons(manager, [...new Set(rows.map((r) => r.idNumber))])).map((p) => [p.id_number, p]),
    );
    const scope = new RegionScope(actor.regionCode);
    const lang = problems.lang;
    const candidates: { row: RollRow; policy: PolicyWithVersions; person: RegisteredPerson; key: string }[] = [];
    const firstLineOf = new Map<string, number>();

    for (const row of rows) {
      const policy = policyOf(row.policy);
      const person = persons.get(row.idNumber);
      if (!policy) problems.add(row.line, 'policy_code', 'rollsImport.unknownPolicy', { value: row.policy });
      if (!person || !scope.covers(person.region_code)) {
        problems.add(row.line, 'id_number', 'rollsImport.unknownPerson', { idNumber: row.idNumber });
      } else if (row.householdNo !== null && row.householdNo !== person.household_no) {
        problems.add(row.line, 'household_no', 'rollsImport.householdMismatch', {
          idNumber: row.idNumber,
          actual: person.household_no,
          given: row.householdNo,
        });
        continue;
      }
      if (!policy || !person || !scope.covers(person.region_code)) continue;
      const key = policy.unit === 'HOUSEHOLD' ? `household:${person.household_id}` : person.person_id;
      const earlier = firstLineOf.get(`${policy.code}|${key}`);
      if (earlier !== undefined) {
        problems.add(row.line, 'id_number', 'rollsImport.duplicateInFile', { line: earlier });
        continue;
      }
      firstLineOf.set(`${policy.code}|${key}`, row.line);
      candidates.push({ row, policy, person, key });
    }

    const open = new Map(
      (
        await this.repository.openEnrollments(
          manager,
          candidates.map((c) => c.policy.code),
          candidates.map((c) => c.key),
        )
      ).map((e) => [`${e.policy_code}|${e.beneficiary_key}`, e]),
    );
    const timelines = new Map<string, HouseholdTimeline>();
    const checked: CheckedRow[] = [];
    for (const { row, policy, person, key } of candidates) {
      const existing = open.get(`${policy.code}|${key}`);
      if (existing) {
        problems.add(row.line, 'id_number', 'rollsImport.openEnrollment', {
          id: existing.id,
          status: label('enrollmentStatus', existing.status, lang),
        });
        continue;
      }
      let timeline = timelines.get(person.household_id);
      if (!timeline) {
        timeline = await this.snapshots.timelineFor(person.household_id, manager);
        timelines.set(person.household_id, timeline);
      }
      if (!timeline.at(row.appliedOn)) {
        problems.add(row.line, 'applied_on', 'rollsImport.notRegisteredOn', { appliedOn: row.appliedOn });
        continue;
      }
      const personId = policy.unit === 'HOUSEHOLD' ? null : person.person_id;
      const decision = decideTimeline(timeline, row.appliedOn, catalogue).decisions.find(
        (d) => d.policyCode === policy.code && d.personId === personId,
      );
      const policyName = label('policy', policy.code, lang);
      if (!decision) {
        problems.add(row.line, 'id_number', 'rollsImport.notBeneficiary', { idNumber: row.idNumber, policyName });
        continue;
      }
      if (!decision.eligible) {
        const failed = decision.reasons.filter((r) => !r.passed);
        problems.add(row.line, 'policy_code', 'rollsImport.notEligible', {
          appliedOn: row.appliedOn,
          policyName,
          reasons:
            failed
              .map((r) => (lang === 'en' ? r.condition : (r.label ?? r.condition)))
              .join(lang === 'en' ? '; ' : '；') || translate('rollsImport.noVersion', {}, lang),
        });
        continue;
      }
      checked.push({
        row,
        explanation: decision,
        enrollment: {
          householdId: person.household_id,
          policyCode: policy.code,
          personId,
          regionCode: person.region_code,
          appliedOn: row.appliedOn,
          approvedOn: row.approvedOn,
        },
      });
    }
    return checked;
  }

  private async write(manager: EntityManager, checked: CheckedRow[], importId: string, actor: Actor): Promise<void> {
    const inserted = await this.repository.insertEnrollments(
      manager,
      checked.map((c) => c.enrollment),
      actor.id,
    );
    if (inserted.length !== checked.length) {
      // An open enrollment of one of the file's beneficiaries was opened since the checks ran.
      throw new ConflictError(
        'IMPORT_CONFLICT',
        'An enrollment of the file was opened meanwhile; nothing was imported, run it again',
      );
    }
    const idOf = new Map(inserted.map((row) => [`${row.policy_code}|${row.beneficiary_key}`, row.id]));
    const reason = (step: 'applied' | 'approved') =>
      translate(`rollsImport.history.${step}`, { importId }, DEFAULT_LANGUAGE);
    const transitions: ImportedTransition[] = [];
    const imported: { id: string; line: number; policyCode: string; appliedOn: string; approvedOn: string }[] = [];
    for (const { row, enrollment, explanation } of checked) {
      const key = enrollment.personId ?? `household:${enrollment.householdId}`;
      const id = idOf.get(`${enrollment.policyCode}|${key}`)!;
      const note = row.note ? `; ${row.note}` : '';
      transitions.push(
        {
          enrollmentId: id,
          from: null,
          to: 'SUBMITTED',
          actorName: null,
          reason: `${reason('applied')}${note}`,
          asOf: row.appliedOn,
          explanation,
        },
        {
          enrollmentId: id,
          from: 'SUBMITTED',
          to: 'APPROVED',
          actorName: row.approvedByName,
          reason: reason('approved'),
          asOf: row.approvedOn,
          explanation,
        },
        {
          enrollmentId: id,
          from: 'APPROVED',
          to: 'ACTIVE',
          actorName: row.approvedByName,
          reason: reason('approved'),
          asOf: row.approvedOn,
          explanation: null,
        },
      );
      imported.push({
        id,
        line: row.line,
        policyCode: enrollment.policyCode,
        appliedOn: row.appliedOn,
        approvedOn: row.approvedOn,
      });
    }
    await this.repository.insertTransitions(manager, transitions);
    await this.audit.record(manager, {
      action: 'enrollment.imported',
      entityType: 'enrollment-import',
      entityId: importId,
      actor,
      after: { enrollments: imported.length, items: imported },
    });
  }
}

/** The policy a cell names: its code (any case) or its Chinese name. */
function policyLookup(catalogue: readonly PolicyWithVersions[]): (value: string) => PolicyWithVersions | undefined {
  const byName = new Map<string, PolicyWithVersions>();
  for (const policy of catalogue) {
    byName.set(policy.code, policy);
    byName.set(policy.name, policy);
    byName.set(label('policy', policy.code), policy);
  }
  return (value) => byName.get(value.trim()) ?? byName.get(value.trim().toUpperCase());
}

/** Whether an error is the import's own refusal (the CLI prints its rows). */
export const isImportRefusal = (error: unknown): error is DomainError =>
  error instanceof ImportRejectedError || (error instanceof DomainError && error.code === 'IMPORT_CONFLICT');
