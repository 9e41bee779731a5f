import { DEFAULT_LANGUAGE, label, translate, type I18nKey, type Language } from '../../common/i18n/i18n.js';
import { accountNoProblem, bankCodeProblem } from './bank-account.js';
import { ageOn, isDate } from '../../common/calendar.js';
import type { KeyedProblem } from '../../common/i18n/stored-reason.js';
import type { HukouType, Relation, Sex } from './household-snapshot.js';
import { parseIdNumber } from './id-number.js';

/**
 * The rules a new household must satisfy before anything is written, as plain functions shared by
 * POST /households and the bulk import (which maps each problem back to a CSV line).
 */
export const RELATIONS: readonly Relation[] = ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'];
export const HUKOU_TYPES: readonly HukouType[] = ['RURAL', 'URBAN'];
export const HOUSEHOLD_NO = /^[A-Za-z0-9-]{1,32}$/;
export const VILLAGE_CODE = /^\d{12}$/;
export const MAX_MEMBERS = 30;
/** The age from which a person may hold the household's one-card account. */
export const ADULT_AGE = 18;

export interface MemberDraft {
  idNumber: string;
  name: string;
  relation: Relation;
  hukouType: HukouType;
  birthOrder?: number | null;
  adopted?: boolean;
  adoptedOn?: string | null;
  /** Optional: when given, must agree with the ID number. */
  birthDate?: string | null;
  sex?: Sex | null;
  deathDate?: string | null;
  disabilityGrade?: number | null;
  /** When the grade was assessed; without it the grade holds from the beginning of the record. */
  disabilityAssessedOn?: string | null;
  complicationGrade?: number | null;
  complicationAssessedOn?: string | null;
  /** The member's own mother and father: by resident ID (a member or anyone registered) or person id. */
  motherIdNumber?: string | null;
  fatherIdNumber?: string | null;
  motherPersonId?: string | null;
  fatherPersonId?: string | null;
}

export interface HouseholdDraft {
  householdNo: string;
  regionCode: string;
  address: string;
  members: MemberDraft[];
  certificate?: { certificateNo: string; issuedOn: string } | null;
  violationYears?: number[] | null;
  quotaWaivedOn?: string | null;
  /** The holder is named by ID number: the persons do not exist yet. */
  bankAccount?: { bankCode: string; accountNo: string; holderIdNumber: string } | null;
}

export interface DraftProblem {
  /** `members.2.idNumber`, `certificate.issuedOn`, `householdNo`, ... */
  field: string;
  message: string;
  /** Index of the member the problem is about, if any. */
  member?: number;
  /** An ID-number problem (answered as INVALID_ID_NUMBER). */
  idNumber?: boolean;
}

export interface ValidMember extends MemberDraft {
  idNumber: string;
  birthDate: string;
  sex: Sex;
}

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

type DateWhat = keyof typeof import('../../common/i18n/zh-CN.js').zhCN.household.what;

/** Checks a date field: a real date, not in the future, not before `notBefore` (the birth date). */
function dateProblem(
  value: unknown,
  today: string,
  lang: Language,
  notBefore?: string,
  whatKey: DateWhat = 'date',
): string | undefined {
  const what = translate(`household.what.${whatKey}`, {}, lang);
  if (!isDate(value)) return translate('household.dateInvalid', { what }, lang);
  if (value > today) return translate('household.dateFuture', { what, value }, lang);
  if (notBefore && value < notBefore) {
    return translate('household.dateBeforeBirth', { what, value, birthDate: notBefore }, lang);
  }
  return undefined;
}

