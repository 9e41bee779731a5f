/**
 * The registry's answer to "what did this household look like on date D": the contract between
 * the registry (which builds snapshots from its dated records and events) and the eligibility
 * engine (which computes facts from them). Dates are `YYYY-MM-DD` strings; everything is as of
 * `asOf` (an event dated after it is not visible).
 */
export type Sex = 'M' | 'F';
export type HukouType = 'RURAL' | 'URBAN';
export type Relation = 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'OTHER';

export interface PersonSnapshot {
  personId: string;
  idNumber: string;
  name: string;
  sex: Sex;
  birthDate: string;
  /** Set when the person died on or before asOf. */
  deathDate: string | null;
  hukouType: HukouType;
  relation: Relation;
  /** Children only: 1 for the first child of the couple, 2 for the second, ... */
  birthOrder: number | null;
  adopted: boolean;
  /** Adopted children: the adoption date. */
  adoptedOn: string | null;
  /** 1 (most severe) to 4; null when never assessed or the grade was lifted. */
  disabilityGrade: number | null;
  /** Family-planning surgery complication grade 1-3, or null. */
  complicationGrade: number | null;
  /** Children: date of college admission (COLLEGE_ADMITTED event), or null. */
  collegeAdmittedOn: string | null;
  /**
   * The person's own mother and father (person ids, wherever they are recorded), or null when not
   * known. "The parents" and "the children" of every rule are these links, never relations to the head.
   */
  motherId: string | null;
  fatherId: string | null;
  /**
   * Set when the member left the household on or before asOf (MEMBER_LEFT): still a child of their
   * parents for every rule, no longer a member here (not a beneficiary, not a parent of the household).
   */
  leftOn: string | null;
  /** Whether the person held the city's hukou on asOf (from birth unless a MOVE_IN says otherwise; until a MOVE_OUT). */
  resident: boolean;
}

export interface CertificateSnapshot {
  certificateNo: string;
  issuedOn: string;
  /** Set when revoked on or before asOf. */
  revokedOn: string | null;
}

export interface BankAccountSnapshot {
  bankCode: string;
  accountNo: string;
  holderPersonId: string;
}

export interface HouseholdSnapshot {
  householdId: string;
  householdNo: string;
  /** The village/community the household belonged to on asOf. */
  regionCode: string;
  /** The address on asOf (a MOVE may change it). */
  address: string;
  asOf: string;
  /** Members on asOf, including those who died (deathDate set), children who were born or adopted by asOf. */
  members: PersonSnapshot[];
  certificate: CertificateSnapshot | null;
  /** Years of recorded family-planning violations (recorded on or before asOf). */
  violationYears: number[];
  /** Date of the voluntary second-child quota waiver, if recorded on or before asOf. */
  quotaWaivedOn: string | null;
  /** The one-card account in force on asOf, or null. */
  bankAccount: BankAccountSnapshot | null;
}
