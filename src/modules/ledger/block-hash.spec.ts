import { createHash } from 'node:crypto';
import { money } from '../../common/money.js';
import {
  BLOCK_FORMAT,
  BlockHasher,
  canonicalTimestamp,
  GENESIS_HASH,
  hashBlock,
  transferLine,
  type CanonicalTransfer,
} from './block-hash.js';
import { transferProblems } from './transfer-rules.js';
import { requestContext } from '../../common/request-context.js';

const account = (id: string, code: string) => ({
  id,
  code,
  fiscalYear: 2012,
  policyCode: 'RURAL_REWARD',
  fundingLevel: 'CENTRAL',
  countyCode: '410122',
});

const transfer = (id: string, over: Partial<CanonicalTransfer> = {}): CanonicalTransfer => ({
  id,
  idempotencyId: `k-${id}`,
  code: 'APPROPRIATION',
  amount: '960.00',
  debit: account('1', 'FUNDING'),
  credit: account('2', 'AVAILABLE'),
  batchId: null,
  lineId: null,
  reversesTransferId: null,
  ...over,
});

const header = { seq: '1', prevHash: GENESIS_HASH, transferCount: 2, createdAt: '2012-03-01T08:00:00.123000Z' };

describe('block hash (canonical form)', () => {
  it('is the SHA-256 of the documented text', () => {
    const text =
      `${BLOCK_FORMAT}\n` +
      `["1","${GENESIS_HASH}",2,"2012-03-01T08:00:00.123000Z"]\n` +
      `["7","k-7","APPROPRIATION","960.00",["1","FUNDING",2012,"RURAL_REWARD","CENTRAL","410122"],["2","AVAILABLE",2012,"RURAL_REWARD","CENTRAL","410122"],null,null,null]\n` +
      `["8","k-8","APPROPRIATION","960.00",["1","FUNDING",2012,"RURAL_REWARD","CENTRAL","410122"],["2","AVAILABLE",2012,"RURAL_REWARD","CENTRAL","410122"],null,null,null]\n`;
    expect(hashBlock(header, [transfer('7'), transfer('8')])).toBe(
      createHash('sha256').update(text, 'utf8').digest('hex'),
    );
  });

  it('changes with any field, including the accounts and the header', () => {
    const base = hashBlock(header, [transfer('7'), transfer('8')]);
    const variants = [
      hashBlock(header, [transfer('7', { amount: '960.01' }), transfer('8')]),
      hashBlock(header, [
        transfer('7', { credit: { ...account('2', 'AVAILABLE'), countyCode: '410102' } }),
        transfer('8'),
      ]),
      hashBlock(header, [transfer('7', { lineId: 'L1' }), transfer('8')]),
      hashBlock({ ...header, prevHash: 'f'.repeat(64) }, [transfer('7'), transfer('8')]),
      hashBlock({ ...header, createdAt: '2012-03-01T08:00:00.123001Z' }, [transfer('7'), transfer('8')]),
      hashBlock({ ...header, seq: '2' }, [transfer('7'), transfer('8')]),
    ];
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('cannot be confused by separators inside text fields', () => {
    const a = hashBlock(header, [transfer('7', { idempotencyId: 'a","b', lineId: 'c' })]);
    const b = hashBlock(header, [transfer('7', { idempotencyId: 'a', lineId: 'b","c' })]);
    expect(a).not.toBe(b);
  });

  it('writes each transfer line exactly as JSON.stringify writes the array, whatever the text', () => {
    const texts = ['a"b', 'back\\slash', 'tab\tnew\nline\u0001', '王建国', '\u2028\u2029', 'emoji 😀', '\ud800', ''];
    for (const text of texts) {
      const t = transfer('7', { idempotencyId: text, lineId: text, batchId: null, reversesTransferId: '3' });
      const array = [t.id, t.idempotencyId, t.code, t.amount];
      const accounts = [t.debit, t.credit].map((a) => [
        a.id,
        a.code,
        a.fiscalYear,
        a.policyCode,
        a.fundingLevel,
        a.countyCode,
      ]);
      expect(transferLine(t)).toBe(
        `${JSON.stringify([...array, ...accounts, t.batchId, t.lineId, t.reversesTransferId])}\n`,
      );
    }
  });

  it('hashes many lines the same however they are buffered', () => {
    const many = Array.from({ length: 3000 }, (_, i) => transfer(String(i + 1), { lineId: 'x'.repeat(i % 50) }));
    const text = `${BLOCK_FORMAT}\n["1","${GENESIS_HASH}",2,"2012-03-01T08:00:00.123000Z"]\n${many.map(transferLine).join('')}`;
    expect(hashBlock(header, many)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('refuses transfers out of id order', () => {
    const hasher = new BlockHasher(header).add(transfer('10')).add(transfer('9'));
    expect(() => hasher.digest()).toThrow(/ascending id order/);
  });

  it('writes timestamps in UTC with microseconds', () => {
    expect(canonicalTimestamp(new Date('2012-03-01T16:00:00.5+08:00'))).toBe('2012-03-01T08:00:00.500000Z');
  });
});

describe('transferProblems', () => {
  const good = {
    idempotencyId: 'x',
    debitAccountId: '1',
    creditAccountId: '2',
    amount: money('1.00'),
    code: 'APPROPRIATION' as const,
  };

  it('accepts a good transfer', () => {
    expect(transferProblems(good)).toEqual([]);
  });

  it.each([
    [{ amount: money(0) }, 'amount'],
    [{ amount: money('-0.01') }, 'amount'],
    [{ amount: money('0.005') }, 'amount'],
    [{ creditAccountId: '1' }, 'creditAccountId'],
    [{ debitAccountId: 'abc' }, 'debitAccountId'],
    [{ idempotencyId: '' }, 'idempotencyId'],
    [{ code: 'GIFT' }, 'code'],
    [{ batchId: 'batch-1' }, 'batchId'],
    [{ code: 'REVERSAL' }, 'reversesTransferId'],
    [{ reversesTransferId: '5' }, 'reversesTransferId'],
  ])('refuses %o', (change, field) => {
    const problems = transferProblems({ ...good, ...change } as typeof good);
    expect(problems.map((p) => p.field)).toContain(`transfers[0].${field}`);
  });

  it('words its problems in Chinese by default and in English inside an English request', () => {
    const same = { ...good, creditAccountId: '1', debitAccountId: '1' };
    expect(transferProblems(same)).toEqual([
      { field: 'transfers[0].creditAccountId', message: '一笔转账的借方与贷方须为不同账户' },
    ]);
    const english = requestContext.run({ requestId: 'spec', language: 'en' }, () => transferProblems(same));
    expect(english).toEqual([
      { field: 'transfers[0].creditAccountId', message: 'a transfer must debit and credit different accounts' },
    ]);
  });
});
