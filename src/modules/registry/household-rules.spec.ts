import { idCheckCharacter } from './id-number.js';
import { holderProblem, validateHouseholdDraft, type HouseholdDraft } from './household-rules.js';
import { buildSnapshots } from './snapshot-rows.js';

const TODAY = '2026-11-28';
const id = (birth: string, sequence: number) => {
  const first17 = `410122${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
};

const draft = (overrides: Partial<HouseholdDraft> = {}): HouseholdDraft => ({
  householdNo: 'H-1',
  regionCode: '410122101201',
  address: '韩寺村1号',
  members: [
    { idNumber: id('19800101', 1), name: '父', relation: 'HEAD', hukouType: 'RURAL' },
    { idNumber: id('19820202', 2), name: '母', relation: 'SPOUSE', hukouType: 'RURAL' },
    { idNumber: id('20150505', 3), name: '子', relation: 'CHILD', hukouType: 'RURAL', birthOrder: 1 },
  ],
  ...overrides,
});

const fields = (d: HouseholdDraft) => validateHouseholdDraft(d, TODAY).problems.map((p) => p.field);

describe('household rules', () => {
  it('accepts a well-formed household and derives birth dates and sexes', () => {
    const { problems, members } = validateHouseholdDraft(draft(), TODAY);
    expect(problems).toEqual([]);
    expect(members.map((m) => [m.birthDate, m.sex])).toEqual([
      ['1980-01-01', 'M'],
      ['1982-02-02', 'F'],
      ['2015-05-05', 'M'],
    ]);
  });

  it('needs exactly one HEAD and distinct ID numbers and birth orders', () => {
    const base = draft();
    expect(fields(draft({ members: base.members.map((m) => ({ ...m, relation: 'CHILD' as const })) }))).toContain(
      'members',
    );
    expect(fields(draft({ members: [...base.members, { ...base.members[2], name: '又' }] }))).toEqual(
      expect.arrayContaining(['members.3.idNumber', 'members.3.birthOrder']),
    );
  });

  it('keeps birth order and adoption to children, and dates after the birth', () => {
    const [head, spouse, child] = draft().members;
    expect(
      fields(
        draft({
          members: [
            { ...head, birthOrder: 1 },
            { ...spouse, adopted: true },
            { ...child, adopted: true, adoptedOn: '2015-05-04', deathDate: '2030-01-01' },
          ],
        }),
      ),
    ).toEqual(['members.0.birthOrder', 'members.1.adopted', 'members.2.adoptedOn', 'members.2.deathDate']);
  });

  it('checks grades, violation years and the certificate', () => {
    const [head] = draft().members;
    expect(
      fields(
        draft({
          members: [{ ...head, disabilityGrade: 5, complicationGrade: 0, complicationAssessedOn: '1979-12-31' }],
          violationYears: [1948, 2001, 2001],
          certificate: { certificateNo: 'C 1', issuedOn: '2027-01-01' },
        }),
      ),
    ).toEqual([
      'members.0.disabilityGrade',
      'members.0.complicationGrade',
      'members.0.complicationAssessedOn',
      'certificate.certificateNo',
      'certificate.issuedOn',
      'violationYears.0',
      'violationYears.2',
    ]);
  });

  it('wants the account held by an adult, living member and the number to pass Luhn', () => {
    const [head, , child] = draft().members;
    expect(
      fields(draft({ bankAccount: { bankCode: '102', accountNo: '4111111111111111', holderIdNumber: head.idNumber } })),
    ).toEqual([]);
    expect(
      fields(
        draft({ bankAccount: { bankCode: '102', accountNo: '4111111111111112', holderIdNumber: child.idNumber } }),
      ),
    ).toEqual(['bankAccount.accountNo', 'bankAccount.holderIdNumber']);
    expect(
      fields(
        draft({ bankAccount: { bankCode: '102', accountNo: '4111111111111111', holderIdNumber: id('19700101', 9) } }),
      ),
    ).toEqual(['bankAccount.holderIdNumber']);
    expect(holderProblem({ birthDate: '2008-11-29', deathDate: null }, '2026-11-28')).toBe(
      '持卡人须年满 18 周岁，现为 17 岁',
    );
    expect(holderProblem({ birthDate: '2008-11-29', deathDate: null }, '2026-11-28', 'en')).toMatch(/adult/);
    expect(holderProblem({ birthDate: '2008-11-28', deathDate: null }, '2026-11-28')).toBeUndefined();
    expect(holderProblem({ birthDate: '1980-01-01', deathDate: '2026-11-28' }, '2026-11-28', 'en')).toMatch(/died/);
  });
});

describe('building snapshots from rows', () => {
  it('groups members and violations by household and keeps the households’ order', () => {
    const household = (id: string) => ({
      id,
      household_no: id,
      region_code: '410122101201',
      address: 'a',
      quota_waived_on: null,
      certificate_no: null,
      certificate_issued_on: null,
      certificate_revoked_on: null,
      bank_code: null,
      account_no: null,
      holder_person_id: null,
    });
    const member = (householdId: string, personId: string) => ({
      household_id: householdId,
      person_id: personId,
      id_number: '410102198001010018',
      name: 'n',
      sex: 'M' as const,
      birth_date: '1980-01-01',
      death_date: null,
      hukou_type: 'RURAL' as const,
      relation: 'HEAD' as const,
      birth_order: null,
      adopted: false,
      adopted_on: null,
      disability_grade: 2,
      complication_grade: null,
      college_admitted_on: null,
      mother_id: null,
      father_id: null,
      left_on: null,
      resident: true,
    });
    const snapshots = buildSnapshots(
      '2012-12-31',
      [household('b'), household('a')],
      [member('a', 'p1'), member('b', 'p2')],
      [{ household_id: 'b', year: 2005 }],
    );
    expect(snapshots.map((s) => [s.householdId, s.members.map((m) => m.personId), s.violationYears])).toEqual([
      ['b', ['p2'], [2005]],
      ['a', ['p1'], []],
    ]);
    expect(snapshots[0]).toMatchObject({ asOf: '2012-12-31', certificate: null, bankAccount: null });
  });
});
