import { isConcurrencyConflict, retryConflicts, sqlStateOf } from './sqlstate.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('sqlstate', () => {
  it('reads the SQLSTATE through TypeORM and cause wrappers, and ignores system error codes', () => {
    expect(sqlStateOf({ driverError: pgError('40P01') })).toBe('40P01');
    expect(sqlStateOf(new Error('outer', { cause: pgError('40001') }))).toBe('40001');
    expect(sqlStateOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(isConcurrencyConflict({ driverError: pgError('55P03') })).toBe(true);
    expect(isConcurrencyConflict(pgError('23505'))).toBe(false);
  });

  it('runs the transaction again after a deadlock, and gives up after the last attempt', async () => {
    let calls = 0;
    await expect(
      retryConflicts(async () => {
        calls++;
        if (calls < 3) throw pgError('40P01');
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retryConflicts(async () => {
        calls++;
        throw pgError('40P01');
      }, 2),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(2);
  });

  it('does not repeat a refusal or a bug', async () => {
    let calls = 0;
    await expect(
      retryConflicts(async () => {
        calls++;
        throw pgError('23505');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});