export function validateMember(
  member: MemberDraft,
  today: string,
  index: number,
  prefix = `members.${index}.`,
  lang: Language = DEFAULT_LANGUAGE,
): { problems: DraftProblem[]; valid?: ValidMember } {
  const problems: DraftProblem[] = [];
  const add = (field: string, message: string, idNumber = false) =>
    problems.push({ field: `${prefix}${field}`, message, member: index, ...(idNumber ? { idNumber } : {}) });
  const say = (key: I18nKey, params = {}) => translate(key, params, lang);

  const id = parseIdNumber(member.idNumber, today, lang);
  if (!id.ok) add('idNumber', id.reason, true);
  const birth = id.ok ? id.value.birthDate : undefined;
  if (id.ok && member.birthDate != null && member.birthDate !== id.value.birthDate) {
    add(
      'birthDate',
      say('household.birthDateDisagrees', { value: member.birthDate, expected: id.value.birthDate }),
      true,
    );
  }
  if (id.ok && member.sex != null && member.sex !== id.value.sex) {
    const [value, expected] = [member.sex, id.value.sex].map((sex) => (lang === 'en' ? sex : label('sex', sex, lang)));
    add('sex', say('household.sexDisagrees', { value, expected }), true);
  }
  if (typeof member.name !== 'string' || member.name.trim().length < 1 || member.name.trim().length > 50) {
    add('name', say('household.name'));
  }
  const listOf = (catalogue: 'relation' | 'hukouType', values: readonly string[]) =>
    values.map((value) => (lang === 'en' ? value : label(catalogue, value, lang))).join(lang === 'en' ? ', ' : '、');
  if (!RELATIONS.includes(member.relation)) {
    add('relation', say('household.relation', { values: listOf('relation', RELATIONS) }));
  }
  if (!HUKOU_TYPES.includes(member.hukouType)) {
    add('hukouType', say('household.hukouType', { values: listOf('hukouType', HUKOU_TYPES) }));
  }
  const child = member.relation === 'CHILD';
  if (member.birthOrder != null) {
    if (!child) add('birthOrder', say('household.birthOrderNotChild'));
    else if (!isInt(member.birthOrder) || member.birthOrder < 1 || member.birthOrder > 20) {
      add('birthOrder', say('household.birthOrderRange'));
    }
  }
  if (member.adopted && !child) add('adopted', say('household.adoptedNotChild'));
  if (member.adoptedOn != null) {
    if (!member.adopted) add('adoptedOn', say('household.adoptedOnNotAdopted'));
    else {
      const problem = dateProblem(member.adoptedOn, today, lang, birth, 'adoption');
      if (problem) add('adoptedOn', problem);
    }
  }
  if (member.deathDate != null) {
    const problem = dateProblem(member.deathDate, today, lang, birth, 'death');
    if (problem) add('deathDate', problem);
  }
  const grade = (field: 'disability' | 'complication', max: number) => {
    const value = member[`${field}Grade`];
    const on = member[`${field}AssessedOn`];
    if (value != null && (!isInt(value) || value < 1 || value > max)) {
      add(`${field}Grade`, say(`household.${field}Grade`, { max }));
    }
    if (on != null) {
      if (value == null) add(`${field}AssessedOn`, say(`household.${field}AssessedOn`));
      const problem = dateProblem(on, today, lang, birth, 'assessment');
      if (problem) add(`${field}AssessedOn`, problem);
    }
  };
  grade('disability', 4);
  grade('complication', 3);

  if (problems.length > 0 || !id.ok) return { problems };
  return {
    problems,
    valid: {
      ...member,
      name: member.name.trim(),
      idNumber: id.value.idNumber,
      birthDate: id.value.birthDate,
      sex: id.value.sex,
    },
  };
}

