import type { HouseholdSnapshot, PersonSnapshot } from '../registry/household-snapshot.js';
import { ageAtYearEnd, ageOn } from '../../common/calendar.js';
import { wording } from './condition-labels.js';

/**
 * The fact catalogue: every name a rule may test, with its type, meaning and the Chinese label a
 * township clerk reads. Facts are computed from the registry's snapshot of a household as of a date
 * (`asOf`), never read from anywhere else, so a decision is a pure function of (snapshot, date,
 * policy version) and can be recomputed by an auditor. `household.*` facts describe the family the
 * decision is about; `person.*` facts describe the beneficiary and exist only for policies paid per
 * person.
 *
 * Families come from the parent links (each child's own mother and father), never from relations
 * to the head (SPEC.md "Registry"):
 * - for a benefit to a parent: that parent and the other parent(s) of their children, with the
 *   beneficiary's own children;
 * - for a benefit to a child: the child's mother and father, with their children;
 * - for a household benefit or one paid to every member: the parents of the household's youngest
 *   generation (the members whose linked children have no children in the household), with their
 *   children; a household without linked children: its head and spouse, with no children.
 * Children count from their birth (an adopted child from the adoption); "living" ones are those
 * alive on the date, "ever" ones include the dead.
 */
export type FactType = 'integer' | 'boolean' | 'date' | 'enum';
export type FactScope = 'household' | 'person';
export type FactValue = number | boolean | string | null;

export interface FactDefinition {
  name: string;
  scope: FactScope;
  type: FactType;
  /** The allowed values of an enum fact. */
  values?: readonly string[];
  /** Whether the fact can be null (then `eq null` / `ne null` may test it; other tests fail). */
  nullable: boolean;
  description: string;
  /** What a clerk reads (zh-CN): the fact's name in the explanation. */
  label: string;
  /** The unit an integer is counted in (周岁, 个, 次, 级), shown after values in labels. */
  unit?: string;
}

const HUKOU = ['RURAL', 'URBAN'] as const;

