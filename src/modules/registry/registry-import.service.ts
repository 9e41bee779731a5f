import { pii, type PiiKind } from '../../common/pii/keyring.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { csvReadProblem, nulCellIndex } from '../../common/csv.js';
import { uuidv7 } from './ids.js';
import type { Readable } from 'node:stream';
import { DataSource, type QueryRunner } from 'typeorm';
import { ConflictError, type FieldProblem } from '../../common/errors.js';
import { CITY_CODE, RegionScope } from '../../common/region-scope.js';
import { currentLanguage, type Actor } from '../../common/request-context.js';
import { translate, type I18nKey, type I18nParams, type Language } from '../../common/i18n/i18n.js';
import { decodeText, detectEncoding } from '../../common/text-encoding.js';
import { dateColumnsOf, rowCells } from '../../common/xlsx.js';
import { canonicalColumn, canonicalValue, columnName } from './import-columns.js';
import { queryRows } from '../../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import { todayInChina } from '../../common/calendar.js';
import type { HukouType, Relation, Sex } from './household-snapshot.js';
import { validateHouseholdDraft, type HouseholdDraft, type MemberDraft } from './household-rules.js';
import { ImportRejectedError } from './registry.errors.js';

/** The columns of import-format.md. */
const REQUIRED = ['household_no', 'region_code', 'address', 'id_number', 'name', 'relation', 'hukou_type'] as const;
const OPTIONAL = [
  'birth_date',
  'sex',
  'birth_order',
  'adopted',
  'adopted_on',
  'death_date',
  'disability_grade',
  'disability_assessed_on',
  'complication_grade',
  'complication_assessed_on',
  'certificate_no',
  'certificate_issued_on',
  'violation_years',
  'quota_waived_on',
  'bank_code',
  'account_no',
  'mother_id_number',
  'father_id_number',
] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const HOUSEHOLD_COLUMNS = [
  'region_code',
  'address',
  'certificate_no',
  'certificate_issued_on',
  'violation_years',
  'quota_waived_on',
] as const;

/** Rows staged per INSERT; the staging table then feeds set-based INSERT ... SELECT. */
const STAGE_CHUNK = 2000;
/** The answer lists at most this many problems (and counts them all). */
const MAX_REPORTED_ERRORS = 10_000;
const AUDIT_CHUNK = 5000;

export interface ImportOptions {
  dryRun: boolean;
  /** The importing user (HTTP); the CLI passes none and imports for the whole city. */
  actor?: Actor;
}

export interface ImportResult {
  dryRun: boolean;
  households: number;
  persons: number;
}

export interface ImportProblem extends FieldProblem {
  line: number;
}

/** A problem's message in the importer's language (the request's, the job's or the CLI's). */
const say = (lang: Language, key: I18nKey, params: I18nParams = {}) => translate(key, params, lang);

type Row = Record<Column, string>;
interface CsvLine {
  line: number;
  row: Row;
}

interface StagedRow {
  line: number;
  householdId: string;
  personId: string;
  firstRow: boolean;
  householdNo: string;
  regionCode: string;
  address: string;
  idNumber: string;
  certificateNo: string | null;
  valid: boolean;
  member?: {
    name: string;
    sex: Sex;
    birthDate: string;
    relation: Relation;
    hukouType: HukouType;
    birthOrder: number | null;
    adopted: boolean;
    adoptedOn: string | null;
    deathDate: string | null;
    disabilityGrade: number | null;
    disabilityAssessedOn: string | null;
    complicationGrade: number | null;
    complicationAssessedOn: string | null;
    motherIdNumber: string | null;
    fatherIdNumber: string | null;
  };
  household?: {
    certificateIssuedOn: string | null;
    violationYears: number[];
    quotaWaivedOn: string | null;
  };
  bank?: { bankCode: string; accountNo: string };
}

