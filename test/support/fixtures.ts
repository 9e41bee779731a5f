import { idCheckCharacter } from '../../src/modules/registry/id-number.js';
import { luhnValid } from '../../src/modules/registry/bank-account.js';
import { API, type SignedInUser, type TestApp } from './app.js';

let sequence = 100;

/** A valid 18-digit resident ID for a birth date and sex (odd sequence digit: male). */
export function idNumber(birthDate: string, sex: 'M' | 'F', address = '410122'): string {
  sequence = (sequence + 2) % 998;
  const seq = String(sequence + (sex === 'M' ? 1 : 0)).padStart(3, '0');
  const first17 = `${address}${birthDate.replace(/-/g, '')}${seq}`;
  return `${first17}${idCheckCharacter(first17)}`;
}

/** `body` followed by the check digit that makes it pass the Luhn check. */
export function luhnComplete(body: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(`${body}${digit}`)) return `${body}${digit}`;
  }
  throw new Error('unreachable');
}

/** A 19-digit account number that passes the Luhn check. */
export function accountNo(seed: number): string {
  return luhnComplete(`622202${String(seed).padStart(12, '0')}`);
}

/** A resident ID from a birth date written YYYYMMDD and a 3-digit sequence (odd: male). */
export function residentId(birth: string, sequence: number, address = '410122'): string {
  const first17 = `${address}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

/** Creates a village under a township (admin), for households to live in. */
export async function ensureVillage(t: TestApp, admin: SignedInUser, code: string, name = '测试村'): Promise<void> {
  const response = await t.http().post(`${API}/regions`).set('Authorization', admin.auth).send({ code, name });
  if (response.status !== 201 && response.status !== 409)
    throw new Error(`village: ${response.status} ${response.text}`);
}

export interface MemberSpec {
  name: string;
  relation: 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'OTHER';
  birthDate: string;
  sex: 'M' | 'F';
  hukouType?: 'RURAL' | 'URBAN';
  birthOrder?: number;
  complicationGrade?: number;
  disabilityGrade?: number;
}

/** Registers a household through the API and returns its body (with members[].personId). */
export async function registerHousehold(
  t: TestApp,
  clerk: SignedInUser,
  spec: {
    householdNo: string;
    regionCode: string;
    members: MemberSpec[];
    certificate?: { certificateNo: string; issuedOn: string };
    bankAccountSeed?: number;
    hukouType?: 'RURAL' | 'URBAN';
  },
): Promise<{ id: string; members: { personId: string; idNumber: string; name: string; relation: string }[] }> {
  const members = spec.members.map((member) => ({
    idNumber: idNumber(member.birthDate, member.sex),
    name: member.name,
    relation: member.relation,
    hukouType: member.hukouType ?? spec.hukouType ?? 'RURAL',
    ...(member.birthOrder ? { birthOrder: member.birthOrder } : {}),
    ...(member.complicationGrade ? { complicationGrade: member.complicationGrade } : {}),
    ...(member.disabilityGrade ? { disabilityGrade: member.disabilityGrade } : {}),
  }));
  const head = members.find((m) => m.relation === 'HEAD')!;
  const response = await t
    .http()
    .post(`${API}/households`)
    .set('Authorization', clerk.auth)
    .send({
      householdNo: spec.householdNo,
      regionCode: spec.regionCode,
      address: `${spec.regionCode} 1号`,
      members,
      ...(spec.certificate ? { certificate: spec.certificate } : {}),
      ...(spec.bankAccountSeed !== undefined
        ? {
            bankAccount: { bankCode: '102', accountNo: accountNo(spec.bankAccountSeed), holderIdNumber: head.idNumber },
          }
        : {}),
    });
  if (response.status !== 201) throw new Error(`household: ${response.status} ${response.text}`);
  const byId = new Map(members.map((m) => [m.idNumber, m]));
  return {
    id: response.body.id,
    members: (response.body.members as { personId: string; idNumber: string }[]).map((m) => ({
      personId: m.personId,
      idNumber: m.idNumber,
      name: byId.get(m.idNumber)?.name ?? '',
      relation: byId.get(m.idNumber)?.relation ?? '',
    })),
  };
}
