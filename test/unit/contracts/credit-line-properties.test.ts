import { expect } from 'chai';
import fc from 'fast-check';
import type { TestIdentity } from '../../support/certs';
import { confirmedReceivable, IDS, world, type World } from '../../support/ledger-harness';

/**
 * Random sequences of voucher issues (some racing a limit reduction), splits,
 * financing requests, approvals (some racing each other for the same line),
 * rejections, disbursements, settlements, days passing and line changes
 * (adjust, suspend, reinstate, close and grant anew), through the real
 * contracts on the Fabric-semantics world state. After every step, for every
 * line: `used` equals the sum of the live reservations naming it (unsettled
 * pieces of vouchers issued on it; APPROVED or DISBURSED financings approved
 * on it), and never exceeds the limit. Two approvals that each fit the line,
 * endorsed on the same state and committed in one block, commit exactly one
 * (the line's key is in both read sets). At the end every piece is settled and
 * every line's use is back to zero.
 */
interface Line {
  id: string;
  limit: string;
  used: string;
  status: string;
}
interface Piece {
  id: string;
  amount: string;
  status: string;
  holder: string;
  maturityDate: string;
  creditLineId?: string;
  childIds?: string[];
}
interface Fin {
  id: string;
  status: string;
  advanceAmount?: string;
  creditLineId?: string;
  asset: { id: string };
}

const REFUSALS = /^\[(BUSINESS_RULE|VALIDATION_FAILED|INVALID_STATE|DOUBLE_FINANCING|ALREADY_EXISTS)\]/;
const START = '2026-01-05';
const LAST_DAY = '2026-09-30';
const VALID_TO = '2026-08-31';

