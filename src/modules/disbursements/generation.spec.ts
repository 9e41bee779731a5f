import { groupByShares } from './disbursements.service.js';

describe('groupByShares', () => {
  const version = (id: string, fundingShares: Record<string, string>) => ({ id, fundingShares }) as never;
  const policy = {
    versions: [
      version('v2011', { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' }),
      version('v2012', { CENTRAL: '0.5', PROVINCIAL: '0.3', MUNICIPAL: '0.1', COUNTY: '0.1' }),
      version('v2014', { MUNICIPAL: '0.5', COUNTY: '0.5' }),
    ],
  } as never;

  it('puts lines decided under versions with the same shares in one group, keeping line order', () => {
    const groups = groupByShares(policy, [
      { id: 'a', amount: '720.00', version_id: 'v2011' },
      { id: 'b', amount: '960.00', version_id: 'v2012' },
      { id: 'c', amount: '10.00', version_id: 'v2014' },
      { id: 'd', amount: '960.00', version_id: 'v2012' },
    ]);
    expect(groups.map((g) => g.lines.map((l) => l.id))).toEqual([['a', 'b', 'd'], ['c']]);
    expect(groups[1].shares.MUNICIPAL?.toString()).toBe('0.5');
  });
});