const DEFINITIONS: readonly Omit<FactDefinition, 'label'>[] = [
  {
    name: 'household.hukouType',
    scope: 'household',
    type: 'enum',
    values: HUKOU,
    nullable: true,
    description:
      'RURAL when at least one of the parents (living ones; all of them if none lives) holds rural hukou (a rural household), else URBAN; null without parents.',
  },
  {
    name: 'household.resident',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: "At least one living parent (without parents: a living member) holds the city's hukou on the date.",
  },
  {
    name: 'household.childrenCount',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Children of the parents ever born or adopted by the date, living or dead.',
    unit: '个',
  },
  {
    name: 'household.livingChildren',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Children of the parents alive on the date (现存子女).',
    unit: '个',
  },
  {
    name: 'household.adoptedChildren',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Of the children ever born or adopted, how many were adopted.',
    unit: '个',
  },
  {
    name: 'household.livingSons',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Sons alive on the date.',
    unit: '个',
  },
  {
    name: 'household.livingDaughters',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Daughters alive on the date.',
    unit: '个',
  },
  {
    name: 'household.twoDaughtersNoSon',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: 'Exactly two children ever born or adopted, both daughters (a two-daughter household, 双女户).',
  },
  {
    name: 'household.onlyChildOrTwoDaughters',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description:
      'Living children: exactly one, or exactly two and both daughters (an only-child or two-daughter household, counting living children).',
  },
  {
    name: 'household.onlyChildAlive',
    scope: 'household',
    type: 'boolean',
    nullable: true,
    description: 'With exactly one child ever born or adopted: whether that child is alive; null otherwise.',
  },
  {
    name: 'household.onlyChildDied',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: 'Exactly one child was ever born or adopted, and that child has died.',
  },
  {
    name: 'household.onlyChildAge',
    scope: 'household',
    type: 'integer',
    nullable: true,
    description: "The only child's age on the date; null without exactly one child or when that child died.",
    unit: '周岁',
  },
  {
    name: 'household.onlyChildAdopted',
    scope: 'household',
    type: 'boolean',
    nullable: true,
    description: 'Whether the only child was adopted; null without exactly one child.',
  },
  {
    name: 'household.onlyChildDisabilityGrade',
    scope: 'household',
    type: 'integer',
    nullable: true,
    description: "The only child's disability grade (1 most severe to 4); null when none, lifted, or no only child.",
    unit: '级',
  },
  {
    name: 'household.motherAge',
    scope: 'household',
    type: 'integer',
    nullable: true,
    description: 'The age on the date of the living mother among the parents; null when there is none (or she died).',
    unit: '周岁',
  },
  {
    name: 'household.singleParent',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description:
      'At most one of the parents is alive and in the household on the date (a single, widowed or divorced parent).',
  },
  {
    name: 'household.certificateValid',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: "The only-child parents' certificate was issued on or before the date and not revoked by it.",
  },
  {
    name: 'household.violations',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Family-planning violations recorded on or before the date, any year.',
    unit: '次',
  },
  {
    name: 'household.violations1973to2001',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Violations recorded on or before the date whose year lies from 1973 to 2001 (the national rule).',
    unit: '次',
  },
  {
    name: 'household.quotaWaived',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: 'A voluntary waiver of the second-child quota was recorded on or before the date.',
  },
  {
    name: 'person.relation',
    scope: 'person',
    type: 'enum',
    values: ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'],
    nullable: false,
    description: "The beneficiary's relation to the household head (for display; rules read the parent links).",
  },
  {
    name: 'person.sex',
    scope: 'person',
    type: 'enum',
    values: ['M', 'F'],
    nullable: false,
    description: "The beneficiary's sex (from the resident ID).",
  },
  {
    name: 'person.birthDate',
    scope: 'person',
    type: 'date',
    nullable: false,
    description: "The beneficiary's birth date (from the resident ID).",
  },
  {
    name: 'person.age',
    scope: 'person',
    type: 'integer',
    nullable: false,
    description: 'Completed years on the date.',
    unit: '周岁',
  },
  {
    name: 'person.ageAtYearEnd',
    scope: 'person',
    type: 'integer',
    nullable: false,
    description: 'Age by birth year: the year of the date minus the birth year ("reaches N within the year").',
    unit: '周岁',
  },
  {
    name: 'person.alive',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: 'No death recorded on or before the date.',
  },
  {
    name: 'person.resident',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: "The beneficiary holds the city's hukou on the date.",
  },
  {
    name: 'person.hukouType',
    scope: 'person',
    type: 'enum',
    values: HUKOU,
    nullable: false,
    description: "The beneficiary's own hukou type on the date.",
  },
  {
    name: 'person.adopted',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: 'The beneficiary is an adopted child.',
  },
  {
    name: 'person.disabilityGrade',
    scope: 'person',
    type: 'integer',
    nullable: true,
    description: 'Disability grade 1 (most severe) to 4 on the date; null when never assessed or lifted.',
    unit: '级',
  },
  {
    name: 'person.complicationGrade',
    scope: 'person',
    type: 'integer',
    nullable: true,
    description: 'Certified family-planning surgery complication grade 1-3 on the date, or null.',
    unit: '级',
  },
  {
    name: 'person.collegeAdmitted',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: 'A college admission was recorded on or before the date.',
  },
];

/** The catalogue with each fact's Chinese label (i18n `conditions.facts.*`, where English ones sit beside them). */
export const FACTS: readonly FactDefinition[] = DEFINITIONS.map((fact) => ({
  ...fact,
  label: wording().fact(fact.name),
}));

export const FACTS_BY_NAME: ReadonlyMap<string, FactDefinition> = new Map(FACTS.map((fact) => [fact.name, fact]));

/** Fact values by name. Built as object literals with a fixed shape, once per family or person. */
export type Facts = Readonly<Record<string, FactValue>>;

const isAlive = (person: PersonSnapshot, date: string) => person.deathDate === null || person.deathDate > date;

/** The date a child joined the family: the adoption date of an adopted child, else the birth date. */
const arrivedOn = (child: PersonSnapshot) =>
  child.adopted && child.adoptedOn !== null ? child.adoptedOn : child.birthDate;

