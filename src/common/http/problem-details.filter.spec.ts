import { QueryFailedError } from 'typeorm';
import { problemFor } from './problem-details.filter.js';

const driverError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('problemFor, for failures of the database rather than of the request', () => {
  it('answers a deadlock or serialization failure as 409 CONCURRENT_UPDATE, in Chinese by default', () => {
    const problem = problemFor(new QueryFailedError('UPDATE households ...', [], driverError('40P01')), 'req-1');
    expect(problem).toMatchObject({ status: 409, code: 'CONCURRENT_UPDATE', requestId: 'req-1' });
    expect(problem.detail).toMatch(/请重试/);
    expect(problemFor(driverError('40001'), undefined, 'en')).toMatchObject({
      status: 409,
      code: 'CONCURRENT_UPDATE',
      detail: expect.stringMatching(/try again/),
    });
  });

  it('answers a server restarting or refusing connections as 503 DATABASE_UNAVAILABLE', () => {
    expect(problemFor(driverError('57P01'))).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(problemFor(driverError('53300'))).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
  });

  it('keeps every other database error behind the request id as an internal error', () => {
    expect(problemFor(driverError('23505'), 'req-2')).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(problemFor(new Error('a bug'), 'req-3')).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });
});
