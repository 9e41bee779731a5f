import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, AuditBlockHasher, hashAuditBlock, type CanonicalAuditEvent } from './audit-block-hash.js';

const header = {
  seq: '1',
  prevHash: AUDIT_GENESIS_HASH,
  firstEventId: '7',
  lastEventId: '9',
  eventCount: 2,
  sealedAt: '2012-03-01T08:00:00.123000Z',
};
const event = (id: string, after: string | null): CanonicalAuditEvent => ({
  id,
  occurredAt: '2012-03-01T07:59:59.000001Z',
  actorId: null,
  actorUsername: 'wang.clerk',
  actorRole: 'CLERK',
  action: 'household.created',
  entityType: 'household',
  entityId: 'h-1',
  regionCode: '410122101201',
  before: null,
  after,
  requestId: 'r-1',
  address: '127.0.0.1',
});

describe('audit block hash', () => {
  it('is the SHA-256 of the documented canonical text', () => {
    const text =
      'yikatong-audit-block-v1\n' +
      `["1","${AUDIT_GENESIS_HASH}","7","9",2,"2012-03-01T08:00:00.123000Z"]\n` +
      '["7","2012-03-01T07:59:59.000001Z",null,"wang.clerk","CLERK","household.created","household","h-1","410122101201",null,"{\\"a\\": 1}","r-1","127.0.0.1"]\n' +
      '["9","2012-03-01T07:59:59.000001Z",null,"wang.clerk","CLERK","household.created","household","h-1","410122101201",null,null,"r-1","127.0.0.1"]\n';
    const expected = createHash('sha256').update(text, 'utf8').digest('hex');
    expect(hashAuditBlock(header, [event('7', '{"a": 1}'), event('9', null)])).toBe(expected);
  });

  it('changes with any field of any event, and refuses events out of order', () => {
    const base = hashAuditBlock(header, [event('7', '{"a": 1}'), event('9', null)]);
    expect(hashAuditBlock(header, [event('7', '{"a": 2}'), event('9', null)])).not.toBe(base);
    expect(hashAuditBlock({ ...header, eventCount: 3 }, [event('7', '{"a": 1}'), event('9', null)])).not.toBe(base);
    const hasher = new AuditBlockHasher(header).add(event('9', null)).add(event('7', null));
    expect(() => hasher.digest()).toThrow(/ascending id order/);
  });
});
