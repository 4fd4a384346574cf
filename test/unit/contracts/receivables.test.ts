import { expect } from 'chai';
import { confirmedReceivable, fp, IDS, rejects, world, yuan, type World } from '../../support/ledger-harness';

describe('receivable contract', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  const register = (label: string, extra: object = {}) =>
    w.h.submit(w.as.tier1, 'receivable:Register', {
      debtor: IDS.core,
      amount: yuan(5000),
      dueDate: '2026-03-31',
      documents: [{ kind: 'INVOICE', fingerprint: fp(label) }],
      ...extra,
    });

  it('refuses the same invoice fingerprint on a second receivable with DOUBLE_FINANCING naming the first', async () => {
    const first = await register('inv-A');
    const err = await rejects(register('inv-A'), 'DOUBLE_FINANCING');
    expect(err.message).to.contain(first.id).and.to.contain(fp('inv-A'));
    const check = await w.h.evaluate(w.as.bank, 'fingerprint:Check', { fingerprints: [{ kind: 'INVOICE', fingerprint: fp('inv-A') }] });
    expect(check).to.deep.equal([{ kind: 'INVOICE', fingerprint: fp('inv-A'), claimed: true, assetType: 'RECEIVABLE', assetId: first.id }]);
  });

  it('refuses a fingerprint claimed by a receivable of another creditor too', async () => {
    const first = await register('inv-B');
    const err = await rejects(
      w.h.submit(w.as.tier2, 'receivable:Register', {
        debtor: IDS.core,
        amount: yuan(5000),
        dueDate: '2026-03-31',
        documents: [{ kind: 'INVOICE', fingerprint: fp('inv-B') }],
      }),
      'DOUBLE_FINANCING',
    );
    expect(err.message).to.contain(first.id);
  });

  it('lets exactly one of two racing registrations of the same invoice commit', async () => {
    const cmd = { debtor: IDS.core, amount: yuan(10), dueDate: '2026-03-31', documents: [{ kind: 'INVOICE', fingerprint: fp('race') }] };
    const a = await w.h.endorse(w.as.tier1, 'receivable:Register', cmd);
    const b = await w.h.endorse(w.as.tier2, 'receivable:Register', cmd);
    const { transactions } = await w.h.commit([a, b]);
    expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
    const winner = JSON.parse(a.result) as { id: string };
    const claim = await w.h.committed<{ assetId: string }>('FP', ['INVOICE', fp('race')]);
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
    const doc = [{ kind: 'INVOICE', fingerprint: fp('inv-F') }];
    for (const who of ['core', 'bank', 'auditor', 'operator', 'warehouse'] as const) {
      await rejects(w.h.submit(w.as[who], 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: doc }), 'FORBIDDEN');
    }
    const notCore = await rejects(
      w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.bank, amount: '100', dueDate: '2026-03-31', documents: doc }),
      'BUSINESS_RULE',
    );
    expect(notCore.message).to.contain('CORE_ENTERPRISE');
    await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.core, reason: 'court order' });
    const suspended = await rejects(
      w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: doc }),
      'BUSINESS_RULE',
    );
    expect(suspended.message).to.contain('SUSPENDED');
    await rejects(w.h.submit(w.as.outsider, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: doc }), 'FORBIDDEN');
    // Nothing was claimed by any of the refused attempts.
    expect(await w.h.committed('FP', ['INVOICE', fp('inv-F')])).to.equal(undefined);
  });

  it('rejects malformed commands with VALIDATION_FAILED and writes nothing', async () => {
    const before = await w.h.ws.height();
    const bad: object[] = [
      { debtor: IDS.core, amount: '12.50', dueDate: '2026-03-31', documents: [{ kind: 'INVOICE', fingerprint: fp('x') }] },
      { debtor: IDS.core, amount: '100', dueDate: '2026-02-30', documents: [{ kind: 'INVOICE', fingerprint: fp('x') }] },
      { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: [{ kind: 'CONTRACT', fingerprint: fp('x') }] },
      { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: [{ kind: 'INVOICE', fingerprint: 'ABC' }] },
      { debtor: '91310000MA00CR0010', amount: '100', dueDate: '2026-03-31', documents: [{ kind: 'INVOICE', fingerprint: fp('x') }] },
      { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', documents: [{ kind: 'INVOICE', fingerprint: fp('x') }], extra: 1 },
    ];
    for (const cmd of bad) {
      await rejects(w.h.endorse(w.as.tier1, 'receivable:Register', cmd), 'VALIDATION_FAILED');
    }
    expect(await w.h.ws.height()).to.equal(before);
    expect(await w.h.committed('FP', ['INVOICE', fp('x')])).to.equal(undefined);
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
});
