import type { HouseholdSnapshot, PersonSnapshot } from '../registry/household-snapshot.js';
import { ageAtYearEnd, ageOn } from './calendar.js';

/**
 * The fact catalogue: every name a rule may test, with its type and meaning. Facts are computed from
 * the registry's snapshot of a household as of a date (`asOf`), never read from anywhere else, so a
 * decision is a pure function of (snapshot, date, policy version) and can be recomputed by an
 * auditor. `household.*` facts describe the household; `person.*` facts describe the beneficiary
 * and exist only for policies paid per person.
 *
 * Conventions: "parents" are the members related as HEAD or SPOUSE; "children" are the members
 * related as CHILD, born or adopted on or before the date, alive or not. The household's hukou is
 * the head's (the first parent's when there is no head).
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
}

const HUKOU = ['RURAL', 'URBAN'] as const;

export const FACTS: readonly FactDefinition[] = [
  {
    name: 'household.hukouType',
    scope: 'household',
    type: 'enum',
    values: HUKOU,
    nullable: true,
    description: "The head's hukou type (the first parent's without a head); null when the household has no parent.",
  },
  {
    name: 'household.childrenCount',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Children born or adopted by the date, living or dead.',
  },
  {
    name: 'household.adoptedChildren',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Of those, how many were adopted.',
  },
  {
    name: 'household.livingSons',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Sons alive on the date.',
  },
  {
    name: 'household.livingDaughters',
    scope: 'household',
    type: 'integer',
    nullable: false,
    description: 'Daughters alive on the date.',
  },
  {
    name: 'household.twoDaughtersNoSon',
    scope: 'household',
    type: 'boolean',
    nullable: false,
    description: 'Exactly two children born or adopted, both daughters (a two-daughter household, 双女户).',
  },
  {
    name: 'household.onlyChildAlive',
    scope: 'household',
    type: 'boolean',
    nullable: true,
    description: 'With exactly one child born or adopted: whether that child is alive; null otherwise.',
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
  },
  {
    name: 'household.motherAge',
    scope: 'household',
    type: 'integer',
    nullable: true,
    description: 'The age on the date of the woman among the parents; null when there is none.',
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
    description: 'Family-planning violations recorded on or before the date.',
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
    description: "The beneficiary's relation to the household head.",
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
  },
  {
    name: 'person.ageAtYearEnd',
    scope: 'person',
    type: 'integer',
    nullable: false,
    description: 'Completed years on 31 December of the date\'s year ("reaches N within the year").',
  },
  {
    name: 'person.alive',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: 'No death recorded on or before the date.',
  },
  {
    name: 'person.hukouType',
    scope: 'person',
    type: 'enum',
    values: HUKOU,
    nullable: false,
    description: "The beneficiary's hukou type on the date.",
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
  },
  {
    name: 'person.complicationGrade',
    scope: 'person',
    type: 'integer',
    nullable: true,
    description: 'Certified family-planning surgery complication grade 1-3 on the date, or null.',
  },
  {
    name: 'person.collegeAdmitted',
    scope: 'person',
    type: 'boolean',
    nullable: false,
    description: 'A college admission was recorded on or before the date.',
  },
];

export const FACTS_BY_NAME: ReadonlyMap<string, FactDefinition> = new Map(FACTS.map((fact) => [fact.name, fact]));

/** Fact values by name. Built as object literals with a fixed shape, once per household or person. */
export type Facts = Readonly<Record<string, FactValue>>;

function isParent(person: PersonSnapshot): boolean {
  return person.relation === 'HEAD' || person.relation === 'SPOUSE';
}

const isAlive = (person: PersonSnapshot, date: string) => person.deathDate === null || person.deathDate > date;

/** The household's facts on `asOf`, computed in one pass over its members. */
export function householdFacts(snapshot: HouseholdSnapshot, asOf: string): Facts {
  let children = 0;
  let adopted = 0;
  let sons = 0;
  let daughters = 0;
  let livingSons = 0;
  let livingDaughters = 0;
  let onlyChild: PersonSnapshot | null = null;
  let head: PersonSnapshot | null = null;
  let firstParent: PersonSnapshot | null = null;
  let mother: PersonSnapshot | null = null;
  for (const member of snapshot.members) {
    if (member.relation === 'CHILD') {
      const born = member.adopted && member.adoptedOn !== null ? member.adoptedOn : member.birthDate;
      if (born > asOf) continue;
      children++;
      onlyChild = member;
      if (member.adopted) adopted++;
      const alive = isAlive(member, asOf);
      if (member.sex === 'M') {
        sons++;
        if (alive) livingSons++;
      } else {
        daughters++;
        if (alive) livingDaughters++;
      }
    } else if (isParent(member)) {
      if (member.relation === 'HEAD' && head === null) head = member;
      if (firstParent === null) firstParent = member;
      if (member.sex === 'F' && mother === null) mother = member;
    }
  }
  const single = children === 1 ? onlyChild : null;
  const singleAlive = single !== null && isAlive(single, asOf);
  const hukouSource = head ?? firstParent;
  const certificate = snapshot.certificate;
  return {
    'household.hukouType': hukouSource === null ? null : hukouSource.hukouType,
    'household.childrenCount': children,
    'household.adoptedChildren': adopted,
    'household.livingSons': livingSons,
    'household.livingDaughters': livingDaughters,
    'household.twoDaughtersNoSon': children === 2 && daughters === 2 && sons === 0,
    'household.onlyChildAlive': single === null ? null : singleAlive,
    'household.onlyChildDied': single !== null && !singleAlive,
    'household.onlyChildAge': single !== null && singleAlive ? ageOn(single.birthDate, asOf) : null,
    'household.onlyChildAdopted': single === null ? null : single.adopted,
    'household.onlyChildDisabilityGrade': single === null ? null : single.disabilityGrade,
    'household.motherAge': mother === null ? null : ageOn(mother.birthDate, asOf),
    'household.certificateValid':
      certificate !== null &&
      certificate.issuedOn <= asOf &&
      (certificate.revokedOn === null || certificate.revokedOn > asOf),
    'household.violations': snapshot.violationYears.length,
    'household.quotaWaived': snapshot.quotaWaivedOn !== null && snapshot.quotaWaivedOn <= asOf,
  };
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
    'person.hukouType': person.hukouType,
    'person.adopted': person.adopted,
    'person.disabilityGrade': person.disabilityGrade,
    'person.complicationGrade': person.complicationGrade,
    'person.collegeAdmitted': person.collegeAdmittedOn !== null && person.collegeAdmittedOn <= asOf,
  };
}