const empty = (value: string | undefined) => value === undefined || value.trim() === '';
const text = (value: string | undefined) => (empty(value) ? null : value!.trim());
const integer = (value: string | undefined): number | null => {
  const t = text(value);
  if (t === null) return null;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
};
const flag = (value: string | undefined): boolean | undefined => {
  const t = text(value)?.toUpperCase();
  if (t === undefined || t === null) return false;
  if (['Y', 'YES', '1', 'TRUE'].includes(t)) return true;
  if (['N', 'NO', '0', 'FALSE'].includes(t)) return false;
  return undefined;
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The CSV column a draft problem's field path points at. */
function columnOf(field: string): string {
  const last = field.split('.').filter((part) => !/^\d+$/.test(part));
  if (last[0] === 'certificate') return last[1] === 'issuedOn' ? 'certificate_issued_on' : 'certificate_no';
  if (last[0] === 'bankAccount') return last[1] === 'bankCode' ? 'bank_code' : 'account_no';
  if (last[0] === 'members' && last.length === 1) return 'relation';
  return snake(last[last.length - 1]);
}

/**
 * Bulk onboarding of registers (import-format.md). The file streams through csv-parse; each
 * household is validated as its rows complete, and staged in chunks into a temporary table; the
 * checks that span the file or need the database (duplicates, known persons, regions) run as SQL
 * over the staging table. Only if no row is bad is everything inserted, set-based, in the same
 * single transaction.
 */
@Injectable()
export class RegistryImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Imports a file that can be opened more than once (an upload on disk, the CLI's path, a body in
   * memory): XLSX when it starts as a ZIP does, otherwise CSV in UTF-8 (BOM or not) or GB18030/GBK,
   * detected by a first strict pass; a file valid in neither is refused naming the line, and
   * nothing is read into the registry (no replacement character is ever stored).
   */
  async importFile(open: () => Readable, options: ImportOptions): Promise<ImportResult> {
    if (await startsAsZip(open())) return this.importRows(() => xlsxRows(open()), options);
    const verdict = await detectEncoding(open());
    if ('unreadableLine' in verdict) {
      const line = verdict.unreadableLine;
      throw new ImportRejectedError(
        [{ line, field: 'row', message: say(currentLanguage(), 'import.unreadableLine', { line }) }],
        1,
      );
    }
    return this.import(decodeText(open(), verdict.encoding), options);
  }

  /** Imports CSV text (UTF-8 bytes or decoded text). */
  async import(source: Readable, options: ImportOptions): Promise<ImportResult> {
    // The parser is made only when the rows are read (after the staging table exists), so that an
    // error it finds at once has a reader to go to.
    const rows = () => {
      const parser = source.pipe(
        parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }),
      );
      source.on('error', (error) => parser.destroy(error));
      return parser as AsyncIterable<SourceRow>;
    };
    try {
      return await this.importRows(rows, options);
    } finally {
      source.destroy();
    }
  }

  private async importRows(rows: () => AsyncIterable<SourceRow>, options: ImportOptions): Promise<ImportResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const result = await this.run(runner, rows, options);
      if (options.dryRun) await runner.rollbackTransaction();
      else await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async run(
    runner: QueryRunner,
    openRows: () => AsyncIterable<SourceRow>,
    options: ImportOptions,
  ): Promise<ImportResult> {
    const today = todayInChina();
    const lang = currentLanguage();
    const scope = new RegionScope(options.actor?.regionCode ?? CITY_CODE);
    await runner.query(`
      CREATE TEMP TABLE registry_import (
        line int PRIMARY KEY, household_id uuid NOT NULL, person_id uuid NOT NULL, first_row boolean NOT NULL,
        household_no text COLLATE "C", region_code text COLLATE "C", address text, id_number text COLLATE "C",
        certificate_no text COLLATE "C", valid boolean NOT NULL,
        name text, sex text, birth_date date, relation text, hukou_type text, birth_order smallint,
        adopted boolean, adopted_on date, death_date date, disability_grade smallint, disability_assessed_on date,
        complication_grade smallint, complication_assessed_on date, certificate_issued_on date,
        violation_years text, quota_waived_on date, bank_code text, account_no text,
        mother_id_number text COLLATE "C", father_id_number text COLLATE "C",
        id_enc bytea, id_bidx bytea, mother_bidx bytea, father_bidx bytea, account_enc bytea, account_bidx bytea
      ) ON COMMIT DROP`);

    const problems: ImportProblem[] = [];
    let problemCount = 0;
    const report = (problem: ImportProblem) => {
      problemCount++;
      if (problems.length < MAX_REPORTED_ERRORS) problems.push(problem);
    };

    let buffer: StagedRow[] = [];
    const flush = async () => {
      if (buffer.length === 0) return;
      await this.stage(runner, buffer);
      buffer = [];
    };
    let group: CsvLine[] = [];
    const closeGroup = async () => {
      if (group.length === 0) return;
      buffer.push(...this.checkHousehold(group, today, lang, report));
      group = [];
      if (buffer.length >= STAGE_CHUNK) await flush();
    };

    let header: string[] | undefined;
    try {
      for await (const { record, info } of openRows()) {
        const nul = nulCellIndex(record);
        if (nul >= 0) {
          report({ line: info.lines, field: header?.[nul] ?? 'row', message: say(lang, 'import.nulCell') });
          if (!header) break;
          continue;
        }
        if (!header) {
          header = record.map((name) => canonicalColumn(name));
          const unknown = header.filter((name) => !(REQUIRED as readonly string[]).concat(OPTIONAL).includes(name));
          const missing = REQUIRED.filter((name) => !header!.includes(name));
          for (const name of unknown) {
            report({ line: info.lines, field: name, message: say(lang, 'import.unknownColumn', { column: name }) });
          }
          for (const name of missing) {
            const column = columnName(name, lang);
            report({ line: info.lines, field: name, message: say(lang, 'import.missingColumn', { column }) });
          }
          if (unknown.length + missing.length > 0) break;
          continue;
        }
        if (record.length !== header.length) {
          report({
            line: info.lines,
            field: 'row',
            message: say(lang, 'import.wrongWidth', { count: record.length, width: header.length }),
          });
          continue;
        }
        const row = {} as Row;
        header.forEach((name, index) => (row[name as Column] = canonicalValue(name, record[index])));
        const line = { line: info.lines, row };
        if (group.length > 0 && group[0].row.household_no !== row.household_no) await closeGroup();
        group.push(line);
      }
    } catch (error) {
      // A file the parser cannot read (an unclosed quote, binary): refused naming the line, with
      // whatever the rows before it showed.
      const problem = csvReadProblem(error, lang);
      if (!problem) throw error;
      report({ line: problem.line, field: 'row', message: problem.message });
      header ??= [];
    }
    if (!header) report({ line: 1, field: 'header', message: say(lang, 'import.emptyFile') });
    await closeGroup();
    await flush();

    for (const problem of await this.crossChecks(runner, scope, lang)) report(problem);
    if (problemCount > 0) {
      problems.sort((a, b) => a.line - b.line);
      throw new ImportRejectedError(problems, problemCount);
    }
    const [counts] = await queryRows<{ households: number; persons: number }>(
      runner,
      `SELECT count(*) FILTER (WHERE first_row)::int AS households, count(*)::int AS persons FROM registry_import`,
    );
    if (!options.dryRun) {
      try {
        await this.insertAll(runner, today, options.actor);
      } catch (error) {
        // A person, household or certificate registered by someone else since the checks ran.
        if ((error as { code?: string }).code === '23505') {
          throw new ConflictError(
            'IMPORT_CONFLICT',
            'A person, household or certificate of the file was registered meanwhile; nothing was imported, run it again',
          );
        }
        throw error;
      }
    }
    return { dryRun: options.dryRun, households: counts.households, persons: counts.persons };
  }

  /** Validates one household's rows; returns them staged (valid or not, so cross-file checks see all). */
  private checkHousehold(
    group: CsvLine[],
    today: string,
    lang: Language,
    report: (problem: ImportProblem) => void,
  ): StagedRow[] {
    const householdId = uuidv7();
    const first = group[0];
    let bad = false;
    const fail = (problem: ImportProblem) => {
      bad = true;
      report(problem);
    };

    // Household columns: the first non-empty value counts; a different one later is an error.
    const household: Partial<Record<(typeof HOUSEHOLD_COLUMNS)[number], { value: string; line: number }>> = {};
    for (const { line, row } of group) {
      for (const column of HOUSEHOLD_COLUMNS) {
        const value = text(row[column]);
        if (value === null) continue;
        const known = household[column];
        if (!known) household[column] = { value, line };
        else if (known.value !== value) {
          fail({
            line,
            field: column,
            message: say(lang, 'import.disagrees', {
              column: columnName(column, lang),
              value,
              known: known.value,
              line: known.line,
            }),
          });
        }
      }
    }
    const lineOf = (column: (typeof HOUSEHOLD_COLUMNS)[number]) => household[column]?.line ?? first.line;

    const accountRows = group.filter(({ row }) => !empty(row.bank_code) || !empty(row.account_no));
    for (const extra of accountRows.slice(1)) {
      fail({
        line: extra.line,
        field: 'account_no',
        message: say(lang, 'import.accountTwice', { line: accountRows[0].line }),
      });
    }
    const members: MemberDraft[] = group.map(({ line, row }) => {
      const adopted = flag(row.adopted);
      if (adopted === undefined) {
        fail({
          line,
          field: 'adopted',
          message: say(lang, 'import.adoptedFlag', { column: columnName('adopted', lang) }),
        });
      }
      return {
        idNumber: row.id_number ?? '',
        name: row.name ?? '',
        relation: (text(row.relation)?.toUpperCase() ?? '') as Relation,
        hukouType: (text(row.hukou_type)?.toUpperCase() ?? '') as HukouType,
        birthDate: text(row.birth_date),
        sex: text(row.sex)?.toUpperCase() as Sex | undefined,
        birthOrder: integer(row.birth_order),
        adopted: adopted ?? false,
        adoptedOn: text(row.adopted_on),
        deathDate: text(row.death_date),
        disabilityGrade: integer(row.disability_grade),
        disabilityAssessedOn: text(row.disability_assessed_on),
        complicationGrade: integer(row.complication_grade),
        complicationAssessedOn: text(row.complication_assessed_on),
        motherIdNumber: text(row.mother_id_number)?.toUpperCase(),
        fatherIdNumber: text(row.father_id_number)?.toUpperCase(),
      };
    });
    const yearsText = household.violation_years?.value;
    const violationYears = yearsText
      ? yearsText
          .split(/[;\s]+/)
          .filter(Boolean)
          .map((y) => (/^\d+$/.test(y) ? Number(y) : Number.NaN))
      : [];
    const holder = accountRows[0];
    const draft: HouseholdDraft = {
      householdNo: first.row.household_no?.trim() ?? '',
      regionCode: household.region_code?.value ?? '',
      address: household.address?.value ?? '',
      members,
      certificate:
        household.certificate_no || household.certificate_issued_on
          ? {
              certificateNo: household.certificate_no?.value ?? '',
              issuedOn: household.certificate_issued_on?.value ?? '',
            }
          : null,
      violationYears,
      quotaWaivedOn: household.quota_waived_on?.value ?? null,
      bankAccount: holder
        ? {
            bankCode: holder.row.bank_code?.trim() ?? '',
            accountNo: holder.row.account_no?.trim() ?? '',
            holderIdNumber: holder.row.id_number ?? '',
          }
        : null,
    };
    const { problems, members: valid } = validateHouseholdDraft(draft, today, lang);
    for (const problem of problems) {
      const column = columnOf(problem.field);
      const line =
        problem.member !== undefined
          ? group[problem.member].line
          : problem.field.startsWith('bankAccount')
            ? holder.line
            : (HOUSEHOLD_COLUMNS as readonly string[]).includes(column)
              ? lineOf(column as (typeof HOUSEHOLD_COLUMNS)[number])
              : first.line;
      fail({ line, field: column, message: problem.message });
    }
    const ok = !bad && valid.length === group.length;
    return group.map(({ line, row }, index) => {
      const member = ok ? valid[index] : undefined;
      return {
        line,
        householdId,
        personId: uuidv7(),
        firstRow: index === 0,
        householdNo: draft.householdNo,
        regionCode: draft.regionCode,
        address: draft.address,
        idNumber: (row.id_number ?? '').trim().toUpperCase(),
        certificateNo: index === 0 ? (draft.certificate?.certificateNo ?? null) : null,
        valid: ok,
        member: member && {
          name: member.name,
          sex: member.sex,
          birthDate: member.birthDate,
          relation: member.relation,
          hukouType: member.hukouType,
          birthOrder: member.birthOrder ?? null,
          adopted: member.adopted ?? false,
          adoptedOn: member.adoptedOn ?? null,
          deathDate: member.deathDate ?? null,
          disabilityGrade: member.disabilityGrade ?? null,
          disabilityAssessedOn: member.disabilityAssessedOn ?? null,
          complicationGrade: member.complicationGrade ?? null,
          complicationAssessedOn: member.complicationAssessedOn ?? null,
          motherIdNumber: member.motherIdNumber ?? null,
          fatherIdNumber: member.fatherIdNumber ?? null,
        },
        household:
          ok && index === 0
            ? {
                certificateIssuedOn: draft.certificate?.issuedOn ?? null,
                violationYears,
                quotaWaivedOn: draft.quotaWaivedOn ?? null,
              }
            : undefined,
        bank:
          ok && holder && holder.line === line
            ? { bankCode: draft.bankAccount!.bankCode, accountNo: draft.bankAccount!.accountNo }
            : undefined,
      };
    });
  }

  private async stage(runner: QueryRunner, rows: StagedRow[]): Promise<void> {
    const keyring = pii();
    const sealedIndex = (kind: PiiKind, value: string | null | undefined) =>
      value ? keyring.blindIndex(kind, value) : null;
    const columns: [string, string, (row: StagedRow) => unknown][] = [
      ['line', 'int', (r) => r.line],
      ['household_id', 'uuid', (r) => r.householdId],
      ['person_id', 'uuid', (r) => r.personId],
      ['first_row', 'boolean', (r) => r.firstRow],
      ['household_no', 'text', (r) => r.householdNo],
      ['region_code', 'text', (r) => r.regionCode],
      ['address', 'text', (r) => r.address],
      ['id_number', 'text', (r) => r.idNumber],
      ['certificate_no', 'text', (r) => r.certificateNo],
      ['valid', 'boolean', (r) => r.valid],
      ['name', 'text', (r) => r.member?.name ?? null],
      ['sex', 'text', (r) => r.member?.sex ?? null],
      ['birth_date', 'date', (r) => r.member?.birthDate ?? null],
      ['relation', 'text', (r) => r.member?.relation ?? null],
      ['hukou_type', 'text', (r) => r.member?.hukouType ?? null],
      ['birth_order', 'smallint', (r) => r.member?.birthOrder ?? null],
      ['adopted', 'boolean', (r) => r.member?.adopted ?? null],
      ['adopted_on', 'date', (r) => r.member?.adoptedOn ?? null],
      ['death_date', 'date', (r) => r.member?.deathDate ?? null],
      ['disability_grade', 'smallint', (r) => r.member?.disabilityGrade ?? null],
      ['disability_assessed_on', 'date', (r) => r.member?.disabilityAssessedOn ?? null],
      ['complication_grade', 'smallint', (r) => r.member?.complicationGrade ?? null],
      ['complication_assessed_on', 'date', (r) => r.member?.complicationAssessedOn ?? null],
      ['certificate_issued_on', 'date', (r) => r.household?.certificateIssuedOn ?? null],
      ['violation_years', 'text', (r) => (r.household ? r.household.violationYears.join(',') : null)],
      ['quota_waived_on', 'date', (r) => r.household?.quotaWaivedOn ?? null],
      ['bank_code', 'text', (r) => r.bank?.bankCode ?? null],
      ['account_no', 'text', (r) => r.bank?.accountNo ?? null],
      ['mother_id_number', 'text', (r) => r.member?.motherIdNumber ?? null],
      ['father_id_number', 'text', (r) => r.member?.fatherIdNumber ?? null],
      // What the registry stores and looks up (src/common/pii): the staging table is a session's own
      // and dropped on commit; the registry's tables get only these.
      ['id_enc', 'bytea', (r) => keyring.encrypt(r.idNumber)],
      ['id_bidx', 'bytea', (r) => keyring.blindIndex('id', r.idNumber)],
      ['mother_bidx', 'bytea', (r) => sealedIndex('id', r.member?.motherIdNumber)],
      ['father_bidx', 'bytea', (r) => sealedIndex('id', r.member?.fatherIdNumber)],
      ['account_enc', 'bytea', (r) => (r.bank?.accountNo ? keyring.encrypt(r.bank.accountNo) : null)],
      ['account_bidx', 'bytea', (r) => sealedIndex('account', r.bank?.accountNo)],
    ];
    await runner.query(
      `INSERT INTO registry_import (${columns.map(([name]) => name).join(', ')})
       SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
      columns.map(([, , pick]) => rows.map(pick)),
    );
  }

  /** The checks that span the file or need the database, as SQL over the staged rows. */
  private async crossChecks(runner: QueryRunner, scope: RegionScope, lang: Language): Promise<ImportProblem[]> {
    const problems: ImportProblem[] = [];
    // Parent links and accounts are looked up by number in the file: indexes keep these checks to
    // one probe per row (a scan of the file per row is quadratic at 100,000 rows).
    await runner.query(`CREATE INDEX ON registry_import (id_number)`);
    await runner.query(`CREATE INDEX ON registry_import (account_no) WHERE account_no IS NOT NULL`);
    await runner.query(`CREATE INDEX ON registry_import (id_bidx)`);
    await runner.query(`ANALYZE registry_import`);
    // Parent links: a named mother or father is in the file or already registered, a woman or a
    // man, and older than the child.
    const parents = await queryRows<{
      line: number;
      field: string;
      role: 'mother' | 'father';
      id_number: string;
      problem: 'missing' | 'sex' | 'age';
    }>(
      runner,
      `SELECT s.line, l.field, l.role, l.id_number,
              CASE WHEN p.sex IS NULL THEN 'missing' WHEN p.sex <> l.sex THEN 'sex' ELSE 'age' END AS problem
         FROM registry_import s
         CROSS JOIN LATERAL (
           SELECT * FROM (VALUES ('mother', 'mother_id_number', s.mother_id_number, s.mother_bidx, 'F'),
                                 ('father', 'father_id_number', s.father_id_number, s.father_bidx, 'M'))
                    AS v(role, field, id_number, bidx, sex)
            WHERE v.id_number IS NOT NULL) l
         LEFT JOIN LATERAL (
           SELECT i.sex, i.birth_date FROM registry_import i WHERE i.id_number = l.id_number
           UNION ALL
           SELECT q.sex, q.birth_date FROM persons q WHERE q.id_number_bidx = l.bidx
           LIMIT 1) p ON true
        WHERE (s.mother_id_number IS NOT NULL OR s.father_id_number IS NOT NULL)
          AND (p.sex IS NULL OR p.sex <> l.sex OR p.birth_date >= s.birth_date)
        ORDER BY s.line`,
    );
    const parentKeys = {
      missing: 'import.parentMissing',
      sex: 'import.parentWrongSex',
      age: 'import.parentNotOlder',
    } as const;
    for (const row of parents) {
      const role = say(lang, `household.role.${row.role}`);
      const sexWord = say(lang, `household.sexWord.${row.role}`);
      const message = say(lang, parentKeys[row.problem], { role, sexWord, idNumber: row.id_number });
      problems.push({ line: row.line, field: row.field, message });
    }
    // One account number, one holder city-wide: not another registered holder, nor another in the file.
    const held = await queryRows<{ line: number }>(
      runner,
      `SELECT s.line FROM registry_import s
        WHERE s.account_no IS NOT NULL
          AND (EXISTS (SELECT 1 FROM household_bank_accounts b WHERE b.account_no_bidx = s.account_bidx)
               OR EXISTS (SELECT 1 FROM registry_import o
                           WHERE o.account_no = s.account_no AND o.person_id <> s.person_id AND o.line < s.line))
        ORDER BY s.line`,
    );
    for (const row of held) {
      problems.push({ line: row.line, field: 'account_no', message: say(lang, 'import.accountHeld') });
    }
    const split = await queryRows<{ line: number; household_no: string }>(
      runner,
      `WITH runs AS (
         SELECT line, household_no,
                household_no IS DISTINCT FROM lag(household_no) OVER (ORDER BY line) AS starts
           FROM registry_import)
       SELECT line, household_no FROM (
         SELECT line, household_no, row_number() OVER (PARTITION BY household_no ORDER BY line) AS n
           FROM runs WHERE starts) s
        WHERE n > 1`,
    );
    for (const row of split) {
      problems.push({
        line: row.line,
        field: 'household_no',
        message: say(lang, 'import.notContiguous', { householdNo: row.household_no }),
      });
    }
    const repeated = await queryRows<{ line: number; id_number: string; first: number }>(
      runner,
      `SELECT line, id_number, first FROM (
         SELECT line, id_number, min(line) OVER (PARTITION BY id_number) AS first
           FROM registry_import WHERE id_number ~ '^[0-9]{17}[0-9X]$') s
        WHERE line > first`,
    );
    for (const row of repeated) {
      problems.push({
        line: row.line,
        field: 'id_number',
        message: say(lang, 'import.idRepeated', { idNumber: row.id_number, line: row.first }),
      });
    }
    const known = await queryRows<{ line: number; id_number: string; household_no: string; region_code: string }>(
      runner,
      `SELECT i.line, i.id_number, h.household_no, h.region_code
         FROM registry_import i
         JOIN persons p ON p.id_number_bidx = i.id_bidx
         JOIN household_members m ON m.person_id = p.id
         JOIN households h ON h.id = m.household_id`,
    );
    for (const row of known) {
      problems.push({
        line: row.line,
        field: 'id_number',
        message: scope.covers(row.region_code)
          ? say(lang, 'import.personInHousehold', { idNumber: row.id_number, householdNo: row.household_no })
          : say(lang, 'import.personInCity', { idNumber: row.id_number }),
      });
    }
    const households = await queryRows<{ line: number; household_no: string }>(
      runner,
      `SELECT i.line, i.household_no FROM registry_import i
         JOIN households h ON h.household_no = i.household_no WHERE i.first_row`,
    );
    for (const row of households) {
      problems.push({
        line: row.line,
        field: 'household_no',
        message: say(lang, 'import.householdRegistered', { householdNo: row.household_no }),
      });
    }
    const params: unknown[] = [];
    const regions = await queryRows<{ line: number; region_code: string; is_village: boolean; in_scope: boolean }>(
      runner,
      `SELECT i.line, i.region_code, r.level IS NOT DISTINCT FROM 'VILLAGE' AS is_village,
              ${scope.where('i.region_code', params)} AS in_scope
         FROM registry_import i LEFT JOIN regions r ON r.code = i.region_code
        WHERE i.first_row AND i.region_code ~ '^[0-9]{12}$'
          AND (r.level IS DISTINCT FROM 'VILLAGE' OR NOT ${scope.where('i.region_code', params)})`,
      params,
    );
    for (const row of regions) {
      problems.push({
        line: row.line,
        field: 'region_code',
        message: !row.is_village
          ? say(lang, 'messages.noSuchVillage', { regionCode: row.region_code })
          : say(lang, 'import.outOfScope', { regionCode: row.region_code, scope: scope.regionCode }),
      });
    }
    const certificates = await queryRows<{ line: number; certificate_no: string; first: number; registered: boolean }>(
      runner,
      `SELECT line, certificate_no, first, registered FROM (
         SELECT i.line, i.certificate_no, min(i.line) OVER (PARTITION BY i.certificate_no) AS first,
                EXISTS (SELECT 1 FROM household_certificates c WHERE c.certificate_no = i.certificate_no) AS registered
           FROM registry_import i WHERE i.first_row AND i.certificate_no IS NOT NULL) s
        WHERE registered OR line > first`,
    );
    for (const row of certificates) {
      problems.push({
        line: row.line,
        field: 'certificate_no',
        message: row.registered
          ? say(lang, 'import.certificateRegistered', { certificateNo: row.certificate_no })
          : say(lang, 'import.certificateRepeated', { certificateNo: row.certificate_no, line: row.first }),
      });
    }
    return problems;
  }

  /** Everything staged, set-based: one INSERT ... SELECT per table, then the audit in chunks. */
  private async insertAll(runner: QueryRunner, today: string, actor: Actor | undefined): Promise<void> {
    const registered = `JOIN household_events e ON e.household_id = s.household_id AND e.type = 'REGISTERED'`;
    await runner.query(`CREATE INDEX ON registry_import (household_id)`);
    await runner.query(`ANALYZE registry_import`);
    await runner.query(
      `INSERT INTO households (id, household_no, region_code, address, quota_waived_on)
       SELECT household_id, household_no, region_code, address, quota_waived_on FROM registry_import WHERE first_row`,
    );
    await runner.query(
      `INSERT INTO household_events (household_id, type, event_date, data, recorded_by)
       SELECT household_id, 'REGISTERED', $1::date, jsonb_build_object('source', 'IMPORT', 'line', line), $2::uuid
         FROM registry_import WHERE first_row ORDER BY line`,
      [today, actor?.id ?? null],
    );
    await runner.query(
      `INSERT INTO persons (id, id_number_enc, id_number_bidx, name, sex, birth_date, death_date)
       SELECT person_id, id_enc, id_bidx, name, sex, birth_date, death_date FROM registry_import`,
    );
    await runner.query(
      `INSERT INTO household_members (person_id, household_id, relation, birth_order, adopted, adopted_on, joined_on)
       SELECT person_id, household_id, relation, birth_order, adopted, adopted_on,
              CASE WHEN adopted AND adopted_on IS NOT NULL THEN adopted_on ELSE '-infinity'::date END
         FROM registry_import`,
    );
    // Parent links: the named ones; a CHILD naming neither parent gets the household's HEAD and
    // SPOUSE by their sex (as POST /households does).
    await runner.query(
      `UPDATE persons p
          SET mother_id = CASE WHEN s.mother_id_number IS NOT NULL OR s.father_id_number IS NOT NULL
                               THEN (SELECT q.id FROM persons q WHERE q.id_number_bidx = s.mother_bidx)
                               ELSE (SELECT c.person_id FROM registry_import c
                                      WHERE c.household_id = s.household_id AND c.relation IN ('HEAD', 'SPOUSE')
                                        AND c.sex = 'F' ORDER BY c.relation, c.line LIMIT 1) END,
              father_id = CASE WHEN s.mother_id_number IS NOT NULL OR s.father_id_number IS NOT NULL
                               THEN (SELECT q.id FROM persons q WHERE q.id_number_bidx = s.father_bidx)
                               ELSE (SELECT c.person_id FROM registry_import c
                                      WHERE c.household_id = s.household_id AND c.relation IN ('HEAD', 'SPOUSE')
                                        AND c.sex = 'M' ORDER BY c.relation, c.line LIMIT 1) END
         FROM registry_import s
        WHERE p.id = s.person_id AND (s.relation = 'CHILD' OR s.mother_id_number IS NOT NULL OR s.father_id_number IS NOT NULL)`,
    );
    await runner.query(
      `INSERT INTO person_hukou_history (person_id, effective_on, hukou_type, event_id)
       SELECT s.person_id, '-infinity', s.hukou_type, e.id FROM registry_import s ${registered}`,
    );
    await runner.query(
      `INSERT INTO person_grade_history (person_id, kind, effective_on, grade, event_id)
       SELECT s.person_id, 'DISABILITY', coalesce(s.disability_assessed_on, '-infinity'), s.disability_grade, e.id
         FROM registry_import s ${registered} WHERE s.disability_grade IS NOT NULL
       UNION ALL
       SELECT s.person_id, 'COMPLICATION', coalesce(s.complication_assessed_on, '-infinity'), s.complication_grade, e.id
         FROM registry_import s ${registered} WHERE s.complication_grade IS NOT NULL`,
    );
    await runner.query(
      `INSERT INTO household_region_history (household_id, effective_on, region_code, address, event_id)
       SELECT s.household_id, '-infinity', s.region_code, s.address, e.id FROM registry_import s ${registered}
        WHERE s.first_row`,
    );
    await runner.query(
      `INSERT INTO household_certificates (household_id, certificate_no, issued_on, issue_event_id)
       SELECT s.household_id, s.certificate_no, s.certificate_issued_on, e.id FROM registry_import s ${registered}
        WHERE s.first_row AND s.certificate_no IS NOT NULL`,
    );
    await runner.query(
      `INSERT INTO household_violations (household_id, year, recorded_on, event_id)
       SELECT s.household_id, y.year, '-infinity', e.id FROM registry_import s ${registered}
        CROSS JOIN LATERAL unnest(string_to_array(s.violation_years, ',')::smallint[]) AS y(year)
        WHERE s.first_row AND s.violation_years <> ''`,
    );
    await runner.query(
      `INSERT INTO household_bank_accounts
         (household_id, effective_on, bank_code, account_no_enc, account_no_bidx, holder_person_id, event_id)
       SELECT s.household_id, '-infinity', s.bank_code, s.account_enc, s.account_bidx, s.person_id, e.id
         FROM registry_import s ${registered}
        WHERE s.account_no IS NOT NULL`,
    );

    const auditActor = actor ? undefined : { username: 'cli:registry:import' };
    let after = 0;
    let households = 0;
    for (;;) {
      const chunk = await queryRows<{
        line: number;
        household_id: string;
        household_no: string;
        region_code: string;
        members: number;
      }>(
        runner,
        `SELECT s.line, s.household_id, s.household_no, s.region_code,
                (SELECT count(*) FROM registry_import c WHERE c.household_id = s.household_id)::int AS members
           FROM registry_import s WHERE s.first_row AND s.line > $1 ORDER BY s.line LIMIT $2`,
        [after, AUDIT_CHUNK],
      );
      if (chunk.length === 0) break;
      households += chunk.length;
      await this.audit.recordMany(
        runner.manager,
        chunk.map((row) => ({
          action: 'household.registered',
          entityType: 'household',
          entityId: row.household_id,
          regionCode: row.region_code,
          after: {
            householdNo: row.household_no,
            regionCode: row.region_code,
            members: row.members,
            source: 'IMPORT',
            line: row.line,
          },
          actor: auditActor,
        })),
      );
      after = chunk[chunk.length - 1].line;
    }
    await this.audit.record(runner.manager, {
      action: 'registry.imported',
      entityType: 'registry',
      entityId: null,
      regionCode: actor?.regionCode ?? null,
      after: { households },
      actor: auditActor,
    });
  }
}

/** A row of the file: its cells and the file line it ends on (the header is line 1). */
interface SourceRow {
  record: string[];
  info: { lines: number };
}

/** Whether a stream starts with the ZIP signature (an XLSX file is a ZIP archive). */
async function startsAsZip(source: Readable): Promise<boolean> {
  try {
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      return bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304;
    }
    return false;
  } finally {
    source.destroy();
  }
}

/**
 * The rows of the first worksheet of an XLSX, read with exceljs' streaming reader (the workbook is
 * never held whole). A file exceljs cannot read is refused as IMPORT_REJECTED naming line 1.
 */
async function* xlsxRows(source: Readable): AsyncGenerator<SourceRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of workbook) {
      let width = 0;
      let dateColumns = new Set<number>();
      for await (const row of worksheet) {
        const values = rowCells(row.values as ExcelJS.CellValue[], dateColumns);
        if (row.number === 1) {
          dateColumns = dateColumnsOf(values, (header) => /(_date|_on)$/.test(canonicalColumn(header)));
          // The header names the date columns, whose day numbers the rows below turn into dates.
          width = values.length;
        }
        while (values.length < width) values.push('');
        if (values.every((value) => value === '')) continue;
        yield { record: values, info: { lines: row.number } };
      }
      return;
    }
  } catch (error) {
    if (error instanceof ImportRejectedError) throw error;
    const reason = (error as Error).message;
    throw new ImportRejectedError(
      [{ line: 1, field: 'file', message: say(currentLanguage(), 'import.unreadableXlsx', { reason }) }],
      1,
    );
  } finally {
    source.destroy();
  }
}
