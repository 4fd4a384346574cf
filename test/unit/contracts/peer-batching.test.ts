import { expect } from 'chai';
import { IDS, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * The contracts on a Fabric 3.1 peer that offers batched state messages
 * (chaincode/src/ledger/peer-batch.ts): the same transactions on two
 * ledgers, one reading and writing key by key, one through multi-key reads
 * and write batches of small sizes (so they are chunked), must give the same
 * answers, refuse the same requests and leave the same state.
 */
describe('contracts with batched state messages (Fabric 3.1 peers)', () => {
  /** Every answer, or the error code of every refusal, in order. */
  async function scenario(w: World): Promise<unknown[]> {
    const out: unknown[] = [];
    const step = async (p: Promise<unknown>): Promise<any> => {
      try {
        const r = await p;
        out.push(r);
        return r;
      } catch (err) {
        const code = /^\[([A-Z_]+)\]/.exec((err as Error).message)?.[1] ?? (err as Error).message;
        out.push({ refused: code });
        return undefined;
      }
    };
    const { h, as } = w;
    const root = await rootVoucher(w, yuan(900_000), 'batching');
    out.push(root);
    // The caller is checked before the command (read ahead with its binding): an
    // unbound identity and an auditor are FORBIDDEN whatever they send.
    await step(h.submit(as.outsider, 'voucher:Transfer', { id: root.id, bogus: 1 }));
    await step(h.submit(as.auditor, 'voucher:Transfer', { id: root.id, bogus: 1 }));
    await step(h.submit(as.tier1, 'voucher:Transfer', { id: root.id, bogus: 1 }));
    // Part and whole transfers down three tiers, a split, a retry by requestId.
    const t1 = await step(h.submit(as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(600_000), requestId: 'r-1' }));
    await step(h.submit(as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(600_000), requestId: 'r-1' }));
    const piece = t1.children[0].id as string;
    await step(h.submit(as.tier2, 'voucher:Split', { id: piece, amounts: [yuan(100_000), yuan(200_000), yuan(300_000)] }));
    await step(h.submit(as.tier2, 'voucher:Transfer', { id: `${piece}.3`, to: IDS.tier3, amount: yuan(300_000) }));
    // A freeze on an ancestor stops a descendant; on the recipient, a transfer to it.
    const f = await step(h.submit(as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: '(2026)沪0101执保1号' }));
    await step(h.submit(as.tier3, 'voucher:Transfer', { id: `${piece}.3`, to: IDS.tier2, amount: yuan(100_000) }));
    await step(h.evaluate(as.tier3, 'voucher:Provenance', { id: `${piece}.3` }));
    await step(h.submit(as.operator, 'freeze:Unfreeze', { id: f.id, reason: 'lifted' }));
    await step(h.submit(as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.tier2 }, reason: 'court order' }));
    await step(h.submit(as.tier3, 'voucher:Transfer', { id: `${piece}.3`, to: IDS.tier2, amount: yuan(100_000) }));
    await step(h.evaluate(as.tier3, 'voucher:Provenance', { id: `${piece}.3` }));
    // Lists through an index (a multi-key read per page), in pages.
    const first = await step(h.evaluate(as.core, 'voucher:List', { issuer: IDS.core, pageSize: 2 }));
    await step(h.evaluate(as.core, 'voucher:List', { issuer: IDS.core, pageSize: 2, bookmark: first.bookmark }));
    await step(h.evaluate(as.tier2, 'voucher:List', {}));
    // Dual control: a dry run that writes nothing, then the checker's execution.
    await step(h.submit(as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(500_000) }));
    const rcv = await step(h.submit(as.tier1, 'receivable:Register', { debtor: IDS.core, amount: yuan(700_000), dueDate: '2026-06-30' }, { documents: [{ kind: 'INVOICE', sellerTaxId: IDS.tier1, invoiceCode: '4400231130', invoiceNumber: '00099999', amount: yuan(700_000), issueDate: '2026-01-02' }] }));
    // 确权 at or above the threshold is an approval too.
    const confirmation = await step(h.submit(as.core, 'receivable:Confirm', { id: rcv.id }));
    await step(h.submit(as.coreChecker, 'approval:Approve', { id: confirmation.id }));
    const approval = await step(h.submit(as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(700_000), maturityDate: '2026-06-30' }));
    await step(h.submit(as.coreChecker, 'approval:Approve', { id: approval.id }));
    await step(h.evaluate(as.auditor, 'voucher:History', { id: root.id }));
    return out;
  }

  it('answers, refuses and writes exactly as key-by-key access does', async () => {
    const plain = await world();
    const batched = await world({ peerBatching: { maxWrites: 3, maxReads: 2 } });
    const a = await scenario(plain);
    const b = await scenario(batched);
    expect(b).to.deep.equal(a);
    // The scenario did what it says: the caller refused before the command, refusals by the freezes, an approval executed.
    expect(a.slice(1, 4)).to.deep.equal([{ refused: 'FORBIDDEN' }, { refused: 'FORBIDDEN' }, { refused: 'VALIDATION_FAILED' }]);
    expect(a.filter((r) => (r as { refused?: string }).refused === 'FROZEN')).to.have.length(2);
    expect(a.some((r) => (r as { approval?: { status?: string } }).approval?.status === 'APPROVED')).to.equal(true);
    const state = async (w: World) => (await w.h.ws.backend.rangeScan('', '')).map((e) => [e.key, Buffer.from(e.value).toString('utf8')]);
    expect(await state(batched)).to.deep.equal(await state(plain));

    const { traffic } = batched.h;
    expect(traffic.singleWrites, 'writes sent one by one').to.equal(0);
    expect(traffic.batches.length).to.be.greaterThan(0);
    expect(traffic.multiReads.length).to.be.greaterThan(0);
    expect(Math.max(...traffic.batches.map((b) => b.length))).to.equal(3);
    expect(Math.max(...traffic.multiReads.map((r) => r.length))).to.equal(2);
    expect(plain.h.traffic).to.deep.equal({ multiReads: [], batches: [], singleWrites: 0, singleReads: 0 });
  });

  it('reads what a transfer needs in two messages (the binding with what the command names, then the member with its own keys) and writes it in one', async () => {
    const w = await world({ peerBatching: { maxWrites: 1000, maxReads: 1000 } });
    const root = await rootVoucher(w, yuan(1000), 'lineage');
    const t = await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(600) });
    const piece = t.children[0].id as string;
    Object.assign(w.h.traffic, { multiReads: [], batches: [], singleReads: 0, singleWrites: 0 });
    await w.h.submit(w.as.tier2, 'voucher:Transfer', { id: piece, to: IDS.tier3, amount: yuan(600), requestId: 'lineage-1' });
    const key = (type: string, ...attrs: string[]) => `\u0000${type}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;
    // The caller's identity binding, under its MSP and certificate name (x509::subject::issuer).
    const binding = w.h.traffic.multiReads[0]?.[0] ?? '';
    expect(binding.startsWith(`${key('IDENTITY', w.as.tier2.mspId)}x509::`), binding).to.equal(true);
    expect(w.h.traffic.singleReads, 'nothing read one key at a time').to.equal(0);
    expect(w.h.traffic.multiReads).to.deep.equal([
      [
        binding,
        key('VCH', piece),
        key('MEMBER', IDS.tier3),
        key('FROZEN', 'VOUCHER', piece),
        key('FROZEN', 'VOUCHER', root.id),
        key('FROZEN', 'MEMBER', IDS.tier3),
      ],
      [key('MEMBER', IDS.tier2), key('REQ', IDS.tier2, 'lineage-1'), key('FROZEN', 'MEMBER', IDS.tier2)],
    ]);
    expect(w.h.traffic.batches).to.have.length(1);
    expect(w.h.traffic.singleWrites).to.equal(0);

    // The same transfer on a peer that offers nothing: one message per key.
    const plain = await world({ peerBatching: { maxWrites: 0, maxReads: 0 } });
    const root2 = await rootVoucher(plain, yuan(1000), 'lineage');
    const t2 = await plain.h.submit(plain.as.tier1, 'voucher:Transfer', { id: root2.id, to: IDS.tier2, amount: yuan(600) });
    Object.assign(plain.h.traffic, { multiReads: [], batches: [], singleReads: 0, singleWrites: 0 });
    await plain.h.submit(plain.as.tier2, 'voucher:Transfer', { id: t2.children[0].id, to: IDS.tier3, amount: yuan(600), requestId: 'lineage-1' });
    expect(plain.h.traffic).to.deep.include({ multiReads: [], batches: [] });
    // Writes: the piece, its HOLDER and HELD index entries moved (two each), the request record.
    expect({ reads: plain.h.traffic.singleReads, writes: plain.h.traffic.singleWrites }).to.deep.equal({ reads: 9, writes: 6 });
  });
});
