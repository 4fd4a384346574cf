import { expect } from 'chai';
import fc from 'fast-check';
import type { TestIdentity } from '../../support/certs';
import { IDS, rootVoucher, world, type World } from '../../support/ledger-harness';

/**
 * Random sequences of transfers, splits and racing pairs of spends, run
 * through the real contracts on the Fabric-semantics world state. After every
 * step the committed tree of the root must conserve the root amount, every
 * piece must trace to the root, and no piece may be consumed twice.
 */
interface Node {
  id: string;
  holder: string;
  amount: string;
  tier: number;
  status: string;
  children: Node[];
}

const ROOT_AMOUNT = 1_000_000n;
const SUPPLIERS = ['tier1', 'tier2', 'tier3'] as const;

const op = fc.record({
  kind: fc.constantFrom('transfer', 'split', 'race'),
  pick: fc.nat(),
  to: fc.nat(),
  cut: fc.integer({ min: 1, max: 1000 }),
  parts: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 4 }),
});

function leaves(n: Node): Node[] {
  return n.children.length === 0 ? [n] : n.children.flatMap(leaves);
}

function all(n: Node): Node[] {
  return [n, ...n.children.flatMap(all)];
}

function checkTree(root: Node): void {
  const ids = all(root).map((n) => n.id);
  expect(new Set(ids).size, 'every piece appears once').to.equal(ids.length);
  for (const n of all(root)) {
    if (n.status === 'SPLIT') {
      expect(n.children.length, `${n.id} split into at least two`).to.be.at.least(2);
      const sum = n.children.reduce((s, c) => s + BigInt(c.amount), 0n);
      expect(sum, `children of ${n.id} sum to it`).to.equal(BigInt(n.amount));
      n.children.forEach((c, i) => expect(c.id).to.equal(`${n.id}.${i + 1}`));
    } else {
      expect(n.children, `${n.id} is live and has no children`).to.deep.equal([]);
      expect(BigInt(n.amount) >= 100n, `${n.id} is at least the minimum piece`).to.equal(true);
    }
  }
  const live = leaves(root).reduce((s, l) => s + BigInt(l.amount), 0n);
  expect(live, 'live pieces conserve the root amount').to.equal(ROOT_AMOUNT);
}

describe('voucher properties through the contracts', function () {
  this.timeout(120_000);

  it('random splits, transfers and racing spends conserve every root, trace every piece and consume none twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const w: World = await world();
        const root = await rootVoucher(w, String(ROOT_AMOUNT), 'prop');
        const who = (memberId: string): TestIdentity => {
          const key = SUPPLIERS.find((s) => IDS[s] === memberId);
          if (!key) throw new Error(`no supplier ${memberId}`);
          return w.as[key];
        };
        const tree = async (): Promise<Node> => (await w.h.evaluate(w.as.auditor, 'voucher:Tree', { id: root.id })).root as Node;

        for (const o of ops) {
          const live = leaves(await tree()).filter((l) => l.status === 'ACTIVE');
          const piece = live[o.pick % live.length]!;
          const holder = who(piece.holder);
          const others = SUPPLIERS.map((s) => IDS[s]).filter((id) => id !== piece.holder);
          const to = others[o.to % others.length]!;
          const amount = BigInt(piece.amount);
          const part = (amount * BigInt(o.cut)) / 1000n;
          const partsTotal = o.parts.reduce((s, p) => s + p, 0);
          const amounts = o.parts.map((p) => (amount * BigInt(p)) / BigInt(partsTotal));
          amounts[amounts.length - 1]! += amount - amounts.reduce((s, a) => s + a, 0n);

          const heightBefore = await w.h.ws.height();
          const attempt = async (name: string, cmd: object) => w.h.endorse(holder, name, cmd).catch((e: Error) => e);
          if (o.kind === 'race') {
            const a = await attempt('voucher:Transfer', { id: piece.id, to, amount: String(amount) });
            const b = await attempt('voucher:Transfer', { id: piece.id, to: others[0]!, amount: String(part) });
            const endorsed = [a, b].filter((t) => !(t instanceof Error));
            if (endorsed.length > 0) {
              const { transactions } = await w.h.commit(endorsed as Exclude<typeof a, Error>[]);
              expect(transactions.filter((t) => t.validationCode === 'VALID')).to.have.length(1);
            }
          } else {
            const tx =
              o.kind === 'transfer'
                ? await attempt('voucher:Transfer', { id: piece.id, to, amount: String(part) })
                : await attempt('voucher:Split', { id: piece.id, amounts: amounts.map(String) });
            if (tx instanceof Error) {
              expect(tx.message).to.match(/^\[(BUSINESS_RULE|VALIDATION_FAILED)\]/);
              expect(await w.h.ws.height(), 'a refused command writes nothing').to.equal(heightBefore);
            } else {
              const { transactions } = await w.h.commit([tx]);
              expect(transactions[0]!.validationCode).to.equal('VALID');
            }
          }
          const now = await tree();
          checkTree(now);
          for (const n of all(now)) {
            const v = await w.h.evaluate(w.as.auditor, 'voucher:Get', { id: n.id });
            expect(v.rootId).to.equal(root.id);
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