/** Whether `child` is linked to one of `parentIds` and had arrived by `asOf`. */
function isChildOf(child: PersonSnapshot, parentIds: readonly string[], asOf: string): boolean {
  if (child.motherId === null && child.fatherId === null) return false;
  return (
    (parentIds.includes(child.motherId as string) || parentIds.includes(child.fatherId as string)) &&
    arrivedOn(child) <= asOf
  );
}

/** Whether the person is a member on the snapshot's date (a member who left is still in the record). */
export const isPresent = (person: PersonSnapshot) => person.leftOn === null;

/**
 * A member is a parent in the snapshot when at least one person of the household's record (born by
 * the date; a child who left counts) links to it.
 */
export function isParentMember(snapshot: HouseholdSnapshot, person: PersonSnapshot): boolean {
  if (!isPresent(person)) return false;
  const id = person.personId;
  for (const member of snapshot.members) {
    if ((member.motherId === id || member.fatherId === id) && arrivedOn(member) <= snapshot.asOf) return true;
  }
  return false;
}

/** A member is a child in the snapshot when its mother or father is in the household's record. */
export function isChildMember(snapshot: HouseholdSnapshot, person: PersonSnapshot): boolean {
  if (!isPresent(person) || (person.motherId === null && person.fatherId === null)) return false;
  for (const member of snapshot.members) {
    if (member.personId === person.motherId || member.personId === person.fatherId) return true;
  }
  return false;
}

/** The parents whose family a decision is about (member ids, in member order). */
export type FamilyKey = readonly string[];

/** The household's own family: the parents of its youngest generation (see the module comment). */
export function householdParents(snapshot: HouseholdSnapshot): FamilyKey {
  const members = snapshot.members;
  const asOf = snapshot.asOf;
  const parents: string[] = [];
  for (const child of members) {
    if (child.motherId === null && child.fatherId === null) continue;
    if (arrivedOn(child) > asOf) continue;
    // A leaf: no member is its child.
    let hasChild = false;
    for (const other of members) {
      if ((other.motherId === child.personId || other.fatherId === child.personId) && arrivedOn(other) <= asOf) {
        hasChild = true;
        break;
      }
    }
    if (hasChild) continue;
    for (const parent of members) {
      if (
        (parent.personId === child.motherId || parent.personId === child.fatherId) &&
        isPresent(parent) &&
        !parents.includes(parent.personId)
      ) {
        parents.push(parent.personId);
      }
    }
  }
  if (parents.length > 0) return orderLike(members, parents);
  for (const member of members) {
    if ((member.relation === 'HEAD' || member.relation === 'SPOUSE') && isPresent(member))
      parents.push(member.personId);
  }
  return parents;
}

/** A parent's family: the parent and the other parent(s) of their children who are members. */
export function parentFamily(snapshot: HouseholdSnapshot, parentId: string): FamilyKey {
  const parents = [parentId];
  for (const child of snapshot.members) {
    if (child.motherId !== parentId && child.fatherId !== parentId) continue;
    const other = child.motherId === parentId ? child.fatherId : child.motherId;
    if (
      other !== null &&
      !parents.includes(other) &&
      snapshot.members.some((m) => m.personId === other && isPresent(m))
    ) {
      parents.push(other);
    }
  }
  return orderLike(snapshot.members, parents);
}

/** A child's family: its mother and father, those who are members. */
export function childFamily(snapshot: HouseholdSnapshot, child: PersonSnapshot): FamilyKey {
  const parents: string[] = [];
  for (const member of snapshot.members) {
    if ((member.personId === child.motherId || member.personId === child.fatherId) && isPresent(member)) {
      parents.push(member.personId);
    }
  }
  return parents;
}

function orderLike(members: readonly PersonSnapshot[], ids: string[]): string[] {
  if (ids.length < 2) return ids;
  return members.filter((m) => ids.includes(m.personId)).map((m) => m.personId);
}

/**
 * The `household.*` facts of one family on `asOf`: the parents named by `parentIds` and the
 * children linked to them (for a parent's family, only the beneficiary's own children: `childrenOf`
 * narrows it), with the household's certificate, violations and waiver.
 */