const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('issue' as const), amount: fc.integer({ min: 100, max: 600_000 }), days: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raceIssue' as const), amount: fc.integer({ min: 100, max: 400_000 }), limit: fc.integer({ min: 1, max: 2_000_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), cut: fc.integer({ min: 1, max: 999 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('approve' as const), pick: fc.nat(), cut: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raceApprove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disburse' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('days' as const), days: fc.integer({ min: 1, max: 40 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('line' as const),
      issuance: fc.boolean(),
      action: fc.constantFrom('adjust', 'adjust', 'suspend', 'reinstate', 'close'),
      limit: fc.integer({ min: 1, max: 2_000_000 }),
    }),
  },
);

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('credit line properties through the contracts', function () {
  this.timeout(600_000);

  it('keeps every line\'s use equal to its live reservations, within its limit, under races', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100_000, max: 2_000_000 }),
        fc.integer({ min: 100_000, max: 1_500_000 }),
        fc.array(op, { minLength: 10, maxLength: 30 }),
        async (issuanceLimit, financingLimit, ops) => {
          const w: World = await world();
          w.h.today = START;
          const lines = { issuance: [] as string[], financing: [] as string[] };
          const grant = async (issuance: boolean, limit: string): Promise<void> => {
            const l = issuance
              ? await w.h.submit(w.as.operator, 'creditLine:Grant', { kind: 'ISSUANCE', obligor: IDS.core, limit, validTo: VALID_TO })
              : await w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.core, limit, validTo: VALID_TO });
            (issuance ? lines.issuance : lines.financing).push((l as Line).id);
          };
          await grant(true, String(issuanceLimit));
          await grant(false, String(financingLimit));
          const pieceIds: string[] = [];
          const finIds: string[] = [];
          let seq = 0;

          const piece = (id: string): Promise<Piece> => w.h.evaluate(w.as.auditor, 'voucher:Get', { id });
          const fin = (id: string): Promise<Fin> => w.h.evaluate(w.as.auditor, 'financing:Get', { id });
          const line = (id: string): Promise<Line> => w.h.evaluate(w.as.auditor, 'creditLine:Get', { id });
          const attempt = async <T>(who: TestIdentity, name: string, cmd: object): Promise<T | undefined> => {
            try {
              return await w.h.submit<T>(who, name, cmd);
            } catch (e) {
              expect((e as Error).message, `${name} ${JSON.stringify(cmd)}`).to.match(REFUSALS);
              return undefined;
            }
          };
          const pick = async (n: number, ok: (p: Piece) => boolean): Promise<Piece | undefined> => {
            const all = await Promise.all(pieceIds.map(piece));
            const fit = all.filter(ok);
            return fit.length === 0 ? undefined : fit[n % fit.length];
          };
          const pickFin = async (n: number, statuses: string[]): Promise<Fin[]> => {
            const all = await Promise.all(finIds.map(fin));
            const fit = all.filter((f) => statuses.includes(f.status));
            return fit.length === 0 ? [] : [...fit.slice(n % fit.length), ...fit.slice(0, n % fit.length)];
          };
          /** A confirmed receivable and the voucher:Issue command for it (maturity `days` from today). */
          const issueCommand = async (amount: number, days: number) => {
            seq += 1;
            const maturityDate = addDays(w.h.today, days);
            const rcv = await confirmedReceivable(w, String(amount), `crl-prop-${seq}`, maturityDate);
            return { receivableId: rcv.id as string, amount: String(amount), maturityDate };
          };
          const issued = (v: Piece | undefined) => {
            if (v) pieceIds.push(v.id);
          };

          const checkInvariants = async (step: string): Promise<void> => {
            const pieces = await Promise.all(pieceIds.map(piece));
            const fins = await Promise.all(finIds.map(fin));
            for (const id of [...lines.issuance, ...lines.financing]) {
              const l = await line(id);
              const held =
                pieces.filter((p) => p.creditLineId === id && p.status !== 'SPLIT' && p.status !== 'SETTLED').reduce((s, p) => s + BigInt(p.amount), 0n) +
                fins.filter((f) => f.creditLineId === id && (f.status === 'APPROVED' || f.status === 'DISBURSED')).reduce((s, f) => s + BigInt(f.advanceAmount ?? '0'), 0n);
              expect(BigInt(l.used), `${step}: used of ${id} vs its live reservations`).to.equal(held);
              expect(BigInt(l.used) <= BigInt(l.limit), `${step}: ${id} used ${l.used} within limit ${l.limit}`).to.equal(true);
            }
          };

          for (const [i, o] of ops.entries()) {
            switch (o.kind) {
              case 'issue': {
                const cmd = await issueCommand(o.amount, o.days);
                issued(await attempt<Piece>(w.as.core, 'voucher:Issue', cmd));
                break;
              }
              case 'raceIssue': {
                // An issue and a reduction of the issuance line, endorsed on the same state: one commits.
                const current = lines.issuance[lines.issuance.length - 1]!;
                const cmd = await issueCommand(o.amount, 30);
                const endorsed = [];
                try {
                  endorsed.push(await w.h.endorse(w.as.core, 'voucher:Issue', cmd));
                } catch (e) {
                  expect((e as Error).message).to.match(REFUSALS);
                }
                try {
                  endorsed.push(await w.h.endorse(w.as.operator, 'creditLine:Adjust', { id: current, limit: String(o.limit) }));
                } catch (e) {
                  expect((e as Error).message).to.match(REFUSALS);
                }
                if (endorsed.length === 0) break;
                const { transactions } = await w.h.commit(endorsed);
                const valid = transactions.filter((t) => t.validationCode === 'VALID');
                expect(valid.length, 'an issue and a change of its line, racing: exactly one commits').to.equal(1);
                if (transactions[0]?.validationCode === 'VALID' && endorsed[0]?.fnName === 'voucher:Issue') issued(JSON.parse(endorsed[0].result) as Piece);
                break;
              }
              case 'split': {
                const p = await pick(o.pick, (x) => x.status === 'ACTIVE' && BigInt(x.amount) >= 200n);
                if (!p) break;
                const cut = (BigInt(p.amount) * BigInt(o.cut)) / 1000n;
                const r = await attempt<{ children: Piece[] }>(w.as.tier1, 'voucher:Split', { id: p.id, amounts: [String(cut), String(BigInt(p.amount) - cut)] });
                if (r) pieceIds.push(...r.children.map((c) => c.id));
                break;
              }
              case 'request': {
                const p = await pick(o.pick, (x) => x.status === 'ACTIVE' && x.holder === IDS.tier1);
                if (!p) break;
                const f = await attempt<Fin>(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: p.id }, bank: IDS.bank, requestedAmount: p.amount });
                if (f) finIds.push(f.id);
                break;
              }
              case 'approve': {
                const [f] = await pickFin(o.pick, ['REQUESTED']);
                if (!f) break;
                const p = await piece(f.asset.id);
                const advance = (BigInt(p.amount) * BigInt(o.cut)) / 1000n;
                await attempt(w.as.bank, 'financing:Approve', { id: f.id, advanceAmount: String(advance > 0n ? advance : 1n), annualRateBps: 100 });
                break;
              }
              case 'raceApprove': {
                // Two requests on the bank, each approved for two thirds of the line's headroom (or
                // what the piece allows): each fits alone, not both. Endorsed on the same state.
                let two = (await pickFin(o.pick, ['REQUESTED'])).slice(0, 2);
                for (let n = two.length; n < 2; n++) {
                  const p = await pick(o.pick + n, (x) => x.status === 'ACTIVE' && x.holder === IDS.tier1);
                  if (!p) break;
                  const f = await attempt<Fin>(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: p.id }, bank: IDS.bank, requestedAmount: p.amount });
                  if (f) finIds.push(f.id);
                }
                two = (await pickFin(o.pick, ['REQUESTED'])).slice(0, 2);
                if (two.length < 2) break;
                const current = await line(lines.financing[lines.financing.length - 1]!);
                const share = (BigInt(current.limit) - BigInt(current.used)) * 2n / 3n + 1n;
                const endorsed = [];
                for (const f of two) {
                  const face = (BigInt((await piece(f.asset.id)).amount) * 9n) / 10n;
                  const advance = face < share ? face : share;
                  try {
                    endorsed.push(await w.h.endorse(w.as.bank, 'financing:Approve', { id: f.id, advanceAmount: String(advance > 0n ? advance : 1n), annualRateBps: 100 }));
                  } catch (e) {
                    expect((e as Error).message).to.match(REFUSALS);
                  }
                }
                if (endorsed.length === 0) break;
                const { transactions } = await w.h.commit(endorsed);
                const valid = transactions.filter((t) => t.validationCode === 'VALID');
                // Both read and write the bank's line to the core enterprise: the first commits, the second is an MVCC conflict.
                expect(valid.length, 'approvals racing for one line: exactly one commits').to.equal(1);
                break;
              }
              case 'reject': {
                const [f] = await pickFin(o.pick, ['REQUESTED', 'APPROVED']);
                if (f) await attempt(w.as.bank, 'financing:Reject', { id: f.id, reason: 'property' });
                break;
              }
              case 'disburse': {
                const [f] = await pickFin(o.pick, ['APPROVED']);
                if (f) await attempt(w.as.bank, 'financing:Disburse', { id: f.id, paymentRef: `ADV-${i}` });
                break;
              }
              case 'settle': {
                const p = await pick(o.pick, (x) => x.status !== 'SPLIT' && x.status !== 'SETTLED' && x.maturityDate <= w.h.today);
                if (p) await attempt(w.as.core, 'voucher:Settle', { id: p.id, paymentRef: `PAY-${i}` });
                break;
              }
              case 'days': {
                const next = addDays(w.h.today, o.days);
                w.h.today = next > LAST_DAY ? LAST_DAY : next;
                break;
              }
              case 'line': {
                const ids = o.issuance ? lines.issuance : lines.financing;
                const id = ids[ids.length - 1]!;
                const who = o.issuance ? w.as.operator : w.as.bank;
                if (o.action === 'adjust') await attempt(who, 'creditLine:Adjust', { id, limit: String(o.limit) });
                else if (o.action === 'suspend') await attempt(who, 'creditLine:Suspend', { id });
                else if (o.action === 'reinstate') await attempt(who, 'creditLine:Reinstate', { id });
                else if ((await line(id)).status !== 'CLOSED') {
                  await attempt(who, 'creditLine:Close', { id });
                  if (w.h.today <= VALID_TO) await grant(o.issuance, String(o.limit));
                }
                break;
              }
            }
            await checkInvariants(`step ${i} ${o.kind}`);
          }

          // Every piece is paid at maturity: every financing on one ends with it, every line runs off to zero.
          w.h.today = '2026-12-31';
          for (const id of pieceIds) {
            const p = await piece(id);
            if (p.status !== 'SPLIT' && p.status !== 'SETTLED') await w.h.submit(w.as.core, 'voucher:Settle', { id, paymentRef: `END-${id}` });
          }
          await checkInvariants('end');
          for (const id of [...lines.issuance, ...lines.financing]) expect((await line(id)).used, `${id} after every piece is settled`).to.equal('0');
        },
      ),
      { numRuns: 20 },
    );
  });
});
