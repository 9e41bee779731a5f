import { createHash } from 'node:crypto';
import { money } from '../../src/common/money.js';
import { Transactions } from '../../src/database/transactions.js';
import { BLOCK_FORMAT, GENESIS_HASH } from '../../src/modules/ledger/block-hash.js';
import { LedgerVerifier } from '../../src/modules/ledger/ledger-verifier.js';
import { LedgerService, MAX_BLOCK_TRANSFERS } from '../../src/modules/ledger/ledger.service.js';
import type { TransferInput } from '../../src/modules/ledger/ledger.types.js';
import type { BudgetLineAccounts } from '../../src/modules/budgets/budget-line.js';
import { API, createTestApp, type TestApp } from '../support/app.js';

describe('ledger posting, immutability and verification (integration, real PostgreSQL)', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let tx: Transactions;
  let line: BudgetLineAccounts;
  let other: BudgetLineAccounts;
  let seq = 0;
  const id = (label: string) => `test:${label}:${++seq}`;

  const post = (transfers: TransferInput[]) => tx.run((manager) => ledger.post(manager, transfers));
  const count = async (table: string) =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const account = async (accountId: string) =>
    (
      await t.dataSource.query(`SELECT debits_posted, credits_posted FROM ledger_accounts WHERE id = $1`, [accountId])
    )[0] as { debits_posted: string; credits_posted: string };
  const appropriate = (accounts: BudgetLineAccounts, amount: string, label = 'approp') =>
    post([
      {
        idempotencyId: id(label),
        debitAccountId: accounts.funding,
        creditAccountId: accounts.available,
        amount: money(amount),
        code: 'APPROPRIATION',
      },
    ]);

  beforeAll(async () => {
    t = await createTestApp();
    ledger = t.app.get(LedgerService);
    tx = t.app.get(Transactions);
    const repository = t.app.get(LedgerService);
    const lines = await tx.run((manager) =>
      repository.openLineAccounts(manager, [
        { fiscalYear: 2012, policyCode: 'RURAL_REWARD', fundingLevel: 'CENTRAL', countyCode: '410122' },
        { fiscalYear: 2012, policyCode: 'RURAL_REWARD', fundingLevel: 'COUNTY', countyCode: '410122' },
      ]),
    );
    line = lines.get('2012|RURAL_REWARD|CENTRAL|410122')!;
    other = lines.get('2012|RURAL_REWARD|COUNTY|410122')!;
  });
  afterAll(() => t?.close());

  it('posts many transfers in one block, updating each account once, chained to the genesis hash', async () => {
    const result = await post([
      ...Array.from({ length: 50 }, () => ({
        idempotencyId: id('bulk'),
        debitAccountId: line.funding,
        creditAccountId: line.available,
        amount: money('10.01'),
        code: 'APPROPRIATION' as const,
      })),
      {
        idempotencyId: id('bulk-commit'),
        debitAccountId: line.available,
        creditAccountId: line.committed,
        amount: money('100.00'),
        code: 'COMMITMENT',
      },
    ]);
    expect(result.created).toBe(51);
    expect(result.block).toMatchObject({ seq: '1', prevHash: GENESIS_HASH, transferCount: 51 });
    expect(new Set(result.transfers.map((tr) => tr.blockSeq))).toEqual(new Set(['1']));
    expect(await account(line.funding)).toEqual({ debits_posted: '500.50', credits_posted: '0.00' });
    expect(await account(line.available)).toEqual({ debits_posted: '100.00', credits_posted: '500.50' });
    expect(await account(line.committed)).toEqual({ debits_posted: '0.00', credits_posted: '100.00' });

    // The stored hash is the SHA-256 of the documented canonical form.
    const block = (
      await t.dataSource.query(
        `SELECT seq::text, prev_hash, hash, transfer_count,
                to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
           FROM ledger_blocks WHERE seq = 1`,
      )
    )[0];
    const accounts = new Map<string, unknown[]>(
      (
        await t.dataSource.query(
          `SELECT id::text, code, fiscal_year, policy_code, funding_level, county_code FROM ledger_accounts`,
        )
      ).map((a: Record<string, unknown>) => [
        a.id as string,
        [a.id, a.code, a.fiscal_year, a.policy_code, a.funding_level, a.county_code],
      ]),
    );
    const transfers = await t.dataSource.query(
      `SELECT id::text, idempotency_id, code, amount::text, debit_account_id::text AS d, credit_account_id::text AS c,
              batch_id, line_id, reverses_transfer_id::text AS r
         FROM ledger_transfers WHERE block_seq = 1 ORDER BY ledger_transfers.id`,
    );
    const text =
      `${BLOCK_FORMAT}\n` +
      `${JSON.stringify([block.seq, block.prev_hash, block.transfer_count, block.created_at])}\n` +
      transfers
        .map(
          (tr: Record<string, string>) =>
            `${JSON.stringify([tr.id, tr.idempotency_id, tr.code, tr.amount, accounts.get(tr.d), accounts.get(tr.c), tr.batch_id, tr.line_id, tr.r])}\n`,
        )
        .join('');
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(block.hash);
    expect(await t.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true, blocks: 1, transfers: 51 });
  });

  it('posts an idempotent retry once and answers the first transfers', async () => {
    const transfers: TransferInput[] = [
      {
        idempotencyId: id('retry-a'),
        debitAccountId: line.funding,
        creditAccountId: line.available,
        amount: money('5.00'),
        code: 'APPROPRIATION',
      },
      {
        idempotencyId: id('retry-b'),
        debitAccountId: line.available,
        creditAccountId: line.committed,
        amount: money('2.50'),
        code: 'COMMITMENT',
        batchId: '8d3c7f0e-55c2-4c43-9a52-3f0b8e1d2a10',
        lineId: 'L1',
      },
    ];
    const first = await post(transfers);
    const blocksBefore = await count('ledger_blocks');
    const before = await account(line.available);
    const second = await post(transfers);
    expect(second.created).toBe(0);
    expect(second.block).toBeNull();
    expect(second.transfers.map((tr) => tr.id)).toEqual(first.transfers.map((tr) => tr.id));
    expect(await count('ledger_blocks')).toBe(blocksBefore);
    expect(await account(line.available)).toEqual(before);

    // Half a retry: the known one is answered, the new one is posted.
    const mixed = await post([transfers[0], { ...transfers[0], idempotencyId: id('retry-c'), amount: money('1.00') }]);
    expect(mixed.created).toBe(1);
    expect(mixed.transfers[0].id).toBe(first.transfers[0].id);

    // The same id with different content is refused, and nothing is written.
    await expect(post([{ ...transfers[0], amount: money('6.00') }])).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      status: 409,
    });
  });

  it('serializes concurrent retries of one idempotency id into one transfer', async () => {
    const transfer: TransferInput = {
      idempotencyId: id('race'),
      debitAccountId: line.funding,
      creditAccountId: line.available,
      amount: money('1.00'),
      code: 'APPROPRIATION',
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => post([transfer])));
    expect(new Set(results.map((r) => r.transfers[0].id)).size).toBe(1);
    expect(results.filter((r) => r.created === 1)).toHaveLength(1);
    const rows = await t.dataSource.query(`SELECT id FROM ledger_transfers WHERE idempotency_id = $1`, [
      transfer.idempotencyId,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('refuses a non-positive amount, a fraction of a fen or one account on both sides, writing nothing', async () => {
    const transfersBefore = await count('ledger_transfers');
    const blocksBefore = await count('ledger_blocks');
    const base: TransferInput = {
      idempotencyId: id('bad'),
      debitAccountId: line.funding,
      creditAccountId: line.available,
      amount: money('1.00'),
      code: 'APPROPRIATION',
    };
    for (const bad of [
      { ...base, amount: money(0) },
      { ...base, amount: money('-5.00') },
      { ...base, amount: money('0.001') },
      { ...base, creditAccountId: line.funding },
    ]) {
      // A good transfer next to the bad one: the whole post is refused.
      await expect(post([{ ...base, idempotencyId: id('good') }, bad])).rejects.toMatchObject({
        code: 'INVALID_TRANSFER',
        status: 422,
      });
    }
    await expect(post([{ ...base, debitAccountId: '999999' }])).rejects.toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
    expect(await count('ledger_transfers')).toBe(transfersBefore);
    expect(await count('ledger_blocks')).toBe(blocksBefore);
  });

  it('has the database refuse a non-positive amount or equal accounts too (CHECK constraints)', async () => {
    const insert = (debit: string, credit: string, amount: string) =>
      t.dataSource.query(
        `INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount, code, block_seq)
         VALUES ($1, $2, $3, $4, 'APPROPRIATION', 1)`,
        [id('raw'), debit, credit, amount],
      );
    await expect(insert(line.funding, line.available, '0')).rejects.toMatchObject({ code: '23514' });
    await expect(insert(line.funding, line.available, '-1.00')).rejects.toMatchObject({ code: '23514' });
    await expect(insert(line.funding, line.funding, '1.00')).rejects.toMatchObject({
      code: '23514',
      constraint: 'ledger_transfers_distinct_accounts',
    });
  });

  it('refuses the whole post when a flagged account would break its flag, naming it', async () => {
    await appropriate(other, '100.00');
    const transfersBefore = await count('ledger_transfers');
    const balances = await account(other.available);
    const error = await post([
      {
        idempotencyId: id('ok-part'),
        debitAccountId: other.available,
        creditAccountId: other.committed,
        amount: money('60.00'),
        code: 'COMMITMENT',
      },
      {
        idempotencyId: id('too-much'),
        debitAccountId: other.available,
        creditAccountId: other.committed,
        amount: money('40.01'),
        code: 'COMMITMENT',
      },
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ACCOUNT_LIMIT_EXCEEDED',
      status: 409,
      extra: {
        violations: [
          expect.objectContaining({ id: other.available, flag: 'DEBITS_MUST_NOT_EXCEED_CREDITS', shortfall: '0.01' }),
        ],
      },
    });
    expect(await count('ledger_transfers')).toBe(transfersBefore);
    expect(await account(other.available)).toEqual(balances);
  });

  it('seals a post larger than one block in consecutive chained blocks, balances updated once', async () => {
    const big = await appropriate(other, '500000.00', 'big-approp');
    const n = MAX_BLOCK_TRANSFERS * 2 + 1;
    const result = await post(
      Array.from({ length: n }, () => ({
        idempotencyId: id('big'),
        debitAccountId: other.available,
        creditAccountId: other.committed,
        amount: money('0.01'),
        code: 'COMMITMENT' as const,
      })),
    );
    expect(result.created).toBe(n);
    const first = Number(big.block!.seq) + 1;
    expect(result.blocks.map((b) => [Number(b.seq), b.transferCount])).toEqual([
      [first, MAX_BLOCK_TRANSFERS],
      [first + 1, MAX_BLOCK_TRANSFERS],
      [first + 2, 1],
    ]);
    expect(result.blocks[1].prevHash).toBe(result.blocks[0].hash);
    expect(result.blocks[2].prevHash).toBe(result.blocks[1].hash);
    expect(await account(other.committed)).toMatchObject({ credits_posted: '200.01' });
    expect(await t.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true });
  });

  it('refuses transfers that break the chart of accounts, and a second reversal', async () => {
    const wrong: [TransferInput, RegExp][] = [
      [
        {
          idempotencyId: id('chart'),
          debitAccountId: line.available,
          creditAccountId: line.committed,
          amount: money('1.00'),
          code: 'APPROPRIATION',
        },
        /APPROPRIATION debits FUNDING and credits AVAILABLE/,
      ],
      [
        {
          idempotencyId: id('chart'),
          debitAccountId: line.available,
          creditAccountId: other.committed,
          amount: money('1.00'),
          code: 'COMMITMENT',
        },
        /one budget line/,
      ],
    ];
    for (const [transfer, message] of wrong) {
      const error = await post([transfer]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_TRANSFER', errors: [{ message: expect.stringMatching(message) }] });
    }

    const original = await appropriate(line, '3.00', 'to-reverse');
    const reversal = (over: Partial<TransferInput> = {}): TransferInput => ({
      idempotencyId: id('reversal'),
      debitAccountId: line.available,
      creditAccountId: line.funding,
      amount: money('3.00'),
      code: 'REVERSAL',
      reversesTransferId: original.transfers[0].id,
      ...over,
    });
    await expect(post([reversal({ amount: money('2.00') })])).rejects.toMatchObject({ code: 'INVALID_TRANSFER' });
    await expect(
      post([reversal({ debitAccountId: line.funding, creditAccountId: line.available })]),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSFER' });
    const done = await post([reversal()]);
    expect(done.created).toBe(1);
    await expect(post([reversal()])).rejects.toMatchObject({ code: 'ALREADY_REVERSED', status: 409 });
    await expect(
      post([
        reversal({
          reversesTransferId: done.transfers[0].id,
          debitAccountId: line.funding,
          creditAccountId: line.available,
        }),
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSFER' });
  });

  it('refuses a post outside a transaction', async () => {
    await expect(ledger.post(t.dataSource.manager, [])).rejects.toThrow(/open transaction/);
  });

  describe('the database keeps transfers and blocks append-only', () => {
    it.each([
      ['UPDATE ledger_transfers SET amount = amount + 1'],
      ['DELETE FROM ledger_transfers'],
      ['TRUNCATE ledger_transfers CASCADE'],
      [`UPDATE ledger_blocks SET hash = repeat('a', 64)`],
      ['DELETE FROM ledger_blocks'],
      ['TRUNCATE ledger_blocks CASCADE'],
      ['DELETE FROM ledger_accounts'],
      ['DELETE FROM ledger_head'],
    ])('refuses %s', async (sql) => {
      await expect(t.dataSource.query(sql)).rejects.toThrow(/append-only|not allowed/);
    });

    it('checks each insert of transfers: its block first and filled by it, its accounts and reversed transfer exist, ids unique', async () => {
      const taken = (await appropriate(other, '1.00', 'taken')).transfers[0];
      // As the posting path does: the block after the head, then its transfers in one statement.
      const attempt = (block: number | null, transfers: [string, string, string, string | null][]) =>
        tx.run(async (manager) => {
          await manager.query(`SELECT set_config('yikatong.ledger_posting', 'on', true)`);
          if (block !== null) {
            await manager.query(
              `INSERT INTO ledger_blocks (seq, prev_hash, hash, transfer_count, created_at)
               SELECT last_seq + 1, last_hash, repeat('f', 64), $1, now() FROM ledger_head`,
              [block],
            );
          }
          await manager.query(
            `INSERT INTO ledger_transfers
               (idempotency_id, debit_account_id, credit_account_id, amount, code, reverses_transfer_id, block_seq)
             SELECT i, d::bigint, c::bigint, 1.00, CASE WHEN r IS NULL THEN 'APPROPRIATION' ELSE 'REVERSAL' END,
                    r::bigint, (SELECT last_seq + 1 FROM ledger_head)
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(i, d, c, r)`,
            [0, 1, 2, 3].map((k) => transfers.map((row) => row[k])),
          );
        });
      const good: [string, string, string, null] = [id('raw'), other.funding, other.available, null];
      await expect(attempt(null, [good])).rejects.toThrow(/must be written before its transfers/);
      await expect(attempt(2, [good])).rejects.toThrow(/inserted by one statement/);
      await expect(attempt(1, [[id('raw'), '999999999', other.available, null]])).rejects.toThrow(
        /account that does not exist/,
      );
      await expect(attempt(1, [[id('raw'), other.available, other.funding, '999999999']])).rejects.toThrow(
        /names a transfer that does not exist/,
      );
      await expect(attempt(1, [[taken.idempotencyId, other.funding, other.available, null]])).rejects.toThrow(
        /ledger_transfers_idempotency_key/,
      );
      expect(await t.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true });
    });

    it('refuses balance changes outside the posting path, and identity changes always', async () => {
      await expect(
        t.dataSource.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + 1000 WHERE id = $1`, [
          line.available,
        ]),
      ).rejects.toThrow(/change only by posting/);
      await expect(
        t.dataSource.query(`UPDATE ledger_accounts SET county_code = '410102' WHERE id = $1`, [line.available]),
      ).rejects.toThrow(/identity/);
      await expect(t.dataSource.query(`UPDATE ledger_head SET last_seq = last_seq + 1`)).rejects.toThrow(
        /moves only by posting/,
      );
    });
  });

  describe('tamper evidence', () => {
    it('verifies, then names the block whose transfer a superuser changed behind the triggers', async () => {
      const auditor = await t.signIn('AUDITOR', '410100');
      const clean = await t.http().get(`${API}/ledger/verify`).set('Authorization', auditor.auth).expect(200);
      expect(clean.body).toMatchObject({ ok: true, blocks: expect.any(Number), transfers: expect.any(Number) });
      expect(clean.body.firstBadBlock).toBeUndefined();

      // Two more blocks after the one we will tamper with.
      const victim = await appropriate(other, '7.00', 'victim');
      await appropriate(other, '8.00', 'after-1');
      await appropriate(other, '9.00', 'after-2');
      const victimBlock = Number(victim.block!.seq);

      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`ALTER TABLE ledger_transfers DISABLE TRIGGER ALL`);
        await runner.query(`UPDATE ledger_transfers SET amount = 70.00 WHERE id = $1`, [victim.transfers[0].id]);
        await runner.query(`ALTER TABLE ledger_transfers ENABLE TRIGGER ALL`);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }

      const tampered = await t.http().get(`${API}/ledger/verify`).set('Authorization', auditor.auth).expect(200);
      expect(tampered.body).toMatchObject({ ok: false, firstBadBlock: victimBlock });
      expect(tampered.body.problems).toEqual(
        expect.arrayContaining([
          { block: victimBlock, problem: 'hash does not match the block content' },
          expect.objectContaining({ accountId: other.funding }),
          expect.objectContaining({ accountId: other.available }),
        ]),
      );
      // Only that block's content is bad; the chain links after it still hold.
      expect(tampered.body.problems.filter((p: { block?: number }) => p.block !== undefined)).toHaveLength(1);

      const finance = await t.signIn('FINANCE', '410122');
      await t.http().get(`${API}/ledger/verify`).set('Authorization', finance.auth).expect(403);
    });

    it('refuses a transfer slipped into a sealed block, and notices one a superuser forces in', async () => {
      const last = await appropriate(other, '1.00', 'last');
      const lastBlock = Number(last.block!.seq);
      const slip = (manager: { query: (sql: string, params: unknown[]) => Promise<unknown> }) =>
        manager.query(
          `INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount, code, block_seq)
           VALUES ('slipped-in', $1, $2, 1000.00, 'APPROPRIATION', $3)`,
          [other.funding, other.available, lastBlock],
        );
      await expect(slip(t.dataSource)).rejects.toThrow(/written only by posting/);
      // Even with the posting flag set by hand, a sealed block takes nothing more.
      await expect(
        tx.run(async (manager) => {
          await manager.query(`SELECT set_config('yikatong.ledger_posting', 'on', true)`);
          await slip(manager);
        }),
      ).rejects.toThrow(/block being sealed/);

      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`SET LOCAL session_replication_role = replica`);
        await slip(runner);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      const auditor = await t.signIn('AUDITOR', '410122');
      const response = await t.http().get(`${API}/ledger/verify`).set('Authorization', auditor.auth).expect(200);
      expect(response.body.ok).toBe(false);
      expect(response.body.problems).toEqual(
        expect.arrayContaining([
          { block: lastBlock, problem: 'holds 2 transfers but its header says 1' },
          { block: lastBlock, problem: 'hash does not match the block content' },
        ]),
      );
    });
  });
});