/** Every problem of a household draft that can be seen without the database. */
export function validateHouseholdDraft(
  draft: HouseholdDraft,
  today: string,
  lang: Language = DEFAULT_LANGUAGE,
): { problems: DraftProblem[]; members: ValidMember[] } {
  const problems: DraftProblem[] = [];
  const say = (key: I18nKey, params = {}) => translate(key, params, lang);
  if (typeof draft.householdNo !== 'string' || !HOUSEHOLD_NO.test(draft.householdNo)) {
    problems.push({ field: 'householdNo', message: say('household.householdNo') });
  }
  if (typeof draft.regionCode !== 'string' || !VILLAGE_CODE.test(draft.regionCode)) {
    problems.push({ field: 'regionCode', message: say('household.regionCode') });
  }
  if (typeof draft.address !== 'string' || draft.address.trim().length < 1 || draft.address.trim().length > 200) {
    problems.push({ field: 'address', message: say('household.address') });
  }
  const members: ValidMember[] = [];
  if (!Array.isArray(draft.members) || draft.members.length < 1 || draft.members.length > MAX_MEMBERS) {
    problems.push({ field: 'members', message: say('household.memberCount', { max: MAX_MEMBERS }) });
  } else {
    draft.members.forEach((member, index) => {
      const result = validateMember(member, today, index, undefined, lang);
      problems.push(...result.problems);
      if (result.valid) members.push(result.valid);
    });
    const heads = draft.members.filter((member) => member.relation === 'HEAD').length;
    if (heads !== 1) problems.push({ field: 'members', message: say('household.heads', { count: heads }) });
    const seenIds = new Map<string, number>();
    const seenOrders = new Map<number, number>();
    draft.members.forEach((member, index) => {
      const id = typeof member.idNumber === 'string' ? member.idNumber.trim().toUpperCase() : '';
      if (id && seenIds.has(id)) {
        problems.push({
          field: `members.${index}.idNumber`,
          message: say('household.idTwice', { idNumber: id }),
          member: index,
        });
      }
      seenIds.set(id, index);
      if (member.birthOrder != null && member.relation === 'CHILD') {
        if (seenOrders.has(member.birthOrder)) {
          problems.push({
            field: `members.${index}.birthOrder`,
            message: say('household.birthOrderTwice', { birthOrder: member.birthOrder }),
            member: index,
          });
        }
        seenOrders.set(member.birthOrder, index);
      }
    });
  }

  if (draft.certificate != null) {
    const { certificateNo, issuedOn } = draft.certificate;
    if (typeof certificateNo !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(certificateNo)) {
      problems.push({
        field: 'certificate.certificateNo',
        message: say('household.certificateNo'),
      });
    }
    const problem = dateProblem(issuedOn, today, lang, undefined, 'issue');
    if (problem) problems.push({ field: 'certificate.issuedOn', message: problem });
  }
  const thisYear = Number(today.slice(0, 4));
  const years = draft.violationYears ?? [];
  years.forEach((year, index) => {
    if (!isInt(year) || year < 1949 || year > thisYear) {
      problems.push({ field: `violationYears.${index}`, message: say('household.violationYear', { year: thisYear }) });
    } else if (years.indexOf(year) !== index) {
      problems.push({ field: `violationYears.${index}`, message: say('household.violationYearTwice', { year }) });
    }
  });
  if (draft.quotaWaivedOn != null) {
    const problem = dateProblem(draft.quotaWaivedOn, today, lang, undefined, 'waiver');
    if (problem) problems.push({ field: 'quotaWaivedOn', message: problem });
  }
  if (draft.bankAccount != null) {
    const { bankCode, accountNo, holderIdNumber } = draft.bankAccount;
    const codeProblem = bankCodeProblem(bankCode, lang);
    if (codeProblem) problems.push({ field: 'bankAccount.bankCode', message: codeProblem });
    const numberProblem = accountNoProblem(accountNo, lang);
    if (numberProblem) problems.push({ field: 'bankAccount.accountNo', message: numberProblem });
    const holderId = typeof holderIdNumber === 'string' ? holderIdNumber.trim().toUpperCase() : '';
    const holderIndex = draft.members?.findIndex?.(
      (m) => typeof m.idNumber === 'string' && m.idNumber.trim().toUpperCase() === holderId,
    );
    const holder = members.find((member) => member.idNumber === holderId);
    if (holderIndex === undefined || holderIndex < 0) {
      problems.push({
        field: 'bankAccount.holderIdNumber',
        message: say('household.holderNotMember'),
      });
    } else if (holder) {
      const problem = holderProblem(holder, today, lang);
      if (problem) problems.push({ field: 'bankAccount.holderIdNumber', message: problem, member: holderIndex });
    }
  }
  return { problems, members };
}

/** Why a member cannot hold the household's one-card account on `date`, as a catalogue key, or undefined. */
export function holderProblemKey(
  holder: { birthDate: string; deathDate?: string | null },
  date: string,
): KeyedProblem | undefined {
  if (holder.deathDate != null && holder.deathDate <= date) return { key: 'household.holderDied' };
  const age = ageOn(holder.birthDate, date);
  if (age < ADULT_AGE) return { key: 'household.holderNotAdult', params: { adultAge: ADULT_AGE, age } };
  return undefined;
}

