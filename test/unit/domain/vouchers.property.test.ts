import { expect } from 'chai';
import fc from 'fast-check';
import { DomainError, type ErrorCode } from '../../../chaincode/src/domain/errors';
import { assertLineage } from '../../../chaincode/src/domain/provenance';
import type { Actor, Member, Receivable, Voucher } from '../../../chaincode/src/domain/types';
import {
  assertTreeInvariants,
  issueVoucher,
  lineageIds,
  MAX_SPLIT,
  MAX_TIER,
  MIN_PIECE,
  settleVoucher,
  splitVoucher,
  transferVoucher,
  transitionVoucher,
} from '../../../chaincode/src/domain/vouchers';
import { ACTORS, actorOf, IDS, member, MEMBERS, receivable, TX, txAt } from './fixtures';

/**
 * Random sequences of transfers, splits, financing steps and settlements,
 * applied to an in-memory map of pieces the way the contracts layer applies
 * them (store exactly what the domain returns). After every step:
 * - the pieces that are not SPLIT sum to the root amount (conservation);
 * - no piece is consumed (split, transferred in part, settled) twice, and
 *   reusing a consumed piece fails with INVALID_STATE;
 * - every piece traces to the root through parentId;
 * - the receivable has been paid exactly the settled pieces.
 */

const MATURITY = '2025-09-30';
const BEFORE = TX; // 2025-03-01
const SETTLE_DAY = txAt(MATURITY, 'tx-settle');

const SUPPLIERS: Member[] = [MEMBERS.supplier, MEMBERS.supplier2, MEMBERS.supplier3, member(IDS.warehouse, ['SUPPLIER'])];
const BY_ID = new Map<string, Member>([...SUPPLIERS, MEMBERS.bank].map((m) => [m.id, m]));

/** `pick` chooses a piece; `anyPiece` false (most of the time) restricts the choice to ACTIVE pieces. */
type Pick = { pick: number; anyPiece: boolean };
type Op =
  | ({ kind: 'transfer'; to: number; whole: boolean; seed: bigint } & Pick)
  | ({ kind: 'split'; weights: number[]; skew: number } & Pick)
  | ({ kind: 'finance' } & Pick)
  | ({ kind: 'settle' } & Pick)
  | { kind: 'replay'; pick: number };

const pick = { pick: fc.nat(), anyPiece: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 4, arbitrary: fc.constant(false) }) };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      ...pick,
      to: fc.nat({ max: 3 }),
      whole: fc.boolean(),
      seed: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('split' as const),
      ...pick,
      weights: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 22 }),
      skew: fc.constantFrom(0, 0, 0, -1, 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('finance' as const), ...pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), ...pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
);

/** Root amounts: mostly large enough to split many times, sometimes near the minimum piece. */
const amountArb = fc.oneof(
  { weight: 1, arbitrary: fc.bigInt({ min: 100n, max: 1000n }) },
  { weight: 3, arbitrary: fc.bigInt({ min: 1000n, max: 10n ** 10n }) },
  { weight: 3, arbitrary: fc.bigInt({ min: 10n ** 10n, max: 10n ** 18n }) },
);
const opsArb = (maxLength: number) => fc.array(opArb, { minLength: 1, maxLength, size: 'max' });

function attempt<T>(fn: () => T): { ok: T } | { code: ErrorCode } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { code: e.code };
  }
}

function actorOfHolder(v: Voucher): Actor {
  const m = BY_ID.get(v.holder);
  if (!m) throw new Error(`no member ${v.holder}`);
  return actorOf(m);
}

class World {
  readonly pieces = new Map<string, Voucher>();
  readonly consumed = new Set<string>();
  rcv: Receivable;
  readonly root: Voucher;

  constructor(amount: bigint) {
    const issued = issueVoucher(
      receivable({ id: 'RCV-P', amount: amount.toString() }),
      { id: 'VCH-P', amount: amount.toString(), maturityDate: MATURITY },
      ACTORS.core,
      TX,
    );
    this.root = issued.voucher;
    this.rcv = issued.receivable;
    this.pieces.set(issued.voucher.id, issued.voucher);
  }

  choose(p: Pick): Voucher | undefined {
    return this.pick(p.pick, p.anyPiece ? undefined : (v) => v.status === 'ACTIVE');
  }

  pick(n: number, filter: (v: Voucher) => boolean = () => true): Voucher | undefined {
    const list = [...this.pieces.values()].filter(filter).sort((a, b) => (a.id < b.id ? -1 : 1));
    return list.length === 0 ? undefined : list[n % list.length];
  }

