import { pii, type PiiKind } from '../../src/common/pii/keyring.js';
import { idNumber, withLuhn } from './ids.js';
import { Prng } from './prng.js';

/**
 * A synthetic Zhengzhou: households on the real counties and townships (regions table), in
 * synthetic villages, with plausible families. Everything is drawn from one seeded PRNG, so the
 * same seed and N give the same city. The generator emits COPY text (tab-separated, `\N` for null)
 * for exactly the registry tables and their dated history rows that the snapshot loader reads
 * (src/modules/registry/snapshot.queries.ts): facts known from the start are dated '-infinity',
 * later changes (a move, a hukou change, a new bank account, a disability assessment) are dated
 * rows after them.
 */

export interface Township {
  code: string;
  name: string;
  countyCode: string;
}

export interface Village {
  code: string;
  name: string;
  township: Township;
  rural: boolean;
}

/** A number as the registry stores it (issue 22): ciphertext, then blind index, as COPY text bytea. */
function sealedCopy(kind: PiiKind, plain: string): string {
  const keyring = pii();
  return `\\\\x${keyring.encrypt(plain).toString('hex')}\t\\\\x${keyring.blindIndex(kind, plain).toString('hex')}`;
}

/** The registry tables in load order (foreign keys), with the columns the generator fills. */
export const TABLES = {
  households: 'households (id, household_no, region_code, address, quota_waived_on)',
  persons:
    'persons (id, id_number_enc, id_number_bidx, name, sex, birth_date, death_date, college_admitted_on, mother_id, father_id)',
  household_members:
    'household_members (person_id, household_id, relation, birth_order, adopted, adopted_on, joined_on)',
  household_events: 'household_events (household_id, type, person_id, event_date, data)',
  household_region_history: 'household_region_history (household_id, effective_on, region_code, address)',
  person_hukou_history: 'person_hukou_history (person_id, effective_on, hukou_type)',
  person_grade_history: 'person_grade_history (person_id, kind, effective_on, grade)',
  household_certificates: 'household_certificates (household_id, certificate_no, issued_on, revoked_on)',
  household_violations: 'household_violations (household_id, year, recorded_on)',
  household_bank_accounts:
    'household_bank_accounts (household_id, effective_on, bank_code, account_no_enc, account_no_bidx, holder_person_id)',
} as const;

export type TableName = keyof typeof TABLES;

export type Chunk = Record<TableName, string[]>;

export type FamilyKind =
  'ONE_CHILD' | 'TWO_DAUGHTERS' | 'BEREAVED' | 'DISABLED_CHILD' | 'SEVERAL_CHILDREN' | 'NO_CHILD';

export interface CityStats {
  households: number;
  persons: number;
  rows: number;
  rural: number;
  certificates: number;
  bankAccounts: number;
  kinds: Record<FamilyKind, number>;
}

/** Households and queries the HTTP stage draws from (a reservoir sample of the city). */
export interface CitySample {
  householdIds: string[];
  searches: string[];
}

const BEGINNING = '-infinity';
/** The synthetic registration clock: the first household on 2 January 2024, one a second after. */
const REGISTERED_FROM_MS = Date.UTC(2024, 0, 2, 1, 0, 0);
const NULL = '\\N';
/** Districts and development zones are mostly urban; the counties and county-level cities rural. */
const URBAN_COUNTIES = new Set([
  '410102',
  '410103',
  '410104',
  '410105',
  '410106',
  '410108',
  '410171',
  '410172',
  '410173',
]);
const SURNAMES = [
  ...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎',
];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强海燕春梅国庆文学振东'];
const BANKS = ['ICBC', 'ABC', 'BOC', 'CCB', 'PSBC', '102', '103', '105', 'ZZBANK'];
const KIND_LIMITS: [number, FamilyKind][] = [
  [0.4, 'ONE_CHILD'],
  [0.48, 'TWO_DAUGHTERS'],
  [0.495, 'BEREAVED'],
  [0.51, 'DISABLED_CHILD'],
  [0.88, 'SEVERAL_CHILDREN'],
  [1, 'NO_CHILD'],
];

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

interface Person {
  id: string;
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  deathDate: string | null;
  relation: 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT';
  birthOrder: number | null;
  adoptedOn: string | null;
  collegeAdmittedOn: string | null;
}

export class CityGenerator {
  readonly stats: CityStats = {
    households: 0,
    persons: 0,
    rows: 0,
    rural: 0,
    certificates: 0,
    bankAccounts: 0,
    kinds: { ONE_CHILD: 0, TWO_DAUGHTERS: 0, BEREAVED: 0, DISABLED_CHILD: 0, SEVERAL_CHILDREN: 0, NO_CHILD: 0 },
  };
  readonly sample: CitySample = { householdIds: [], searches: [] };
  readonly villages: Village[] = [];

