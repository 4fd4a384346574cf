import { expect } from 'chai';
import type { InvoiceDoc } from '../../../chaincode/src/domain/canonical';
import { docs, fingerprintOf, IDS, world, yuan, type World } from '../../support/ledger-harness';

/**
 * The ledger-core scenario of issue 2, end to end through the contracts on
 * the Fabric-semantics world state.
 */
describe('ledger-core scenario: confirm, issue, pass down three tiers, trace, settle', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  it('traces tier 3 back to the confirmed receivable and pays every current holder at maturity', async () => {
    const { h, as } = w;
    const invoiceFields: InvoiceDoc = {
      kind: 'INVOICE',
      sellerTaxId: IDS.tier1,
      invoiceCode: '4400231130',
      invoiceNumber: '00012345',
      amount: '100000000',
      issueDate: '2026-01-02',
    };
    const invoice = fingerprintOf(invoiceFields); // sha256('invoice|<tier1>|4400231130|00012345|100000000|2026-01-02')

    const rcv = await h.submit(as.tier1, 'receivable:Register', {
      debtor: IDS.core,
      amount: yuan(1_000_000),
      dueDate: '2026-06-30',
    }, docs(invoiceFields));
    expect(rcv.status).to.equal('PENDING');
    const confirmed = await h.submit(as.core, 'receivable:Confirm', { id: rcv.id });
    expect(confirmed.status).to.equal('CONFIRMED');

    const root = await h.submit(as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(1_000_000), maturityDate: '2026-06-30' });
    expect(root).to.include({ tier: 0, holder: IDS.tier1, issuer: IDS.core, amount: '100000000', status: 'ACTIVE' });
    expect((await h.evaluate(as.tier1, 'receivable:Get', { id: rcv.id })).status).to.equal('VOUCHERED');

    const t1 = await h.submit(as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(600_000) });
    expect(t1.voucher.status).to.equal('SPLIT');
    const [toTier2, keptByTier1] = t1.children;
    expect(toTier2).to.include({ id: `${root.id}.1`, holder: IDS.tier2, amount: yuan(600_000), tier: 1 });
    expect(keptByTier1).to.include({ id: `${root.id}.2`, holder: IDS.tier1, amount: yuan(400_000), tier: 0 });

    const split = await h.submit(as.tier2, 'voucher:Split', { id: toTier2.id, amounts: [yuan(200_000), yuan(400_000)] });
    const [piece200, piece400] = split.children;
    expect(piece200).to.include({ holder: IDS.tier2, amount: yuan(200_000), tier: 1 });
    const t3 = await h.submit(as.tier2, 'voucher:Transfer', { id: piece200.id, to: IDS.tier3, amount: yuan(200_000) });
    expect(t3.children).to.have.length(0);
    expect(t3.voucher).to.include({ id: piece200.id, holder: IDS.tier3, tier: 2, status: 'ACTIVE' });

    const prov = await h.evaluate(as.tier3, 'voucher:Provenance', { id: piece200.id });
    expect(prov.lineage.map((s: { id: string }) => s.id)).to.deep.equal([piece200.id, toTier2.id, root.id]);
    expect(prov.lineage.map((s: { holder: string }) => s.holder)).to.deep.equal([IDS.tier3, IDS.tier2, IDS.tier1]);
    expect(prov.lineage.every((s: { txId: string }) => /^[0-9a-f]{64}$/.test(s.txId))).to.equal(true);
    expect(prov.receivable).to.include({ id: rcv.id, debtor: IDS.core, creditor: IDS.tier1, confirmedTxId: confirmed.updatedTxId });
    expect(prov.receivable.documents).to.deep.equal([{ kind: 'INVOICE', fingerprint: invoice }]);
    expect(prov.verdict).to.deep.equal({ financeable: true, reasons: [] });

    // Before maturity the issuer cannot settle.
    let early: unknown;
    try {
      await h.submit(as.core, 'voucher:Settle', { id: piece200.id, paymentRef: 'EARLY' });
    } catch (e) {
      early = e;
    }
    expect((early as { code?: string }).code).to.equal('BUSINESS_RULE');

    h.today = '2026-06-30';
    const live = [
      { id: piece200.id, holder: IDS.tier3 },
      { id: piece400.id, holder: IDS.tier2 },
      { id: keptByTier1.id, holder: IDS.tier1 },
    ];
    for (const [i, p] of live.entries()) {
      const settled = await h.submit(as.core, 'voucher:Settle', { id: p.id, paymentRef: `BANKREF-${i}` });
      expect(settled).to.include({ status: 'SETTLED', settledTo: p.holder, paymentRef: `BANKREF-${i}` });
    }
    const finalRcv = await h.evaluate(as.core, 'receivable:Get', { id: rcv.id });
    expect(finalRcv).to.include({ status: 'SETTLED', settledAmount: yuan(1_000_000) });

    const tree = await h.evaluate(as.auditor, 'voucher:Tree', { id: root.id });
    const leaves: { amount: string; status: string }[] = [];
    const walk = (n: { amount: string; status: string; children: unknown[] }): void => {
      if (n.children.length === 0) leaves.push(n);
      n.children.forEach((c) => walk(c as typeof n));
    };
    walk(tree.root);
    expect(leaves.map((l) => l.status)).to.deep.equal(['SETTLED', 'SETTLED', 'SETTLED']);
    expect(leaves.reduce((s, l) => s + BigInt(l.amount), 0n)).to.equal(100_000_000n);
  });
});
