import { expect } from 'chai';
import fc from 'fast-check';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { clientIdOf, IDS, rootVoucher, world, type World } from '../../support/ledger-harness';

/**
 * Random sequences of splits, transfers, financing requests (some racing),
 * approvals, rejections, withdrawals, disbursements, freezes and unfreezes,
 * run through the real contracts on the Fabric-semantics world state. After
 * every step:
 * no asset carries more than one live financing and the asset's status and
 * financingId agree with it; the root's live pieces conserve its amount;
 * every disbursed financing respects advance + discount + fee ≤ face; and
 * nothing frozen (a piece, its ancestors, its holder, a financing's parties)
 * changed. At the end every piece is settled at maturity: every disbursed
 * financing is repaid by that settlement, and every request left open (the
 * bank never disbursed it) expires with it, its applicant being paid.
 */
interface Node {
  id: string;
  amount: string;
  status: string;
  children: Node[];
}
interface Fin {
  id: string;
  asset: { type: string; id: string };
  applicant: string;
  bank: string;
  status: string;
  faceAmount: string;
  requestedAmount: string;
  advanceAmount?: string;
  discount?: string;
  fee?: string;
}
interface Piece {
  id: string;
  holder: string;
  amount: string;
  status: string;
  financingId?: string;
}

const ROOT_AMOUNT = 1_000_000n;
const BANK2 = withCheckChar('91110000MA00BK002');
const SUPPLIERS = ['tier1', 'tier2', 'tier3'] as const;
const LIVE = ['REQUESTED', 'APPROVED', 'DISBURSED'];
const REFUSALS = /^\[(BUSINESS_RULE|VALIDATION_FAILED|INVALID_STATE|DOUBLE_FINANCING|FROZEN|FORBIDDEN|NOT_FOUND)\]/;

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), cut: fc.integer({ min: 1, max: 999 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), pick: fc.nat(), to: fc.nat(), cut: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), pick: fc.nat(), bank: fc.nat(), cut: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('race' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('approve' as const), pick: fc.nat(), cut: fc.integer({ min: 1, max: 1000 }), rate: fc.integer({ min: 0, max: 2000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('disburse' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('freeze' as const), pick: fc.nat(), member: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unfreeze' as const), pick: fc.nat() }) },
);

function all(n: Node): Node[] {
  return [n, ...n.children.flatMap(all)];
}
function leaves(n: Node): Node[] {
  return n.children.length === 0 ? [n] : n.children.flatMap(leaves);
}
function lineage(id: string): string[] {
  const parts = id.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

describe('financing properties through the contracts', function () {
  this.timeout(300_000);

  it('never encumbers an asset twice, conserves amounts and never changes anything frozen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 6, maxLength: 18 }), async (ops) => {
        const w: World = await world();
        await w.h.submit(w.as.operator, 'member:Register', { id: BANK2, name: 'Second bank', mspId: 'BankMSP', roles: ['BANK'] });
        const bank2 = await makeIdentity('BankMSP', 'prop-bank2');
        await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: BANK2, mspId: 'BankMSP', identityId: clientIdOf(bank2), userRole: 'MAKER' });
        const root = await rootVoucher(w, String(ROOT_AMOUNT), 'fin-prop');
        const identity: Record<string, TestIdentity> = {
          [IDS.tier1]: w.as.tier1,
          [IDS.tier2]: w.as.tier2,
          [IDS.tier3]: w.as.tier3,
          [IDS.bank]: w.as.bank,
          [BANK2]: bank2,
        };
        const banks = [IDS.bank, BANK2];
        const financingIds: string[] = [];
        const freezes = new Map<string, string>(); // "TYPE/id" -> freeze id

        const tree = async (): Promise<Node> => (await w.h.evaluate(w.as.auditor, 'voucher:Tree', { id: root.id })).root as Node;
        const piece = async (id: string): Promise<Piece> => w.h.evaluate(w.as.auditor, 'voucher:Get', { id });
        const financing = async (id: string): Promise<Fin> => w.h.evaluate(w.as.auditor, 'financing:Get', { id });
        const isFrozen = (type: string, id: string) => freezes.has(`${type}/${id}`);
        const pieceFrozen = (p: Piece) => lineage(p.id).some((id) => isFrozen('VOUCHER', id)) || isFrozen('MEMBER', p.holder);

        /** Runs a transaction; a refusal must carry a domain code. Returns whether it committed. */
        const attempt = async (who: TestIdentity, name: string, cmd: object): Promise<unknown> => {
          try {
            return await w.h.submit(who, name, cmd);
          } catch (e) {
            expect((e as Error).message, `${name} ${JSON.stringify(cmd)}`).to.match(REFUSALS);
            return undefined;
          }
        };

        for (const o of ops) {
          const before = await tree();
          const live = leaves(before);
          const target = await piece(live[o.pick % live.length]!.id);
          const holder = identity[target.holder]!;
          const amount = BigInt(target.amount);
          const part = (amount * BigInt('cut' in o ? o.cut : 1000)) / 1000n;

          // Snapshot what is frozen now.
          const frozenPieces = new Map<string, Piece>();
          for (const l of live) {
            const p = await piece(l.id);
            if (pieceFrozen(p)) frozenPieces.set(p.id, p);
          }
          const frozenFins = new Map<string, Fin>();
          for (const id of financingIds) {
            const f = await financing(id);
            const onFrozenPiece = frozenPieces.has(f.asset.id);
            if (onFrozenPiece || isFrozen('MEMBER', f.applicant) || isFrozen('MEMBER', f.bank)) frozenFins.set(id, f);
          }

          switch (o.kind) {
            case 'split': {
              const cut = (amount * BigInt(o.cut)) / 1000n;
              await attempt(holder, 'voucher:Split', { id: target.id, amounts: [String(cut), String(amount - cut)] });
              break;
            }
            case 'transfer': {
              const others = SUPPLIERS.map((s) => IDS[s]).filter((id) => id !== target.holder);
              await attempt(holder, 'voucher:Transfer', { id: target.id, to: others[o.to % others.length]!, amount: String(part) });
              break;
            }
            case 'request': {
              const fin = (await attempt(holder, 'financing:Request', {
                asset: { type: 'VOUCHER', id: target.id },
                bank: banks[o.bank % banks.length]!,
                requestedAmount: String(part),
              })) as Fin | undefined;
              if (fin) financingIds.push(fin.id);
              break;
            }
            case 'race': {
              const cmd = (bank: string) => ({ asset: { type: 'VOUCHER', id: target.id }, bank, requestedAmount: String(amount / 2n) });
              const endorsed = [];
              for (const bank of banks) {
                try {
                  endorsed.push(await w.h.endorse(holder, 'financing:Request', cmd(bank)));
                } catch (e) {
                  expect((e as Error).message).to.match(REFUSALS);
                }
              }
              if (endorsed.length > 0) {
                const { transactions } = await w.h.commit(endorsed);
                const valid = transactions.filter((t) => t.validationCode === 'VALID');
                expect(valid.length, 'at most one of two racing requests commits').to.be.at.most(1);
                endorsed.forEach((t, i) => {
                  if (transactions[i]?.validationCode === 'VALID') financingIds.push((JSON.parse(t.result) as Fin).id);
                });
              }
              break;
            }
            case 'approve':
            case 'reject':
            case 'withdraw':
            case 'disburse': {
              if (financingIds.length === 0) break;
              // Mostly pick a financing in the status the step applies to; otherwise any (the step must then be refused).
              const wanted = { approve: ['REQUESTED'], reject: ['REQUESTED', 'APPROVED'], withdraw: ['REQUESTED'], disburse: ['APPROVED'] }[o.kind];
              const known = await Promise.all(financingIds.map(financing));
              const fitting = known.filter((x) => wanted.includes(x.status));
              const pool = fitting.length > 0 && o.pick % 5 !== 0 ? fitting : known;
              const f = pool[o.pick % pool.length]!;
              const bank = identity[f.bank]!;
              if (o.kind === 'approve') {
                const advance = (BigInt(f.requestedAmount) * BigInt(o.cut)) / 1000n;
                await attempt(bank, 'financing:Approve', { id: f.id, advanceAmount: String(advance > 0n ? advance : 1n), annualRateBps: o.rate });
              } else if (o.kind === 'reject') {
                await attempt(bank, 'financing:Reject', { id: f.id, reason: 'random rejection' });
              } else if (o.kind === 'withdraw') {
                // Only the applicant withdraws, and only a request the bank has not approved (every due date is still ahead).
                const by = o.pick % 7 === 0 ? bank : identity[f.applicant]!;
                const committed = await attempt(by, 'financing:Withdraw', { id: f.id, reason: 'random withdrawal' });
                if (committed) expect([by === bank ? 'bank' : 'applicant', f.status], `${f.id} withdrawn`).to.deep.equal(['applicant', 'REQUESTED']);
              } else {
                await attempt(bank, 'financing:Disburse', { id: f.id, paymentRef: `PAY-${f.id}` });
              }
              break;
            }
            case 'freeze': {
              const members = [...SUPPLIERS.map((s) => IDS[s]), ...banks];
              const nodes = all(before);
              const t = o.member
                ? { type: 'MEMBER', id: members[o.pick % members.length]! }
                : { type: 'VOUCHER', id: nodes[o.pick % nodes.length]!.id };
              const f = (await attempt(w.as.operator, 'freeze:Freeze', { target: t, reason: 'random court order' })) as { id: string } | undefined;
              if (f) freezes.set(`${t.type}/${t.id}`, f.id);
              break;
            }
            case 'unfreeze': {
              const keys = [...freezes.keys()];
              if (keys.length === 0) break;
              const key = keys[o.pick % keys.length]!;
              await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: freezes.get(key)! });
              freezes.delete(key);
              break;
            }
          }

          // Nothing frozen changed.
          for (const [id, snap] of frozenPieces) expect(await piece(id), `frozen piece ${id}`).to.deep.equal(snap);
          for (const [id, snap] of frozenFins) expect(await financing(id), `financing ${id} on a frozen asset or party`).to.deep.equal(snap);

          // Conservation of the root.
          const now = await tree();
          const liveSum = leaves(now).reduce((s, l) => s + BigInt(l.amount), 0n);
          expect(liveSum, 'live pieces conserve the root amount').to.equal(ROOT_AMOUNT);

          // At most one live financing per asset, and the asset agrees with it.
          const fins = await Promise.all(financingIds.map(financing));
          const liveByAsset = new Map<string, Fin[]>();
          for (const f of fins.filter((x) => LIVE.includes(x.status))) {
            liveByAsset.set(f.asset.id, [...(liveByAsset.get(f.asset.id) ?? []), f]);
          }
          for (const [assetId, list] of liveByAsset) expect(list.length, `live financings on ${assetId}`).to.equal(1);
          for (const f of fins.filter((x) => x.status === 'DISBURSED')) {
            const total = BigInt(f.advanceAmount!) + BigInt(f.discount!) + BigInt(f.fee!);
            expect(total <= BigInt(f.faceAmount), `${f.id} advance + discount + fee within the face`).to.equal(true);
          }
          for (const l of leaves(now)) {
            const p = await piece(l.id);
            const fin = liveByAsset.get(p.id)?.[0];
            if (p.status === 'ACTIVE') expect(fin, `${p.id} is ACTIVE with no live financing`).to.equal(undefined);
            if (p.status === 'FINANCING_PENDING') {
              expect(fin?.status).to.be.oneOf(['REQUESTED', 'APPROVED']);
              expect(p.financingId).to.equal(fin?.id);
            }
            if (p.status === 'FINANCED') {
              expect(fin?.status).to.equal('DISBURSED');
              expect(p.financingId).to.equal(fin?.id);
              expect(p.holder).to.equal(fin?.bank);
            }
          }
          for (const n of all(now).filter((x) => x.status === 'SPLIT')) expect(liveByAsset.has(n.id), `split piece ${n.id} is not financed`).to.equal(false);
        }

        // Maturity: lift every freeze and close some open requests (the applicant
        // withdraws what is REQUESTED, the bank rejects what it APPROVED); the rest
        // stay open. The issuer then pays every piece.
        for (const id of freezes.values()) await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id });
        for (const [i, id] of financingIds.entries()) {
          if (i % 2 === 0) continue;
          const f = await financing(id);
          if (f.status === 'REQUESTED') await w.h.submit(identity[f.applicant]!, 'financing:Withdraw', { id });
          if (f.status === 'APPROVED') await w.h.submit(identity[f.bank]!, 'financing:Reject', { id, reason: 'closing' });
        }
        w.h.today = '2026-06-30';
        let paid = 0n;
        const expiring = new Set<string>();
        for (const l of leaves(await tree())) {
          const before = await piece(l.id);
          const open = before.status === 'FINANCING_PENDING' ? await financing(before.financingId!) : undefined;
          const settled = await w.h.submit(w.as.core, 'voucher:Settle', { id: l.id, paymentRef: `SETTLE-${l.id}` });
          paid += BigInt(settled.amount);
          if (settled.financingId) {
            const f = await financing(settled.financingId);
            expect(f.status).to.equal('REPAID');
            expect(settled.settledTo).to.equal(f.bank);
          }
          if (open) {
            expiring.add(open.id);
            expect(settled.financingId, `${l.id} no longer names its expired financing`).to.equal(undefined);
            expect(settled.settledTo, `${l.id} pays the applicant, who was never advanced anything`).to.equal(open.applicant);
            expect((await financing(open.id)).status).to.equal('EXPIRED');
          }
        }
        expect(paid, 'the issuer pays exactly the root amount').to.equal(ROOT_AMOUNT);
        for (const id of financingIds) {
          const f = await financing(id);
          expect(['REJECTED', 'WITHDRAWN', 'EXPIRED', 'REPAID']).to.include(f.status);
          expect(f.status === 'EXPIRED', `${id} expired only by the settlement of its piece`).to.equal(expiring.has(id));
        }
      }),
      { numRuns: 25 },
    );
  });
});