  consume(id: string): void {
    expect(this.consumed.has(id), `${id} consumed twice`).to.equal(false);
    this.consumed.add(id);
  }

  store(parent: Voucher, children: Voucher[]): void {
    for (const c of children) expect(this.pieces.has(c.id), `${c.id} created twice`).to.equal(false);
    this.pieces.set(parent.id, parent);
    for (const c of children) this.pieces.set(c.id, c);
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'transfer': {
        const v = this.choose(op);
        if (!v) return;
        const to = SUPPLIERS[op.to] as Member;
        const piece = BigInt(v.amount);
        const amount = op.whole ? piece : 1n + (op.seed % piece);
        const r = attempt(() => transferVoucher(v, { to: to.id, amount: amount.toString() }, actorOfHolder(v), to, BEFORE));
        const expected = this.expectedTransfer(v, to, amount);
        if ('code' in r) {
          expect(r.code).to.equal(expected);
          return;
        }
        expect(expected).to.equal('OK');
        if (r.ok.children.length > 0) this.consume(v.id);
        this.store(r.ok.voucher, r.ok.children);
        return;
      }
      case 'split': {
        const v = this.choose(op);
        if (!v) return;
        const piece = BigInt(v.amount);
        const total = BigInt(op.weights.reduce((a, b) => a + b, 0));
        const parts = op.weights.map((w) => (piece * BigInt(w)) / total);
        parts[parts.length - 1] = (parts[parts.length - 1] as bigint) + piece - parts.reduce((a, b) => a + b, 0n) + BigInt(op.skew);
        const r = attempt(() => splitVoucher(v, parts.map(String), actorOfHolder(v), BEFORE));
        const expected = this.expectedSplit(v, parts);
        if ('code' in r) {
          expect(r.code).to.equal(expected);
          return;
        }
        expect(expected).to.equal('OK');
        this.consume(v.id);
        this.store(r.ok.voucher, r.ok.children);
        return;
      }
      case 'finance': {
        // Financing steps as the financing layer will apply them: request, then disburse (holder = bank).
        const v = this.pick(op.pick, (p) => p.status === 'ACTIVE' || p.status === 'FINANCING_PENDING');
        if (!v) return;
        const next = v.status === 'ACTIVE' ? transitionVoucher(v, 'REQUEST_FINANCING', BEFORE) : { ...transitionVoucher(v, 'DISBURSE', BEFORE), holder: IDS.bank };
        this.pieces.set(v.id, next);
        return;
      }
      case 'settle': {
        const v = this.choose(op);
        if (!v) return;
        const r = attempt(() => settleVoucher(v, this.rcv, { paymentRef: `PAY-${v.id}` }, ACTORS.core, SETTLE_DAY));
        if ('code' in r) {
          expect(r.code).to.equal('INVALID_STATE');
          expect(['SPLIT', 'SETTLED']).to.include(v.status);
          return;
        }
        // A FINANCING_PENDING piece is paid to its holder too (its undisbursed financing expires).
        expect(['ACTIVE', 'FINANCING_PENDING', 'FINANCED']).to.include(v.status);
        expect(r.ok.voucher.settledTo).to.equal(v.holder);
        this.consume(v.id);
        this.pieces.set(v.id, r.ok.voucher);
        this.rcv = r.ok.receivable;
        return;
      }
      case 'replay': {
        const v = this.pick(op.pick, (p) => this.consumed.has(p.id));
        if (!v) return;
        const code = (fn: () => unknown) => {
          const r = attempt(fn);
          return 'code' in r ? r.code : 'SUCCEEDED';
        };
        expect(code(() => settleVoucher(v, this.rcv, { paymentRef: 'again' }, ACTORS.core, SETTLE_DAY))).to.equal('INVALID_STATE');
        if (BY_ID.get(v.holder)?.roles.includes('SUPPLIER')) {
          const other = SUPPLIERS.find((s) => s.id !== v.holder) as Member;
          expect(code(() => splitVoucher(v, [v.amount, v.amount], actorOfHolder(v), BEFORE))).to.equal('INVALID_STATE');
          expect(code(() => transferVoucher(v, { to: other.id, amount: v.amount }, actorOfHolder(v), other, BEFORE))).to.equal('INVALID_STATE');
          expect(code(() => transferVoucher(v, { to: other.id, amount: '100' }, actorOfHolder(v), other, BEFORE))).to.equal('INVALID_STATE');
        }
        return;
      }
    }
  }

  /** The outcome DESIGN 2.2 prescribes for a transfer, in the order the checks apply. */
  expectedTransfer(v: Voucher, to: Member, amount: bigint): ErrorCode | 'OK' {
    if (!BY_ID.get(v.holder)?.roles.includes('SUPPLIER')) return 'FORBIDDEN';
    if (v.status !== 'ACTIVE') return 'INVALID_STATE';
    const piece = BigInt(v.amount);
    const part = amount < piece;
    if (to.id === v.holder || v.tier + 1 > MAX_TIER) return 'BUSINESS_RULE';
    if (part && (amount < MIN_PIECE || piece - amount < MIN_PIECE)) return 'BUSINESS_RULE';
    return 'OK';
  }

  /** The outcome DESIGN 2.2 prescribes for a split. */
  expectedSplit(v: Voucher, parts: bigint[]): ErrorCode | 'OK' {
    if (!BY_ID.get(v.holder)?.roles.includes('SUPPLIER')) return 'FORBIDDEN';
    // a part of zero (a small piece, or the skew) is malformed input, refused before the state is looked at
    if (parts.some((p) => p < 1n)) return 'VALIDATION_FAILED';
    if (v.status !== 'ACTIVE') return 'INVALID_STATE';
    if (parts.length < 2 || parts.length > MAX_SPLIT) return 'BUSINESS_RULE';
    if (parts.some((p) => p < MIN_PIECE)) return 'BUSINESS_RULE';
    if (parts.reduce((a, b) => a + b, 0n) !== BigInt(v.amount)) return 'BUSINESS_RULE';
    return 'OK';
  }

  check(): void {
    const all = [...this.pieces.values()];
    assertTreeInvariants(all);
    const live = all.filter((p) => p.status !== 'SPLIT').reduce((s, p) => s + BigInt(p.amount), 0n);
    expect(live).to.equal(BigInt(this.root.amount));
    for (const p of all) {
      const chain: Voucher[] = [];
      let cur: Voucher | undefined = p;
      while (cur) {
        chain.push(cur);
        cur = cur.parentId === undefined ? undefined : this.pieces.get(cur.parentId);
      }
      expect(chain.map((c) => c.id)).to.deep.equal(lineageIds(p.id));
      expect((chain[chain.length - 1] as Voucher).id).to.equal(this.root.id);
      assertLineage(chain, this.rcv.id);
    }
    const settled = all.filter((p) => p.status === 'SETTLED').reduce((s, p) => s + BigInt(p.amount), 0n);
    expect(BigInt(this.rcv.settledAmount)).to.equal(settled);
    expect(this.rcv.status).to.equal(settled === BigInt(this.rcv.amount) ? 'SETTLED' : 'VOUCHERED');
    for (const p of all) {
      if (p.status === 'SPLIT' || p.status === 'SETTLED') expect(this.consumed.has(p.id), p.id).to.equal(true);
    }
  }
}