  private readonly rng: Prng;
  private readonly addressCodes: string[];
  private readonly addressIndex = new Map<string, number>();
  /** Per (address code, birth date, sex): how many ID sequence numbers are taken. */
  private readonly sequences: Uint16Array;
  private readonly householdsPerVillage: Uint32Array;
  private householdIndex = 0;
  private registeredAt = REGISTERED_FROM_MS;

  constructor(
    seed: number,
    townships: Township[],
    households: number,
    private readonly sampleSize = 2000,
  ) {
    this.rng = new Prng(seed);
    // About 350 households a village, at least one village a township.
    const perTownship = Math.min(899, Math.max(1, Math.ceil(households / townships.length / 350)));
    for (const township of townships) {
      const urbanCounty = URBAN_COUNTIES.has(township.countyCode);
      for (let v = 1; v <= perTownship; v++) {
        const rural = urbanCounty ? this.rng.chance(0.15) : this.rng.chance(0.8);
        this.villages.push({
          code: `${township.code}${String(100 + v).padStart(3, '0')}`,
          name: `${township.name}${rural ? '' : '第'}${v}${rural ? '村' : '社区'}`,
          township,
          rural,
        });
      }
    }
    this.householdsPerVillage = new Uint32Array(this.villages.length);
    this.addressCodes = [...new Set(townships.map((t) => t.countyCode)), '410100'];
    this.addressCodes.forEach((code, i) => this.addressIndex.set(code, i));
    this.sequences = new Uint16Array(this.addressCodes.length * 140 * 372 * 2);
  }

  /** The village rows for `regions` (code, name, parent_code, level). */
  villageRows(): string[] {
    return this.villages.map((v) => `${v.code}\t${v.name}\t${v.township.code}\tVILLAGE\n`);
  }

  /** The COPY text of the next `count` households, table by table. */
  nextChunk(count: number): Chunk {
    const chunk = Object.fromEntries(Object.keys(TABLES).map((t) => [t, [] as string[]])) as unknown as Chunk;
    for (let i = 0; i < count; i++) this.household(chunk);
    for (const rows of Object.values(chunk)) this.stats.rows += rows.length;
    return chunk;
  }

  private date(fromYear: number, toYear: number): string {
    const r = this.rng;
    return `${r.int(fromYear, toYear)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}`;
  }

  /** A date on or after `from` (YYYY-MM-DD), no later than the end of `toYear` unless `from` is. */
  private after(from: string, toYear: number): string {
    const fromYear = Number(from.slice(0, 4));
    const year = this.rng.int(fromYear, Math.max(fromYear, toYear));
    const date = this.date(year, year);
    return date < from ? from : date;
  }

  private name(surname?: string): string {
    const r = this.rng;
    const family = surname ?? r.pick(SURNAMES);
    const given = r.chance(0.6) ? `${r.pick(GIVEN)}${r.pick(GIVEN)}` : r.pick(GIVEN);
    return family + given;
  }

  private person(
    countyCode: string,
    relation: Person['relation'],
    sex: 'M' | 'F',
    birthDate: string,
    surname?: string,
  ): Person {
    let address = this.addressIndex.get(countyCode)!;
    const [y, m, d] = birthDate.split('-').map(Number);
    const day = (y - 1900) * 372 + (m - 1) * 31 + (d - 1);
    let slot = (address * 140 * 372 + day) * 2 + (sex === 'M' ? 1 : 0);
    if (this.sequences[slot] >= 499) {
      address = this.addressCodes.length - 1; // the city's own code takes the overflow
      slot = (address * 140 * 372 + day) * 2 + (sex === 'M' ? 1 : 0);
    }
    const taken = this.sequences[slot]++;
    const sequence = sex === 'M' ? taken * 2 + 1 : taken * 2;
    this.stats.persons++;
    return {
      id: this.rng.uuidv7(this.registeredAt),
      idNumber: idNumber(this.addressCodes[address], birthDate, sequence),
      name: this.name(surname),
      sex,
      birthDate,
      deathDate: null,
      relation,
      birthOrder: null,
      adoptedOn: null,
      collegeAdmittedOn: null,
    };
  }

