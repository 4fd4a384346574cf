import { expect } from 'chai';
import { addMaturityFigures, type MaturityFigure } from '../../../chaincode/src/domain/vouchers';
import { docs, IDS, invoice, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

describe('voucher contract', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('commits exactly one of two concurrent transfers of the same piece; state shows one spend', async () => {
    const root = await rootVoucher(w, yuan(1000), 'race');
    const a = await w.h.endorse(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) });
    const b = await w.h.endorse(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier3, amount: yuan(400) });
    const { transactions } = await w.h.commit([a, b]);
    expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
    const piece = await w.h.evaluate(w.as.auditor, 'voucher:Get', { id: root.id });
    expect(piece).to.include({ holder: IDS.tier2, status: 'ACTIVE', tier: 1 });
    await rejects(w.h.evaluate(w.as.auditor, 'voucher:Get', { id: `${root.id}.1` }), 'NOT_FOUND');
  });

  it('a piece once split cannot be transferred, split or settled again', async () => {
    const root = await rootVoucher(w, yuan(1000), 'spent');
    await w.h.submit(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(500), yuan(500)] });
    await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(100) }), 'INVALID_STATE');
    await rejects(w.h.submit(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(500), yuan(500)] }), 'INVALID_STATE');
    w.h.today = '2026-07-01';
    await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'P1' }), 'INVALID_STATE');
  });

  it('enforces the amount rules: exact sums, minimum piece, split bounds, no overdraw', async () => {
    const root = await rootVoucher(w, yuan(1000), 'amounts');
    const cases: [object, string][] = [
      [{ id: root.id, amounts: [yuan(500), yuan(400)] }, 'BUSINESS_RULE'],
      [{ id: root.id, amounts: ['99', String(100_000 - 99)] }, 'BUSINESS_RULE'],
      [{ id: root.id, amounts: [yuan(1000)] }, 'BUSINESS_RULE'],
      [{ id: root.id, amounts: Array.from({ length: 21 }, () => yuan(10)).concat([yuan(790)]) }, 'BUSINESS_RULE'],
    ];
    for (const [cmd, code] of cases) await rejects(w.h.submit(w.as.tier1, 'voucher:Split', cmd), code);
    await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1001) }), 'BUSINESS_RULE');
    await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: String(100_000 - 50) }), 'BUSINESS_RULE');
    expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).to.include({ status: 'ACTIVE', amount: yuan(1000) });
  });

  it('refuses a split whose children could never be named again (ids over 128 characters), so every piece stays settleable', async () => {
    const rcv = await w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: yuan(1000), dueDate: '2026-06-30' }, docs(invoice('aa')));
    await w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv.id });
    const longRoot = `VCH-${'A'.repeat(56)}`;
    const root = await w.h.submit(w.as.core, 'voucher:Issue', { id: longRoot, receivableId: rcv.id, amount: yuan(1000), maturityDate: '2026-06-30' });
    let piece = root.id as string;
    let err: Error | undefined;
    for (let i = 0; i < 40 && !err; i += 1) {
      try {
        const split = await w.h.submit(w.as.tier1, 'voucher:Split', { id: piece, amounts: ['100', String(BigInt(yuan(1000)) - 100n * BigInt(i + 1))] });
        piece = split.children[1].id;
      } catch (e) {
        err = e as Error;
      }
    }
    expect(err?.message).to.match(/^\[BUSINESS_RULE\] .*split too deep/);
    expect(piece.length).to.be.at.most(128);
    w.h.today = '2026-06-30';
    expect((await w.h.submit(w.as.core, 'voucher:Settle', { id: piece, paymentRef: 'DEEP' })).status).to.equal('SETTLED');
  });

  it('refuses an eleventh tier', async () => {
    const members = [IDS.tier2, IDS.tier3];
    const who = [w.as.tier2, w.as.tier3];
    let holder = w.as.tier1;
    const root = await rootVoucher(w, yuan(100), 'tiers');
    for (let tier = 1; tier <= 10; tier += 1) {
      const next = members[tier % 2]!;
      await w.h.submit(holder, 'voucher:Transfer', { id: root.id, to: next, amount: yuan(100) });
      holder = who[tier % 2]!;
    }
    expect((await w.h.evaluate(holder, 'voucher:Get', { id: root.id })).tier).to.equal(10);
    const err = await rejects(w.h.submit(holder, 'voucher:Transfer', { id: root.id, to: members[1]!, amount: yuan(100) }), 'BUSINESS_RULE');
    expect(err.message).to.match(/tier/i);
  });

  it('only the holder moves a piece; non-parties cannot even see it', async () => {
    const root = await rootVoucher(w, yuan(1000), 'roles');
    await rejects(w.h.submit(w.as.core, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(100) }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.auditor, 'voucher:Split', { id: root.id, amounts: [yuan(500), yuan(500)] }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.operator, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(100) }), 'FORBIDDEN');
    for (const who of ['tier2', 'tier3', 'bank', 'core2', 'warehouse'] as const) {
      await rejects(w.h.submit(w.as[who], 'voucher:Transfer', { id: root.id, to: IDS.tier3, amount: yuan(100) }), 'NOT_FOUND');
      await rejects(w.h.evaluate(w.as[who], 'voucher:Get', { id: root.id }), 'NOT_FOUND');
      await rejects(w.h.evaluate(w.as[who], 'voucher:Provenance', { id: root.id }), 'NOT_FOUND');
      await rejects(w.h.evaluate(w.as[who], 'voucher:History', { id: root.id }), 'NOT_FOUND');
      await rejects(w.h.evaluate(w.as[who], 'voucher:Tree', { id: root.id }), 'NOT_FOUND');
    }
    await rejects(w.h.evaluate(w.as.outsider, 'voucher:Get', { id: root.id }), 'FORBIDDEN');
    for (const who of ['auditor', 'operator', 'core'] as const) {
      expect((await w.h.evaluate(w.as[who], 'voucher:Get', { id: root.id })).id).to.equal(root.id);
    }
  });

  it('only the issuing debtor issues, only up to the unvouchered amount, never with a past maturity', async () => {
    const root = await rootVoucher(w, yuan(1000), 'issue');
    const rcvId = root.receivableId as string;
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcvId, amount: yuan(1), maturityDate: '2026-06-30' }), 'INVALID_STATE');
    const rcv2 = await w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: yuan(1000), dueDate: '2026-06-30' }, docs(invoice('ab')));
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(1000), maturityDate: '2026-06-30' }), 'INVALID_STATE');
    await w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv2.id });
    await rejects(w.h.submit(w.as.tier1, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(10), maturityDate: '2026-06-30' }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.core2, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(10), maturityDate: '2026-06-30' }), 'NOT_FOUND');
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(1001), maturityDate: '2026-06-30' }), 'BUSINESS_RULE');
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(10), maturityDate: '2026-01-04' }), 'BUSINESS_RULE');
    const part = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(600), maturityDate: '2026-06-30' });
    expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv2.id })).voucheredAmount).to.equal(yuan(600));
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { id: part.id, receivableId: rcv2.id, amount: yuan(400), maturityDate: '2026-06-30' }), 'ALREADY_EXISTS');
    await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv2.id, amount: yuan(400), maturityDate: '2026-06-30' });
    expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv2.id })).status).to.equal('VOUCHERED');
  });

  it('settles only by the issuer, on or after maturity, paying the holder of the moment', async () => {
    const root = await rootVoucher(w, yuan(1000), 'settle', '2026-02-01');
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) });
    w.h.today = '2026-02-01';
    await rejects(w.h.submit(w.as.tier2, 'voucher:Settle', { id: root.id, paymentRef: 'X' }), 'FORBIDDEN');
    const settled = await w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'CNAPS-1' });
    expect(settled).to.include({ status: 'SETTLED', settledTo: IDS.tier2 });
    await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'CNAPS-2' }), 'INVALID_STATE');
  });

  it('flags an issuer with an overdue piece in every provenance verdict until it pays', async () => {
    const late = await rootVoucher(w, yuan(100), 'late', '2026-02-01');
    const other = await rootVoucher(w, yuan(100), 'other', '2026-09-01');
    w.h.today = '2026-02-02';
    const prov = await w.h.evaluate(w.as.tier1, 'voucher:Provenance', { id: other.id });
    expect(prov.verdict.financeable).to.equal(false);
    expect(prov.verdict.reasons).to.include('ISSUER_OVERDUE');
    await w.h.submit(w.as.core, 'voucher:Settle', { id: late.id, paymentRef: 'CURE' });
    const cured = await w.h.evaluate(w.as.tier1, 'voucher:Provenance', { id: other.id });
    expect(cured.verdict).to.deep.equal({ financeable: true, reasons: [] });
  });

  it('lists by holder, issuer, status and maturity range with bookmarks', async () => {
    const a = await rootVoucher(w, yuan(100), 'l-a', '2026-03-15');
    const b = await rootVoucher(w, yuan(100), 'l-b', '2026-04-30');
    const c = await rootVoucher(w, yuan(100), 'l-c', '2026-07-01');
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: c.id, to: IDS.tier2, amount: yuan(100) });
    const mine = await w.h.evaluate(w.as.tier1, 'voucher:List', {});
    expect(mine.records.map((v: { id: string }) => v.id).sort()).to.deep.equal([a.id, b.id].sort());
    const byIssuer = await w.h.evaluate(w.as.core, 'voucher:List', { issuer: IDS.core, pageSize: 2 });
    expect(byIssuer.records).to.have.length(2);
    const rest = await w.h.evaluate(w.as.core, 'voucher:List', { issuer: IDS.core, pageSize: 2, bookmark: byIssuer.bookmark });
    expect([...byIssuer.records, ...rest.records].map((v: { id: string }) => v.id).sort()).to.deep.equal([a.id, b.id, c.id].sort());
    const maturing = await w.h.evaluate(w.as.auditor, 'voucher:List', { maturingFrom: '2026-03-16', maturingTo: '2026-07-01' });
    expect(maturing.records.map((v: { id: string }) => v.id).sort()).to.deep.equal([b.id, c.id].sort());
    const tier2View = await w.h.evaluate(w.as.tier2, 'voucher:List', { maturingFrom: '2026-01-01', maturingTo: '2026-12-31' });
    expect(tier2View.records.map((v: { id: string }) => v.id)).to.deep.equal([c.id]);
    await rejects(w.h.evaluate(w.as.auditor, 'voucher:List', { maturingFrom: '2026-05-01', maturingTo: '2026-04-01' }), 'VALIDATION_FAILED');
  });

  it('sums the outstanding pieces each caller may see by maturity date, issuer and currency (voucher:Maturities)', async () => {
    await rootVoucher(w, yuan(100), 'm-a', '2026-03-15');
    const b = await rootVoucher(w, yuan(200), 'm-b', '2026-04-30');
    const c = await rootVoucher(w, yuan(300), 'm-c', '2026-04-30');
    const settled = await rootVoucher(w, yuan(50), 'm-settled', '2026-02-01');
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: c.id, to: IDS.tier2, amount: yuan(120) }); // c: SPLIT; c.1 (120) tier2, c.2 (180) tier1
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: b.id }, bank: IDS.bank, requestedAmount: yuan(150) });
    await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(150), annualRateBps: 400 });
    await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'CNAPS-M' }); // b: FINANCED, held by the bank
    w.h.today = '2026-02-01';
    await w.h.submit(w.as.core, 'voucher:Settle', { id: settled.id, paymentRef: 'PAID-M' });
    const figure = (maturityDate: string, count: number, amount: string) => ({ maturityDate, issuer: IDS.core, currency: 'CNY', count, amount });
    const of = async (who: keyof typeof w.as) => w.h.evaluate(w.as[who], 'voucher:Maturities', {});
    // SPLIT and SETTLED pieces are not outstanding; the auditor sees every other piece, in one page here.
    expect(await of('auditor')).to.deep.equal({ figures: [figure('2026-03-15', 1, yuan(100)), figure('2026-04-30', 3, yuan(500))], bookmark: '' });
    expect((await of('core')).figures).to.deep.equal([figure('2026-03-15', 1, yuan(100)), figure('2026-04-30', 3, yuan(500))]);
    expect((await of('tier1')).figures).to.deep.equal([figure('2026-03-15', 1, yuan(100)), figure('2026-04-30', 1, yuan(180))]);
    expect((await of('tier2')).figures).to.deep.equal([figure('2026-04-30', 1, yuan(120))]);
    expect((await of('bank')).figures).to.deep.equal([figure('2026-04-30', 1, yuan(200))]);
    expect(await of('tier3')).to.deep.equal({ figures: [], bookmark: '' });

    // One key read per call with pageSize 1: pages add up to the single answer, and no call reads more.
    const paged = async (who: keyof typeof w.as) => {
      const pages: Array<{ figures: unknown[]; bookmark: string }> = [];
      let bookmark: string | undefined;
      do {
        const page = await w.h.evaluate(w.as[who], 'voucher:Maturities', { pageSize: 1, ...(bookmark ? { bookmark } : {}) });
        pages.push(page);
        bookmark = page.bookmark || undefined;
      } while (bookmark);
      return pages;
    };
    const auditorPages = await paged('auditor');
    expect(auditorPages).to.have.length(6); // a, b, c, c.1, c.2 and the settled one: one key each
    for (const p of auditorPages) expect(p.figures.length).to.be.at.most(1);
    expect(addMaturityFigures(auditorPages.flatMap((p) => p.figures as MaturityFigure[]))).to.deep.equal((await of('auditor')).figures);
    const tier1Pages = await paged('tier1');
    expect(addMaturityFigures(tier1Pages.flatMap((p) => p.figures as MaturityFigure[]))).to.deep.equal((await of('tier1')).figures);

    // A bookmark is bound to the caller's own prefixes: the auditor's does not open the records to a supplier.
    const auditorBookmark = (await w.h.evaluate(w.as.auditor, 'voucher:Maturities', { pageSize: 1 })).bookmark;
    await rejects(w.h.evaluate(w.as.tier3, 'voucher:Maturities', { bookmark: auditorBookmark }), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.auditor, 'voucher:Maturities', { pageSize: 1001 }), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.auditor, 'voucher:Maturities', { holder: IDS.tier1 }), 'VALIDATION_FAILED');
  });

  it('returns the first result for a repeated requestId and acts once', async () => {
    const root = await rootVoucher(w, yuan(1000), 'once');
    const cmd = { id: root.id, to: IDS.tier2, amount: yuan(300), requestId: 'req-42' };
    const first = await w.h.submit(w.as.tier1, 'voucher:Transfer', cmd);
    const heightAfterFirst = await w.h.ws.height();
    const again = await w.h.endorse(w.as.tier1, 'voucher:Transfer', cmd);
    expect(JSON.parse(again.result)).to.deep.equal(first);
    expect(again.rwset.writes).to.deep.equal([]);
    expect(again.event).to.equal(undefined);
    await rejects(w.h.submit(w.as.tier1, 'voucher:Split', { id: `${root.id}.2`, amounts: [yuan(350), yuan(350)], requestId: 'req-42' }), 'ALREADY_EXISTS');
    // The same requestId with a changed command is not a retry: refused, not silently answered with the first result.
    const changed = await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { ...cmd, amount: yuan(301) }), 'ALREADY_EXISTS');
    expect(changed.message).to.contain('different');
    // Another member may use the same requestId for its own request.
    await w.h.submit(w.as.tier2, 'voucher:Split', { id: `${root.id}.1`, amounts: [yuan(150), yuan(150)], requestId: 'req-42' });
    expect(await w.h.ws.height()).to.equal(heightAfterFirst + 1);
  });

  it('answers a retried requestId with its first result even after the member was suspended', async () => {
    const root = await rootVoucher(w, yuan(1000), 'retry-suspended');
    const cmd = { id: root.id, to: IDS.tier2, amount: yuan(1000), requestId: 'pay-77' };
    const first = await w.h.submit(w.as.tier1, 'voucher:Transfer', cmd);
    await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier1, reason: 'review' });
    expect(await w.h.evaluate(w.as.tier1, 'voucher:Transfer', cmd)).to.deep.equal(first);
    await rejects(w.h.endorse(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(500), yuan(500)], requestId: 'new-1' }), 'FORBIDDEN');
  });

  it('counts only the rows the caller may see in a list', async () => {
    await rootVoucher(w, yuan(100), 'count-1');
    await rootVoucher(w, yuan(100), 'count-2');
    const foreign = await w.h.evaluate(w.as.tier2, 'voucher:List', { holder: IDS.tier1, status: 'ACTIVE' });
    expect(foreign).to.deep.equal({ records: [], bookmark: '', fetchedCount: 0 });
    const own = await w.h.evaluate(w.as.tier1, 'voucher:List', { holder: IDS.tier1, status: 'ACTIVE' });
    expect(own.fetchedCount).to.equal(2);
  });

  it('emits one PastTense event per mutating transaction naming ids, actor and changes', async () => {
    const root = await rootVoucher(w, yuan(1000), 'events');
    const tx = await w.h.endorse(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(250) });
    expect(tx.event?.name).to.equal('VoucherTransferred');
    const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
    expect(payload.ids).to.deep.equal({ voucherId: root.id, rootId: root.id, childIds: [`${root.id}.1`, `${root.id}.2`] });
    expect(payload.actor.memberId).to.equal(IDS.tier1);
    expect(payload.changes.status).to.deep.equal({ from: 'ACTIVE', to: 'SPLIT' });
    expect(payload.txId).to.equal(tx.txId);
  });

  it('keeps the full history of a piece and the tree of its root', async () => {
    const root = await rootVoucher(w, yuan(1000), 'history');
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) });
    await w.h.submit(w.as.tier2, 'voucher:Split', { id: root.id, amounts: [yuan(100), yuan(900)] });
    const hist = await w.h.evaluate(w.as.auditor, 'voucher:History', { id: root.id });
    expect(hist.versions.map((v: { record: { status: string; holder: string } }) => `${v.record.status}/${v.record.holder === IDS.tier1 ? 't1' : 't2'}`)).to.deep.equal(
      ['SPLIT/t2', 'ACTIVE/t2', 'ACTIVE/t1'],
    );
    // Each version names the member whose transaction wrote it: the split by tier 2, the transfer by tier 1, the issue by the core enterprise.
    expect(hist.versions.map((v: { actor: string }) => v.actor)).to.deep.equal([IDS.tier2, IDS.tier1, IDS.core]);
    expect(hist.versions[2].record).to.include({ createdBy: IDS.core, updatedBy: IDS.core });
    const tree = await w.h.evaluate(w.as.tier2, 'voucher:Tree', { id: `${root.id}.2` });
    expect(tree.root.children.map((c: { id: string; amount: string }) => [c.id, c.amount])).to.deep.equal([
      [`${root.id}.1`, yuan(100)],
      [`${root.id}.2`, yuan(900)],
    ]);
  });
});
