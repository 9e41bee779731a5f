import { idCheckCharacter, maskNumber, parseIdNumber } from './id-number.js';

const TODAY = '2026-11-28';

/** Builds a valid ID from its first 17 digits. */
const withCheck = (first17: string) => first17 + idCheckCharacter(first17);

describe('resident ID numbers (GB 11643-1999)', () => {
  it('accepts 410102198001010018 and derives birth date and sex', () => {
    expect(parseIdNumber('410102198001010018', TODAY)).toEqual({
      ok: true,
      value: { idNumber: '410102198001010018', birthDate: '1980-01-01', sex: 'M' },
    });
  });

  it('derives female from an even sequence digit', () => {
    const id = withCheck('41010219850615002');
    expect(parseIdNumber(id, TODAY)).toMatchObject({ ok: true, value: { sex: 'F', birthDate: '1985-06-15' } });
  });

  it('refuses a bad check character, saying why in Chinese or in English', () => {
    expect(parseIdNumber('410102198001010017', TODAY)).toEqual({ ok: false, reason: '校验码为 7，应为 8' });
    const result = parseIdNumber('410102198001010017', TODAY, 'en');
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/check character is 7 but should be 8/) });
  });

  it('refuses 31 February and 29 February of a common year, accepts it in a leap year', () => {
    expect(parseIdNumber(withCheck('41010219800231001'), TODAY, 'en')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a calendar date/),
    });
    expect(parseIdNumber(withCheck('41010219810229001'), TODAY)).toMatchObject({ ok: false });
    expect(parseIdNumber(withCheck('41010219800229001'), TODAY)).toMatchObject({ ok: true });
    expect(parseIdNumber(withCheck('41010219801301001'), TODAY)).toMatchObject({ ok: false });
  });

  it('refuses a birth date in the future, accepts today', () => {
    expect(parseIdNumber(withCheck('41010220261129001'), TODAY, 'en')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/in the future/),
    });
    expect(parseIdNumber(withCheck('41010220261128001'), TODAY)).toMatchObject({ ok: true });
  });

  it('accepts a lowercase x and stores it as X', () => {
    const seventeen = Array.from({ length: 200 }, (_, i) => `41010219800101${String(i).padStart(3, '0')}`).find(
      (candidate) => idCheckCharacter(candidate) === 'X',
    )!;
    expect(parseIdNumber(`${seventeen}x`, TODAY)).toMatchObject({ ok: true, value: { idNumber: `${seventeen}X` } });
    expect(parseIdNumber(`${seventeen}0`, TODAY)).toMatchObject({ ok: false });
  });

  it('refuses wrong lengths and letters', () => {
    expect(parseIdNumber('41010219800101001', TODAY)).toMatchObject({ ok: false });
    expect(parseIdNumber('4101021980010100188', TODAY)).toMatchObject({ ok: false });
    expect(parseIdNumber('41010219800101A018', TODAY)).toMatchObject({ ok: false });
    expect(parseIdNumber(410102198001, TODAY)).toMatchObject({ ok: false });
  });

  it('masks all but the address code and the last two characters', () => {
    expect(maskNumber('410102198001010018')).toBe('410102**********18');
    expect(maskNumber('6222021234567890128')).toBe('622202***********28');
  });
});
