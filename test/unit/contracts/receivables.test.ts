import { expect } from 'chai';
import type { CanonicalDocument } from '../../../chaincode/src/domain/canonical';
import { marshalString } from '../../../chaincode/src/ledger/codec';
import { FingerprintSpec, ReceivableSpec } from '../../../chaincode/src/ledger/specs';
import { flushWrites, Store } from '../../../chaincode/src/ledger/store';
import { confirmedReceivable, docs, fingerprintOf, IDS, invoice, rejects, world, yuan, type World } from '../../support/ledger-harness';

describe('receivable contract', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  const command = { debtor: IDS.core, amount: yuan(5000), dueDate: '2026-03-31' };
  const registerDocs = (...documents: CanonicalDocument[]) => w.h.submit(w.as.tier1, 'receivable:Register', command, docs(...documents));
  const register = (label: string) => registerDocs(invoice(label));

  it('refuses the same invoice on a second receivable with DOUBLE_FINANCING naming the first', async () => {
    const first = await register('inv-A');
    const fpA = fingerprintOf(invoice('inv-A'));
    expect(first.documents).to.deep.equal([{ kind: 'INVOICE', fingerprint: fpA }]);
    const err = await rejects(register('inv-A'), 'DOUBLE_FINANCING');
    expect(err.message).to.contain(first.id).and.to.contain(fpA);
    const check = await w.h.evaluate(w.as.bank, 'fingerprint:Check', { fingerprints: [{ kind: 'INVOICE', fingerprint: fpA }] });
    expect(check).to.deep.equal([{ kind: 'INVOICE', fingerprint: fpA, claimed: true, assetType: 'RECEIVABLE', assetId: first.id }]);
  });

  it('hashes the canonical form itself: invoice variants in case or surrounding spaces, and a contract with its parties swapped, are the first one', async () => {
    const inv = invoice('variants', { sellerTaxId: IDS.tier1, invoiceCode: '3100231130', invoiceNumber: 'ab-0042' });
    const contract: CanonicalDocument = { kind: 'CONTRACT', partyA: IDS.tier1, partyB: IDS.core, contractNumber: 'ht-2026-7', amount: '100', signDate: '2026-01-02' };
    const first = await registerDocs(inv, contract);
    const variants: CanonicalDocument[][] = [
      [{ ...inv, sellerTaxId: IDS.tier1.toLowerCase() }],
      [{ ...inv, invoiceNumber: '  AB-0042 ' }],
      [{ ...inv, invoiceCode: ' 3100231130 ', invoiceNumber: 'Ab-0042' }],
      [invoice('another invoice'), { ...contract, partyA: IDS.core, partyB: IDS.tier1.toLowerCase(), contractNumber: ' HT-2026-7' }],
    ];
    for (const v of variants) {
      const err = await rejects(w.h.submit(w.as.tier2, 'receivable:Register', command, docs(...v)), 'DOUBLE_FINANCING');
      expect(err.message).to.contain(first.id);
    }
  });

  it('refuses a bare fingerprint, in the command or in the transient map, for every kind, and writes nothing', async () => {
    const before = await w.h.ws.height();
    const hash = fingerprintOf(invoice('bare'));
    for (const kind of ['INVOICE', 'CONTRACT', 'DELIVERY_NOTE', 'OTHER']) {
      const bare = [invoice('bare-2'), { kind, fingerprint: hash }];
      const inCommand = await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', { ...command, documents: bare }), 'VALIDATION_FAILED');
      expect(inCommand.message).to.contain('transient map');
      const inTransient = await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', command, { documents: bare }), 'VALIDATION_FAILED');
      expect(inTransient.message).to.contain('documents[1]').and.to.contain('not a fingerprint');
    }
    await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', command), 'VALIDATION_FAILED');
    expect(await w.h.ws.height()).to.equal(before);
  });

  it('refuses documents that have no canonical form, naming the field', async () => {
    const cases: [object, string][] = [
      [{ ...invoice('bad'), sellerTaxId: 'A|B' }, 'documents[0].sellerTaxId'],
      [{ ...invoice('bad'), invoiceNumber: '   ' }, 'documents[0].invoiceNumber'],
      [{ ...invoice('bad'), amount: '012' }, 'documents[0].amount'],
      [{ ...invoice('bad'), issueDate: '2026-02-30' }, 'documents[0].issueDate'],
      [{ ...invoice('bad'), extra: 'x' }, 'documents[0].extra'],
      [{ ...invoice('bad'), amount: 100 }, 'documents[0].amount'],
      [{ kind: 'LOT', warehouseId: IDS.warehouse, lotId: 'L-1' }, 'documents[0].kind'],
    ];
    for (const [doc, field] of cases) {
      const err = await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', command, { documents: [doc] }), 'VALIDATION_FAILED');
      expect(err.message).to.contain(field);
    }
    const twice = await rejects(
      w.h.endorse(w.as.tier1, 'receivable:Register', command, docs(invoice('twice'), { ...invoice('twice'), invoiceNumber: invoice('twice').invoiceNumber.toLowerCase() })),
      'VALIDATION_FAILED',
    );
    expect(twice.message).to.contain('twice');
  });

  it('keeps the canonical fields out of the state, the history, the events and the blocks', async () => {
    const inv = invoice('secret', { invoiceNumber: 'SECRET-INVOICE-77' });
    const contract: CanonicalDocument = { kind: 'CONTRACT', partyA: 'PARTY-SECRET-A', partyB: 'PARTY-SECRET-B', contractNumber: 'CONTRACT-SECRET-9', amount: '98765432', signDate: '2026-01-03' };
    const rcv = await w.h.submit(w.as.tier1, 'receivable:Register', { ...command, requestId: 'secret-1' }, docs(inv, contract));
    await w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: rcv.id }, docs(inv));
    const backend = w.h.ws.backend;
    const dump: string[] = [];
    for (const entry of await backend.rangeScan('', '')) {
      dump.push(entry.key, Buffer.from(entry.value).toString('utf8'));
      for (const h of await backend.getHistory(entry.key)) dump.push(Buffer.from(h.value).toString('utf8'));
    }
    for (let n = 0; n < (await w.h.ws.height()); n++) dump.push(marshalString(await w.h.ws.getBlock(n)));
    for (const e of await w.h.ws.eventsSince(0)) dump.push(Buffer.from(e.payload).toString('utf8'));
    const raw = dump.join('\n');
    expect(raw).to.contain(fingerprintOf(inv)).and.to.contain(fingerprintOf(contract));
    for (const value of ['SECRET-INVOICE-77', 'PARTY-SECRET-A', 'PARTY-SECRET-B', 'CONTRACT-SECRET-9', '98765432', 'secret-invoice-77']) {
      expect(raw.toUpperCase()).to.not.contain(value.toUpperCase());
    }
  });

  it('keeps the claims of receivables registered before fingerprints were computed on chain: the same invoice is still DOUBLE_FINANCING', async () => {
    // As the earlier chaincode stored it: FP[INVOICE, <hash the client sent>] held by its receivable.
    const inv = invoice('registered-before');
    const input = {
      txId: 'e'.repeat(64),
      timestamp: { seconds: Math.floor(Date.parse('2025-12-01T08:00:00Z') / 1000), nanos: 0 },
      creator: { mspId: w.as.tier1.mspId, certificatePem: w.as.tier1.certificatePem },
    };
    const legacy = await w.h.ws.simulate(input, async (ctx) => {
      const tx = { txId: input.txId, now: '2025-12-01T08:00:00.000Z', actor: IDS.tier1 };
      const claim = { docType: 'fingerprint' as const, kind: 'INVOICE' as const, fingerprint: fingerprintOf(inv), assetType: 'RECEIVABLE' as const, assetId: 'RCV-LEGACY-1', status: 'CLAIMED' as const, createdAt: tx.now, updatedAt: tx.now, createdTxId: tx.txId, updatedTxId: tx.txId };
      await new Store(ctx.stub).save(FingerprintSpec, undefined, claim);
    });
    if (legacy.status !== 'ENDORSED') throw legacy.error;
    await w.h.commit([legacy]);
    const err = await rejects(registerDocs({ ...inv, invoiceNumber: ` ${inv.invoiceNumber.toLowerCase()}` }), 'DOUBLE_FINANCING');
    expect(err.message).to.contain('RCV-LEGACY-1');
  });

  it('answers a replay of a requestId only with the same documents', async () => {
    const first = await w.h.submit(w.as.tier1, 'receivable:Register', { ...command, requestId: 'rid-docs' }, docs(invoice('rid-1')));
    const again = await w.h.submit(w.as.tier1, 'receivable:Register', { ...command, requestId: 'rid-docs' }, docs(invoice('rid-1')));
    expect(again.id).to.equal(first.id);
    await rejects(w.h.submit(w.as.tier1, 'receivable:Register', { ...command, requestId: 'rid-docs' }, docs(invoice('rid-2'))), 'ALREADY_EXISTS');
  });

  it('verifies documents against the receivable for its creditor and debtor only', async () => {
    const inv = invoice('verify');
    const contract: CanonicalDocument = { kind: 'CONTRACT', partyA: IDS.tier1, partyB: IDS.core, contractNumber: 'V-1', amount: '100', signDate: '2026-01-02' };
    const rcv = await registerDocs(inv, contract);
    const variant = { ...inv, sellerTaxId: ` ${IDS.tier1.toLowerCase()} ` };
    const ok = await w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: rcv.id }, docs(variant, { ...contract, partyA: IDS.core, partyB: IDS.tier1 }));
    expect(ok).to.deep.equal({
      receivableId: rcv.id,
      documents: [
        { kind: 'INVOICE', fingerprint: fingerprintOf(inv), matches: true },
        { kind: 'CONTRACT', fingerprint: fingerprintOf(contract), matches: true },
      ],
      allMatch: true,
      complete: true,
    });
    const wrong = { ...inv, amount: '101' };
    const bad = await w.h.evaluate(w.as.tier1, 'receivable:VerifyDocuments', { id: rcv.id }, docs(wrong));
    expect(bad).to.deep.equal({
      receivableId: rcv.id,
      documents: [{ kind: 'INVOICE', fingerprint: fingerprintOf(wrong), matches: false }],
      allMatch: false,
      complete: false,
    });
    const partial = await w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: rcv.id }, docs(inv));
    expect(partial).to.include({ allMatch: true, complete: false });
    for (const who of ['tier2', 'core2', 'bank', 'auditor', 'operator'] as const) {
      await rejects(w.h.evaluate(w.as[who], 'receivable:VerifyDocuments', { id: rcv.id }, docs(inv)), 'NOT_FOUND');
    }
    await rejects(w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: 'RCV-NOPE' }, docs(inv)), 'NOT_FOUND');
    await rejects(w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: rcv.id }), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.core, 'receivable:VerifyDocuments', { id: rcv.id }, { documents: [] }), 'VALIDATION_FAILED');
  });

  it("refuses an invoice whose seller is not the creditor (another's, or a made-up id), claiming nothing", async () => {
    const height = await w.h.ws.height();
    for (const sellerTaxId of [IDS.tier2, 'TIER1-OLD-TAX-NO']) {
      const err = await rejects(registerDocs(invoice(`seller-${sellerTaxId}`, { sellerTaxId })), 'BUSINESS_RULE');
      expect(err.message).to.contain(sellerTaxId).and.to.contain(IDS.tier1);
      const claim = await w.h.committed('FP', ['INVOICE', fingerprintOf(invoice(`seller-${sellerTaxId}`, { sellerTaxId }))]);
      expect(claim).to.equal(undefined);
    }
    expect(await w.h.ws.height()).to.equal(height);
    // Its own id, in any case or padding, is its own.
    await registerDocs(invoice('seller-own', { sellerTaxId: ` ${IDS.tier1.toLowerCase()} ` }));
  });

  it('refuses a fingerprint claimed by a receivable of another creditor too', async () => {
    const first = await register('inv-B');
    const err = await rejects(w.h.submit(w.as.tier2, 'receivable:Register', command, docs(invoice('inv-B'))), 'DOUBLE_FINANCING');
    expect(err.message).to.contain(first.id);
  });

  it('lets exactly one of two racing registrations of the same invoice commit', async () => {
    const cmd = { debtor: IDS.core, amount: yuan(10), dueDate: '2026-03-31' };
    const a = await w.h.endorse(w.as.tier1, 'receivable:Register', cmd, docs(invoice('race')));
    const b = await w.h.endorse(w.as.tier1, 'receivable:Register', cmd, docs(invoice('race')));
    const { transactions } = await w.h.commit([a, b]);
    expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
    const winner = JSON.parse(a.result) as { id: string };
    const claim = await w.h.committed<{ assetId: string }>('FP', ['INVOICE', fingerprintOf(invoice('race'))]);
    expect(claim?.assetId).to.equal(winner.id);
    expect(await w.h.committed('RCV', [(JSON.parse(b.result) as { id: string }).id])).to.equal(undefined);
  });

  it('releases fingerprints on rejection and cancellation so a corrected receivable can claim them', async () => {
    const rejected = await register('inv-C');
    const r = await w.h.submit(w.as.core, 'receivable:Reject', { id: rejected.id, reason: 'wrong amount' });
    expect(r).to.include({ status: 'REJECTED', rejectionReason: 'wrong amount' });
    const again = await register('inv-C');
    expect(again.status).to.equal('PENDING');
    const cancelled = await w.h.submit(w.as.tier1, 'receivable:Cancel', { id: again.id });
    expect(cancelled.status).to.equal('CANCELLED');
    expect((await register('inv-C')).status).to.equal('PENDING');
  });

  it('lets only the debtor confirm or reject and only the creditor cancel', async () => {
    const rcv = await register('inv-D');
    await rejects(w.h.submit(w.as.tier1, 'receivable:Confirm', { id: rcv.id }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.core, 'receivable:Cancel', { id: rcv.id }), 'FORBIDDEN');
    // Parties see FORBIDDEN; others cannot even see the record.
    for (const who of ['core2', 'tier2', 'bank', 'warehouse'] as const) {
      await rejects(w.h.submit(w.as[who], 'receivable:Confirm', { id: rcv.id }), 'NOT_FOUND');
    }
    for (const who of ['auditor', 'operator'] as const) {
      await rejects(w.h.submit(w.as[who], 'receivable:Confirm', { id: rcv.id }), 'FORBIDDEN');
    }
    expect((await w.h.evaluate(w.as.auditor, 'receivable:Get', { id: rcv.id })).status).to.equal('PENDING');
  });

  it('refuses transitions from the wrong state with INVALID_STATE', async () => {
    const rcv = await confirmedReceivable(w, yuan(100), 'inv-E');
    const err = await rejects(w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv.id }), 'INVALID_STATE');
    expect(err.message).to.contain('CONFIRMED');
    await rejects(w.h.submit(w.as.tier1, 'receivable:Cancel', { id: rcv.id }), 'INVALID_STATE');
    await rejects(w.h.submit(w.as.core, 'receivable:Reject', { id: rcv.id }), 'INVALID_STATE');
  });

  it('only suppliers register receivables, and only against an active core enterprise', async () => {
    const doc = docs(invoice('inv-F'));
    for (const who of ['core', 'bank', 'auditor', 'operator', 'warehouse'] as const) {
      await rejects(w.h.submit(w.as[who], 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, doc), 'FORBIDDEN');
    }
    const notCore = await rejects(
      w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.bank, amount: '100', dueDate: '2026-03-31' }, doc),
      'BUSINESS_RULE',
    );
    expect(notCore.message).to.contain('CORE_ENTERPRISE');
    await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.core, reason: 'court order' });
    const suspended = await rejects(
      w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, doc),
      'BUSINESS_RULE',
    );
    expect(suspended.message).to.contain('SUSPENDED');
    await rejects(w.h.submit(w.as.outsider, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, doc), 'FORBIDDEN');
    // Nothing was claimed by any of the refused attempts.
    expect(await w.h.committed('FP', ['INVOICE', fingerprintOf(invoice('inv-F'))])).to.equal(undefined);
  });

  it('rejects malformed commands with VALIDATION_FAILED and writes nothing', async () => {
    const before = await w.h.ws.height();
    const x = invoice('x');
    const contract: CanonicalDocument = { kind: 'CONTRACT', partyA: IDS.tier1, partyB: IDS.core, contractNumber: 'X', amount: '100', signDate: '2026-01-02' };
    const bad: [object, CanonicalDocument[]][] = [
      [{ debtor: IDS.core, amount: '12.50', dueDate: '2026-03-31' }, [x]],
      [{ debtor: IDS.core, amount: '100', dueDate: '2026-02-30' }, [x]],
      [{ debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, [contract]],
      [{ debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, []],
      [{ debtor: '91310000MA00CR0010', amount: '100', dueDate: '2026-03-31' }, [x]],
      [{ debtor: IDS.core, amount: '100', dueDate: '2026-03-31', extra: 1 }, [x]],
    ];
    for (const [cmd, documents] of bad) {
      await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', cmd, docs(...documents)), 'VALIDATION_FAILED');
    }
    expect(await w.h.ws.height()).to.equal(before);
    expect(await w.h.committed('FP', ['INVOICE', fingerprintOf(x)])).to.equal(undefined);
  });

  it('lists by creditor, debtor and status with bookmarks, showing only what the caller may read', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await register(`list-${i}`)).id);
    await w.h.submit(w.as.core, 'receivable:Confirm', { id: ids[0]! });
    const page1 = await w.h.evaluate(w.as.tier1, 'receivable:List', { creditor: IDS.tier1, pageSize: 3 });
    expect(page1.records).to.have.length(3);
    expect(page1.bookmark).to.not.equal('');
    const page2 = await w.h.evaluate(w.as.tier1, 'receivable:List', { creditor: IDS.tier1, pageSize: 3, bookmark: page1.bookmark });
    const all = [...page1.records, ...page2.records].map((r: { id: string }) => r.id);
    expect(all.sort()).to.deep.equal([...ids].sort());
    expect(page2.bookmark).to.equal('');
    const pending = await w.h.evaluate(w.as.core, 'receivable:List', { debtor: IDS.core, status: 'PENDING' });
    expect(pending.records.map((r: { id: string }) => r.id).sort()).to.deep.equal(ids.slice(1).sort());
    const foreign = await w.h.evaluate(w.as.tier2, 'receivable:List', { creditor: IDS.tier1 });
    expect(foreign.records).to.deep.equal([]);
    await rejects(w.h.evaluate(w.as.auditor, 'receivable:List', {}), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.tier1, 'receivable:List', { creditor: IDS.tier1, bookmark: 'garbage' }), 'VALIDATION_FAILED');
  });

  it('refuses a well-formed bookmark that points outside the listed prefix (another index, or another member)', async () => {
    await register('forged-bm');
    const forge = (b: string) => Buffer.from(JSON.stringify({ p: 0, b }), 'utf8').toString('base64url');
    const asAuditor = (bookmark: string) => w.h.evaluate(w.as.auditor, 'receivable:List', { creditor: IDS.tier2, pageSize: 5, bookmark });
    // Before the prefix: Fabric would scan from there up to the prefix end, listing tier1's entries as tier2's.
    for (const b of ['\u0000', `\u0000IDX_RCV_CREDITOR\u0000${IDS.tier1}\u0000`, 'RCV-']) {
      await rejects(asAuditor(forge(b)), 'VALIDATION_FAILED');
    }
    expect((await w.h.evaluate(w.as.auditor, 'receivable:List', { creditor: IDS.tier1, pageSize: 5 })).records.length).to.be.greaterThan(0);
  });

  it('keeps every committed version in the history, newest first', async () => {
    const rcv = await register('hist');
    const confirmed = await w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv.id });
    const hist = await w.h.evaluate(w.as.auditor, 'receivable:History', { id: rcv.id });
    expect(hist.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['CONFIRMED', 'PENDING']);
    expect(hist.versions[0].txId).to.equal(confirmed.updatedTxId);
    await rejects(w.h.evaluate(w.as.tier2, 'receivable:History', { id: rcv.id }), 'NOT_FOUND');
  });

  it("meets a receivable once in a member's own list when it is under two of the list's prefixes (creditor and assignee)", async () => {
    const rcv = await confirmedReceivable(w, yuan(1_000), 'twice-listed');
    // A member that is both creditor and assignee: no transaction makes one, so the record is written as such.
    await w.h.writeDirectly(w.as.operator, async (stub) => {
      await new Store(stub).save(ReceivableSpec, rcv, { ...rcv, assignee: IDS.tier1 });
      await flushWrites(stub);
    });
    const ids: string[] = [];
    let bookmark = '';
    do {
      const page = await w.h.evaluate(w.as.tier1, 'receivable:List', { pageSize: 1, bookmark });
      ids.push(...page.records.map((r: { id: string }) => r.id));
      bookmark = page.bookmark;
    } while (bookmark);
    expect(ids.filter((id) => id === rcv.id)).to.have.length(1);
    expect(new Set(ids).size).to.equal(ids.length);
    // The assignee list, one prefix, has it too.
    expect((await w.h.evaluate(w.as.tier1, 'receivable:List', { assignee: IDS.tier1 })).records.map((r: { id: string }) => r.id)).to.deep.equal([rcv.id]);
  });
});