export function familyFacts(
  snapshot: HouseholdSnapshot,
  asOf: string,
  parentIds: FamilyKey,
  childrenOf: readonly string[] = parentIds,
): Facts {
  let children = 0;
  let adopted = 0;
  let sons = 0;
  let daughters = 0;
  let livingSons = 0;
  let livingDaughters = 0;
  let onlyChild: PersonSnapshot | null = null;
  let mother: PersonSnapshot | null = null;
  let livingParents = 0;
  let residentParents = 0;
  let rural = false;
  let anyRural = false;
  let parentCount = 0;
  let residentMembers = 0;
  for (const member of snapshot.members) {
    const alive = isAlive(member, asOf);
    if (alive && member.resident && isPresent(member)) residentMembers++;
    if (parentIds.includes(member.personId)) {
      parentCount++;
      if (member.hukouType === 'RURAL') anyRural = true;
      if (alive) {
        livingParents++;
        if (member.resident) residentParents++;
        if (member.hukouType === 'RURAL') rural = true;
        if (member.sex === 'F' && mother === null) mother = member;
      }
    } else if (isChildOf(member, childrenOf, asOf)) {
      children++;
      onlyChild = member;
      if (member.adopted) adopted++;
      if (member.sex === 'M') {
        sons++;
        if (alive) livingSons++;
      } else {
        daughters++;
        if (alive) livingDaughters++;
      }
    }
  }
  const single = children === 1 ? onlyChild : null;
  const singleAlive = single !== null && isAlive(single, asOf);
  const certificate = snapshot.certificate;
  const living = livingSons + livingDaughters;
  let counted = 0;
  for (const year of snapshot.violationYears) if (year >= 1973 && year <= 2001) counted++;
  return {
    'household.hukouType': parentCount === 0 ? null : (livingParents > 0 ? rural : anyRural) ? 'RURAL' : 'URBAN',
    'household.resident': parentCount === 0 ? residentMembers > 0 : residentParents > 0,
    'household.childrenCount': children,
    'household.livingChildren': living,
    'household.adoptedChildren': adopted,
    'household.livingSons': livingSons,
    'household.livingDaughters': livingDaughters,
    'household.twoDaughtersNoSon': children === 2 && daughters === 2 && sons === 0,
    'household.onlyChildOrTwoDaughters': living === 1 || (living === 2 && livingSons === 0),
    'household.onlyChildAlive': single === null ? null : singleAlive,
    'household.onlyChildDied': single !== null && !singleAlive,
    'household.onlyChildAge': single !== null && singleAlive ? ageOn(single.birthDate, asOf) : null,
    'household.onlyChildAdopted': single === null ? null : single.adopted,
    'household.onlyChildDisabilityGrade': single === null ? null : single.disabilityGrade,
    'household.motherAge': mother === null ? null : ageOn(mother.birthDate, asOf),
    'household.singleParent': livingParents <= 1,
    'household.certificateValid':
      certificate !== null &&
      certificate.issuedOn <= asOf &&
      (certificate.revokedOn === null || certificate.revokedOn > asOf),
    'household.violations': snapshot.violationYears.length,
    'household.violations1973to2001': counted,
    'household.quotaWaived': snapshot.quotaWaivedOn !== null && snapshot.quotaWaivedOn <= asOf,
  };
}

/** The household's own family's facts on `asOf` (household benefits, benefits to every member). */
export function householdFacts(snapshot: HouseholdSnapshot, asOf: string): Facts {
  return familyFacts(snapshot, asOf, householdParents(snapshot));
}

/** One member's facts on `asOf`. */
export function personFacts(person: PersonSnapshot, asOf: string): Facts {
  return {
    'person.relation': person.relation,
    'person.sex': person.sex,
    'person.birthDate': person.birthDate,
    'person.age': ageOn(person.birthDate, asOf),
    'person.ageAtYearEnd': ageAtYearEnd(person.birthDate, asOf),
    'person.alive': isAlive(person, asOf),
    'person.resident': person.resident,
    'person.hukouType': person.hukouType,
    'person.adopted': person.adopted,
    'person.disabilityGrade': person.disabilityGrade,
    'person.complicationGrade': person.complicationGrade,
    'person.collegeAdmitted': person.collegeAdmittedOn !== null && person.collegeAdmittedOn <= asOf,
  };
}
