import { QueryFailedError } from 'typeorm';
import { NotFoundError } from '../../common/errors.js';
import { backoffMs, isTransient } from './transient-errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransient', () => {
  it('retries what a restart, a dropped connection or a lock conflict throws', () => {
    expect(isTransient(pgError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isTransient(pgError('40P01'))).toBe(true);
    expect(isTransient(pgError('40001'))).toBe(true);
    expect(isTransient(pgError('ECONNREFUSED'))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransient(new Error('job stalled more than allowable limit'))).toBe(true);
    expect(isTransient(new Error('Query runner already released. Cannot run queries anymore.'))).toBe(true);
  });

  it('looks through TypeORM wrappers, causes and aggregate errors', () => {
    const wrapped = new QueryFailedError('SELECT 1', [], pgError('57P03', 'the database system is starting up'));
    expect(isTransient(wrapped)).toBe(true);
    expect(isTransient(new Error('outer', { cause: pgError('ECONNRESET') }))).toBe(true);
    expect(isTransient(new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')]))).toBe(true);
  });

  it('does not retry domain refusals, constraint violations or bugs', () => {
    expect(isTransient(new NotFoundError('Batch', 'x'))).toBe(false);
    expect(isTransient(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient('Connection terminated')).toBe(false); // not an error object
  });
});

describe('backoffMs', () => {
  it('doubles from one second and stops at a minute', () => {
    expect([1, 2, 3, 4, 7, 8, 30].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });
});