/** Why a member cannot hold the household's one-card account on `date` (in `lang`), or undefined. */
export function holderProblem(
  holder: { birthDate: string; deathDate?: string | null },
  date: string,
  lang: Language = DEFAULT_LANGUAGE,
): string | undefined {
  const problem = holderProblemKey(holder, date);
  return problem && translate(problem.key, problem.params, lang);
}

/** A person a parent link may name: a member being registered, or someone already registered. */
export interface LinkablePerson {
  id: string;
  idNumber: string;
  sex: Sex;
  birthDate: string;
}

export interface ParentLink {
  personId: string;
  motherId: string | null;
  fatherId: string | null;
}

/**
 * Each member's own mother and father (SPEC.md "Registry": the parent links every rule reads). A
 * member names them by resident ID (`motherIdNumber`, found among the members or in `known`, the
 * registered persons with those numbers) or by person id (found in `known`); a CHILD that names
 * neither is linked to the household's HEAD and SPOUSE by their sex, as the registry has always
 * read a household. A mother is a woman, a father a man, both born before the child and neither
 * the child itself.
 */
export function resolveParentLinks(
  members: readonly (Pick<
    MemberDraft,
    'idNumber' | 'relation' | 'motherIdNumber' | 'fatherIdNumber' | 'motherPersonId' | 'fatherPersonId'
  > & { id: string; sex: Sex; birthDate: string })[],
  known: readonly LinkablePerson[],
  prefix = 'members.',
  lang: Language = DEFAULT_LANGUAGE,
): { links: ParentLink[]; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const all: LinkablePerson[] = [
    ...members.map((m) => ({ id: m.id, idNumber: m.idNumber, sex: m.sex, birthDate: m.birthDate })),
    ...known,
  ];
  const couple = members.filter((m) => m.relation === 'HEAD' || m.relation === 'SPOUSE');
  const links: ParentLink[] = members.map((member, index) => {
    const resolve = (role: 'mother' | 'father'): string | null => {
      const idNumber = member[`${role}IdNumber`];
      const personId = member[`${role}PersonId`];
      const field = `${prefix}${index}.${role}${personId != null ? 'PersonId' : 'IdNumber'}`;
      if (idNumber == null && personId == null) {
        if (member.relation !== 'CHILD') return null;
        const sex = role === 'mother' ? 'F' : 'M';
        return couple.find((parent) => parent.sex === sex && parent.id !== member.id)?.id ?? null;
      }
      const wanted = typeof idNumber === 'string' ? idNumber.trim().toUpperCase() : null;
      const parent = all.find((p) => (personId != null ? p.id === personId : p.idNumber === wanted));
      const words = {
        role: translate(`household.role.${role}`, {}, lang),
        sexWord: translate(`household.sexWord.${role}`, {}, lang),
      };
      const refuse = (key: I18nKey, params: Record<string, unknown> = {}) => {
        problems.push({ field, message: translate(key, { ...words, ...params }, lang), member: index });
        return null;
      };
      if (!parent) return refuse('household.parentNotRegistered', { id: personId ?? wanted });
      if (parent.id === member.id) return refuse('household.parentSelf');
      if (parent.sex !== (role === 'mother' ? 'F' : 'M')) return refuse('household.parentWrongSex');
      if (parent.birthDate >= member.birthDate) return refuse('household.parentNotOlder');
      return parent.id;
    };
    return { personId: member.id, motherId: resolve('mother'), fatherId: resolve('father') };
  });
  return { links, problems };
}

/** The resident IDs a draft's parent links name (to look up the registered ones). */
export function namedParentIdNumbers(members: readonly MemberDraft[]): string[] {
  const numbers = new Set<string>();
  for (const member of members) {
    for (const value of [member.motherIdNumber, member.fatherIdNumber]) {
      if (typeof value === 'string' && value.trim()) numbers.add(value.trim().toUpperCase());
    }
  }
  return [...numbers];
}