describe('domain/vouchers (properties)', () => {
  it('conserves the root amount, consumes each piece at most once and keeps every piece traceable to its root', () => {
    fc.assert(
      fc.property(amountArb, opsArb(80), (amount, ops) => {
        const world = new World(amount);
        world.check();
        for (const op of ops) {
          world.apply(op);
          world.check();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('pays out exactly the root amount once every piece is settled', () => {
    fc.assert(
      fc.property(amountArb, opsArb(40), (amount, ops) => {
        const world = new World(amount);
        for (const op of ops) world.apply(op);
        // Half the pending requests are disbursed before maturity; the rest are still pending when the issuer pays.
        [...world.pieces.values()]
          .filter((p) => p.status === 'FINANCING_PENDING')
          .forEach((p, i) => {
            if (i % 2 === 0) world.pieces.set(p.id, { ...transitionVoucher(p, 'DISBURSE', BEFORE), holder: IDS.bank });
          });
        for (const p of [...world.pieces.values()]) {
          if (p.status === 'ACTIVE' || p.status === 'FINANCING_PENDING' || p.status === 'FINANCED') {
            world.apply({ kind: 'settle', pick: [...world.pieces.keys()].sort().indexOf(p.id), anyPiece: true });
          }
        }
        world.check();
        expect(world.rcv.status).to.equal('SETTLED');
        expect(world.rcv.settledAmount).to.equal(amount.toString());
        const paid = [...world.pieces.values()].filter((p) => p.status === 'SETTLED').reduce((s, p) => s + BigInt(p.amount), 0n);
        expect(paid).to.equal(amount);
      }),
      { numRuns: 200 },
    );
  });
});