  private household(out: Chunk): void {
    const r = this.rng;
    const index = this.householdIndex++;
    const villageIndex = Math.floor(r.next() * this.villages.length);
    const village = this.villages[villageIndex];
    const county = village.township.countyCode;
    const rural = r.chance(village.rural ? 0.9 : 0.1);
    const draw = r.next();
    const kind = KIND_LIMITS.find(([limit]) => draw < limit)?.[1] ?? 'NO_CHILD';
    this.registeredAt = REGISTERED_FROM_MS + index * 1000;
    const householdId = r.uuidv7(this.registeredAt);
    const householdNo = `${village.code}${String(++this.householdsPerVillage[villageIndex]).padStart(4, '0')}`;
    const address = `${village.name}${r.int(1, 300)}号`;
    this.stats.households++;
    this.stats.kinds[kind]++;
    if (rural) this.stats.rural++;

    // Parents: the head's birth year leans towards middle age (1935-2000).
    const headYear = 1935 + Math.floor(((r.next() + r.next()) / 2) * 66);
    const headSex: 'M' | 'F' = r.chance(0.85) ? 'M' : 'F';
    const surname = r.pick(SURNAMES);
    const members: Person[] = [this.person(county, 'HEAD', headSex, this.date(headYear, headYear), surname)];
    if (r.chance(0.93)) {
      const spouseYear = Math.min(2000, headYear + r.int(-3, 4));
      members.push(this.person(county, 'SPOUSE', headSex === 'M' ? 'F' : 'M', this.date(spouseYear, spouseYear)));
    }
    const motherYear = Math.max(...members.map((m) => Number(m.birthDate.slice(0, 4))));

    // Children, by the family's kind.
    const sexes: ('M' | 'F')[] = [];
    if (kind === 'ONE_CHILD' || kind === 'BEREAVED' || kind === 'DISABLED_CHILD')
      sexes.push(r.chance(0.52) ? 'M' : 'F');
    else if (kind === 'TWO_DAUGHTERS') sexes.push('F', 'F');
    else if (kind === 'SEVERAL_CHILDREN') {
      const n = r.chance(0.75) ? 2 : 3;
      for (let i = 0; i < n; i++) sexes.push(r.chance(0.5) ? 'M' : 'F');
      if (!sexes.includes('M')) sexes[0] = 'M';
    }
    let year = motherYear + r.int(21, 32);
    const children: Person[] = [];
    for (const sex of sexes) {
      if (year > 2024) break;
      const child = this.person(county, 'CHILD', sex, this.date(year, year), surname);
      child.birthOrder = children.length + 1;
      if (r.chance(0.01)) child.adoptedOn = this.after(child.birthDate, Math.min(year + 4, 2024));
      const age = 2025 - year;
      if (age >= 18 && age <= 24 && rural && r.chance(0.3)) child.collegeAdmittedOn = `${year + 18}-08-20`;
      children.push(child);
      year += r.int(2, 6);
    }
    if (kind === 'BEREAVED' && children.length === 1) {
      children[0].deathDate = this.after(children[0].birthDate, 2024);
      children[0].collegeAdmittedOn = null;
    }
    members.push(...children);
    if (r.chance(0.1) && headYear >= 1955) {
      const elderYear = Math.max(1920, headYear - r.int(22, 32));
      const elder = this.person(county, 'PARENT', r.chance(0.5) ? 'M' : 'F', this.date(elderYear, elderYear), surname);
      if (elderYear < 1945 && r.chance(0.3)) elder.deathDate = this.date(2010, 2024);
      members.push(elder);
    }
    const spouse = members.find((m) => m.relation === 'SPOUSE');
    if (spouse && Number(spouse.birthDate.slice(0, 4)) < 1950 && r.chance(0.12))
      spouse.deathDate = this.date(2012, 2024);

    // The household and where it lives (1% moved here from another village, dated).
    const quotaWaived = kind === 'ONE_CHILD' && r.chance(0.03) ? this.date(1995, 2015) : null;
    out.households.push(`${householdId}\t${householdNo}\t${village.code}\t${address}\t${quotaWaived ?? NULL}\n`);
    out.household_events.push(`${householdId}\tREGISTERED\t${NULL}\t2024-01-02\t{"source":"BENCH"}\n`);
    if (r.chance(0.01)) {
      const from = this.villages[Math.floor(r.next() * this.villages.length)];
      const movedOn = this.date(2005, 2023);
      out.household_region_history.push(`${householdId}\t${BEGINNING}\t${from.code}\t${from.name}1号\n`);
      out.household_region_history.push(`${householdId}\t${movedOn}\t${village.code}\t${address}\n`);
      out.household_events.push(`${householdId}\tMOVE\t${NULL}\t${movedOn}\t{"regionCode":"${village.code}"}\n`);
    } else {
      out.household_region_history.push(`${householdId}\t${BEGINNING}\t${village.code}\t${address}\n`);
    }

    // Members, persons and their dated facts.
    const hukou = rural ? 'RURAL' : 'URBAN';
    // Each child is linked to its own mother and father: the couple, as the registry links them.
    const couple = members.filter((m) => m.relation === 'HEAD' || m.relation === 'SPOUSE');
    const motherId = couple.find((m) => m.sex === 'F')?.id ?? NULL;
    const fatherId = couple.find((m) => m.sex === 'M')?.id ?? NULL;
    for (const m of members) {
      const parents = m.relation === 'CHILD' ? `${motherId}\t${fatherId}` : `${NULL}\t${NULL}`;
      out.persons.push(
        `${m.id}\t${sealedCopy('id', m.idNumber)}\t${m.name}\t${m.sex}\t${m.birthDate}\t${m.deathDate ?? NULL}\t${m.collegeAdmittedOn ?? NULL}\t${parents}\n`,
      );
      const joinedOn = m.adoptedOn ?? BEGINNING;
      out.household_members.push(
        `${m.id}\t${householdId}\t${m.relation}\t${m.birthOrder ?? NULL}\t${m.adoptedOn ? 't' : 'f'}\t${m.adoptedOn ?? NULL}\t${joinedOn}\n`,
      );
      if (r.chance(0.03)) {
        const changedOn = this.after(m.birthDate > '1990-01-01' ? m.birthDate : '1990-01-01', 2024);
        out.person_hukou_history.push(`${m.id}\t${BEGINNING}\t${rural ? 'URBAN' : 'RURAL'}\n`);
        out.person_hukou_history.push(`${m.id}\t${changedOn}\t${hukou}\n`);
        out.household_events.push(`${householdId}\tHUKOU_CHANGE\t${m.id}\t${changedOn}\t{"hukouType":"${hukou}"}\n`);
      } else {
        out.person_hukou_history.push(`${m.id}\t${BEGINNING}\t${hukou}\n`);
      }
      if (m.deathDate) out.household_events.push(`${householdId}\tDEATH\t${m.id}\t${m.deathDate}\t{}\n`);
      if ((m.relation === 'HEAD' || m.relation === 'SPOUSE') && r.chance(0.006)) {
        const grade = r.int(1, 3);
        out.person_grade_history.push(`${m.id}\tCOMPLICATION\t${this.date(1985, 2015)}\t${grade}\n`);
      }
    }
    if (kind === 'DISABLED_CHILD' && children.length === 1) {
      const child = children[0];
      const assessedOn = this.after(child.birthDate, 2024);
      const grade = r.int(1, 3);
      out.person_grade_history.push(`${child.id}\tDISABILITY\t${assessedOn}\t${grade}\n`);
      out.household_events.push(
        `${householdId}\tDISABILITY_ASSESSED\t${child.id}\t${assessedOn}\t{"grade":${grade}}\n`,
      );
    }

    // The only-child parents' certificate.
    const onlyChild =
      children.length === 1 && (kind === 'ONE_CHILD' || kind === 'BEREAVED' || kind === 'DISABLED_CHILD');
    if (onlyChild && r.chance(rural ? 0.85 : 0.95)) {
      const born = Number(children[0].birthDate.slice(0, 4));
      const issuedOn = this.after(children[0].birthDate, Math.min(born + 3, 2024));
      const revokedOn = r.chance(0.01) ? this.after(issuedOn, 2024) : null;
      out.household_certificates.push(
        `${householdId}\tZZ${String(index).padStart(9, '0')}\t${issuedOn}\t${revokedOn && revokedOn >= issuedOn ? revokedOn : NULL}\n`,
      );
      this.stats.certificates++;
    }
    if (r.chance(0.03)) {
      const violationYear = r.int(1985, 2015);
      out.household_violations.push(`${householdId}\t${violationYear}\t${violationYear}-06-30\n`);
    }

    // The one-card account, held by the head (an adult); 5% changed it later, 4% have none.
    if (r.chance(0.96)) {
      const head = members[0];
      const account = (n: number) => withLuhn(`622848${String(index).padStart(10, '0')}${n}0`.slice(0, 18));
      if (r.chance(0.05)) {
        out.household_bank_accounts.push(
          `${householdId}\t${BEGINNING}\t${r.pick(BANKS)}\t${sealedCopy('account', account(1))}\t${head.id}\n`,
        );
        out.household_bank_accounts.push(
          `${householdId}\t${this.date(2018, 2024)}\t${r.pick(BANKS)}\t${sealedCopy('account', account(2))}\t${head.id}\n`,
        );
      } else {
        out.household_bank_accounts.push(
          `${householdId}\t${BEGINNING}\t${r.pick(BANKS)}\t${sealedCopy('account', account(1))}\t${head.id}\n`,
        );
      }
      this.stats.bankAccounts++;
    }

    // Reservoir samples for the HTTP stage.
    this.reservoir(this.sample.householdIds, householdId);
    this.reservoir(this.sample.searches, r.chance(0.5) ? householdNo : members[0].name);
  }

  private reservoir(list: string[], value: string): void {
    if (list.length < this.sampleSize) list.push(value);
    else {
      const slot = Math.floor(this.rng.next() * this.householdIndex);
      if (slot < this.sampleSize) list[slot] = value;
    }
  }
}
