import type { Role } from '../../common/auth/roles.js';
import type { HouseholdSnapshot, PersonSnapshot } from './household-snapshot.js';
import { maskNumber } from './id-number.js';

/**
 * What GET /households/:id answers: the snapshot, with ID numbers always masked (the whole number
 * only through GET /persons/:id/id-number, with a reason, audited) and account numbers in full only
 * for the clerk and finance (who pays into them). Everyone else sees `410102**********18`.
 */
export interface Visibility {
  fullIdNumbers: boolean;
  fullAccountNumbers: boolean;
}

export function visibilityFor(role: Role): Visibility {
  // Whole ID numbers only through GET /persons/:id/id-number (with a reason, audited).
  return { fullIdNumbers: false, fullAccountNumbers: role === 'CLERK' || role === 'FINANCE' };
}

/**
 * The answer to the clerk's own registration or event: it echoes the numbers the clerk has just
 * typed (a confirmation of the entry, not a view of stored records), so it is not masked for them.
 */
export function echoVisibilityFor(role: Role): Visibility {
  return { fullIdNumbers: role === 'CLERK', fullAccountNumbers: role === 'CLERK' || role === 'FINANCE' };
}

export interface ChildView {
  personId: string;
  name: string;
  birthDate: string;
  birthOrder: number | null;
  adopted: boolean;
  adoptedOn: string | null;
  deathDate: string | null;
}

export interface HouseholdView {
  id: string;
  householdNo: string;
  regionCode: string;
  address: string;
  asOf: string;
  members: PersonSnapshot[];
  children: ChildView[];
  certificate: HouseholdSnapshot['certificate'];
  violationYears: number[];
  quotaWaivedOn: string | null;
  bankAccount: HouseholdSnapshot['bankAccount'];
  idNumbersMasked: boolean;
  accountNumbersMasked: boolean;
}

export function toHouseholdView(snapshot: HouseholdSnapshot, visibility: Visibility): HouseholdView {
  const members = snapshot.members.map((member) => ({
    ...member,
    idNumber: visibility.fullIdNumbers ? member.idNumber : maskNumber(member.idNumber),
  }));
  return {
    id: snapshot.householdId,
    householdNo: snapshot.householdNo,
    regionCode: snapshot.regionCode,
    address: snapshot.address,
    asOf: snapshot.asOf,
    members,
    children: members
      .filter((member) => member.relation === 'CHILD')
      .map((child) => ({
        personId: child.personId,
        name: child.name,
        birthDate: child.birthDate,
        birthOrder: child.birthOrder,
        adopted: child.adopted,
        adoptedOn: child.adoptedOn,
        deathDate: child.deathDate,
      })),
    certificate: snapshot.certificate,
    violationYears: snapshot.violationYears,
    quotaWaivedOn: snapshot.quotaWaivedOn,
    bankAccount: snapshot.bankAccount && {
      ...snapshot.bankAccount,
      accountNo: visibility.fullAccountNumbers
        ? snapshot.bankAccount.accountNo
        : maskNumber(snapshot.bankAccount.accountNo),
    },
    idNumbersMasked: !visibility.fullIdNumbers,
    accountNumbersMasked: !visibility.fullAccountNumbers,
  };
}

/**
 * The snapshot as the audit trail keeps it: person and household ids identify every record, so the
 * trail need not copy citizens' ID and account numbers (the registry holds them, once).
 */
export function maskedSnapshot(snapshot: HouseholdSnapshot): HouseholdSnapshot {
  return {
    ...snapshot,
    members: snapshot.members.map((member) => ({ ...member, idNumber: maskNumber(member.idNumber) })),
    bankAccount: snapshot.bankAccount && {
      ...snapshot.bankAccount,
      accountNo: maskNumber(snapshot.bankAccount.accountNo),
    },
  };
}
