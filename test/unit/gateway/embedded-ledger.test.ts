import { testInvoice, withDocuments } from '../../support/documents';
import '../../../gateway/src/chaincode-logs';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpDemo } from '../../../gateway/src/demo/setup';
import { DEMO_IDENTITIES, demoMember } from '../../../gateway/src/demo/plan';
import type { ConflictLanes } from '../../../gateway/src/ledger/conflict-lane';
import { EmbeddedLedger } from '../../../gateway/src/ledger/embedded/embedded-ledger';
import { createOrgCa } from '../../../gateway/src/ledger/embedded/pki';
import { identityIdOf } from '../../../gateway/src/ledger/identity-id';
import { loadOrCreateIdentities, toLedgerIdentity } from '../../../gateway/src/ledger/embedded/identity-store';
import { LedgerError, type LedgerEvent, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { rejectionOf as rejection } from '../../support/rejection';

const today = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const invoiceOf = (n: number) => testInvoice(`embedded-${n}`);

describe('embedded ledger', function () {
  this.timeout(30_000);
  let dir: string;
  let ids: Map<string, LedgerIdentity>;
  let ledger: EmbeddedLedger;
  let n = 0;

  const register = (invoice = invoiceOf(++n)) =>
    ledger.submit(
      ids.get('supplier1') as LedgerIdentity,
      'receivable:Register',
      { debtor: demoMember('core').id, amount: '100000', dueDate: today(30) },
      withDocuments(invoice),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-embedded-'));
    const set = await loadOrCreateIdentities(dir, DEMO_IDENTITIES);
    ids = new Map(set.identities.map((s) => [s.label, toLedgerIdentity(s)]));
    ledger = await EmbeddedLedger.open(join(dir, 'ledger'), { batchTimeoutMs: 5, batchMaxTx: 50 });
    await setUpDemo(ledger, ids);
  });
  after(async () => {
    await ledger?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits a submit into a block and returns the chaincode result with its tx id', async () => {
    const height = await ledger.height();
    const r = await register();
    expect(r.txId).to.match(/^[0-9a-f]{64}$/);
    expect(r.blockNumber).to.equal(height);
    expect(r.result).to.include({ status: 'PENDING', createdTxId: r.txId });
    expect(await ledger.transactionStatus(r.txId)).to.deep.equal({ txId: r.txId, blockNumber: height, validationCode: 'VALID', valid: true });
  });

  it('maps a chaincode [CODE] failure to a LedgerError with that code, without a tx id, and commits nothing', async () => {
    const height = await ledger.height();
    const err = await rejection(ledger.submit(ids.get('bank-maker') as LedgerIdentity, 'receivable:Register', { debtor: 'x' }));
    expect(err).to.be.instanceOf(LedgerError);
    expect((err as LedgerError).code).to.equal('VALIDATION_FAILED');
    expect((err as LedgerError).txId).to.equal(undefined);
    expect(await ledger.height()).to.equal(height);
  });

  it('evaluates against committed state without adding a block', async () => {
    const height = await ledger.height();
    const who = (await ledger.evaluate(ids.get('core-checker') as LedgerIdentity, 'member:WhoAmI', {})) as { identity: { userRole: string } };
    expect(who.identity.userRole).to.equal('CHECKER');
    expect(await ledger.height()).to.equal(height);
  });

  it('answers a replayed requestId without ordering a transaction', async () => {
    const supplier = ids.get('supplier1') as LedgerIdentity;
    const cmd = { debtor: demoMember('core').id, amount: '5000', dueDate: today(5), requestId: `req-${++n}` };
    const first = await ledger.submit(supplier, 'receivable:Register', cmd, withDocuments(invoiceOf(n)));
    const height = await ledger.height();
    const again = await ledger.submit(supplier, 'receivable:Register', cmd, withDocuments(invoiceOf(n)));
    expect(again.result).to.deep.equal(first.result);
    expect(again.blockNumber).to.equal(undefined);
    expect(await ledger.height()).to.equal(height);
  });

  it('retries the MVCC losers among concurrent submits, which then fail on the committed state', async () => {
    const shared = invoiceOf(++n);
    const before = ledger.conflictStats();
    const results = await Promise.allSettled([register(shared), register(shared), register(shared)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).to.have.length(1);
    expect(failed.map((f) => (f.reason as LedgerError).code)).to.deep.equal(['DOUBLE_FINANCING', 'DOUBLE_FINANCING']);
    // Each loser was re-endorsed once (the counter the benchmark reads); none gave up on a conflict.
    const after = ledger.conflictStats();
    expect({ retried: after.retried - before.retried, exhausted: after.exhausted - before.exhausted }).to.deep.equal({ retried: 2, exhausted: 0 });
  });

  it('answers every one of many writers racing for one key: their retries take turns in the conflict lane', async () => {
    // Every issue reserves on the core enterprise's one ISSUANCE credit line,
    // so issues in flight together conflict on that line's key.
    const core = ids.get('core-maker') as LedgerIdentity;
    const receivables: string[] = [];
    for (let i = 0; i < 16; i++) {
      const r = (await register()).result as { id: string };
      await ledger.submit(core, 'receivable:Confirm', { id: r.id });
      receivables.push(r.id);
    }
    const before = ledger.conflictStats();
    const issued = await Promise.allSettled(
      receivables.map((receivableId) => ledger.submit(core, 'voucher:Issue', { receivableId, amount: '100000', maturityDate: today(30) })),
    );
    const after = ledger.conflictStats();
    expect(issued.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message)).to.deep.equal([]);
    expect(after.exhausted - before.exhausted).to.equal(0);
    // They did race: at least one was invalidated and retried.
    expect(after.retried - before.retried).to.be.greaterThan(0);
  });

  it('queues a first attempt that writes a hot key of its lane until the lane is free, and orders other writes at once', async () => {
    const core = ids.get('core-maker') as LedgerIdentity;
    const r = (await register()).result as { id: string };
    await ledger.submit(core, 'receivable:Confirm', { id: r.id });
    const lines = (await ledger.evaluate(core, 'creditLine:List', { obligor: demoMember('core').id, kind: 'ISSUANCE' })) as { records: Array<{ id: string }> };
    const line = lines.records[0]?.id;
    expect(line).to.be.a('string');
    // As if an issue had lost a conflict on the core's ISSUANCE line and held the lane with that key hot.
    const lanes = (ledger as unknown as { lanes: ConflictLanes }).lanes;
    const holder = await lanes.acquire('voucher:Issue', Date.now() + 60_000, Date.now, [`\u0000CRL\u0000${line}\u0000`]);
    const height = await ledger.height();
    const issue = ledger.submit(core, 'voucher:Issue', { receivableId: r.id, amount: '100000', maturityDate: today(30) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lanes.waiting('voucher:Issue')).to.equal(1);
    expect(await ledger.height(), 'the issue was not ordered').to.equal(height);
    const other = await register();
    expect(other.blockNumber, 'another function is ordered at once').to.equal(height);
    holder?.();
    const issued = await issue;
    expect(issued.blockNumber).to.be.greaterThan(height);
    expect(lanes.hasHotKeys('voucher:Issue'), 'the lane and its keys are gone').to.equal(false);
  });

  it('throws COMMIT_TIMEOUT with the tx id when the commit outlives the deadline, and the tx still commits', async () => {
    const slow = await EmbeddedLedger.open(join(dir, 'ledger-slow'), { batchTimeoutMs: 300, batchMaxTx: 50 });
    try {
      const operator = ids.get('operator-admin') as LedgerIdentity;
      const err = await rejection(
        slow.submit(operator, 'member:Bootstrap', { member: { id: demoMember('operator').id, name: 'Op', mspId: 'PlatformMSP' } }, { deadlineMs: 20 }),
      );
      expect(err).to.include({ code: 'COMMIT_TIMEOUT' });
      const txId = (err as LedgerError).txId as string;
      await new Promise((r) => setTimeout(r, 500));
      expect((await slow.transactionStatus(txId)).valid).to.equal(true);
    } finally {
      await slow.close();
    }
  });

  it('lets an identity bound by certificate act as its member: the gateway derives the id the chaincode sees', async () => {
    const teller = await (await createOrgCa('BankMSP')).sign('teller');
    const operator = ids.get('operator-admin') as LedgerIdentity;
    await ledger.submit(operator, 'member:BindIdentity', {
      memberId: demoMember('bank').id,
      mspId: 'BankMSP',
      identityId: identityIdOf('BankMSP', teller.certificate),
      userRole: 'MAKER',
    });
    const who = (await ledger.evaluate(teller, 'member:WhoAmI', {})) as { member: { id: string }; identity: { userRole: string } };
    expect(who.member.id).to.equal(demoMember('bank').id);
    expect(who.identity.userRole).to.equal('MAKER');
  });

  it('answers NOT_FOUND for an unknown transaction id', async () => {
    const err = await rejection(ledger.transactionStatus('0'.repeat(64)));
    expect(err).to.include({ code: 'NOT_FOUND' });
  });

  it('streams events from a cursor, strictly after it, then live, until aborted', async () => {
    const ac = new AbortController();
    const seen: LedgerEvent[] = [];
    const all = ledger.events(undefined, { signal: ac.signal });
    const reader = (async () => {
      for await (const e of all) seen.push(e);
    })();
    await new Promise((r) => setTimeout(r, 100));
    const count = seen.length;
    expect(count).to.be.greaterThan(3);
    const r = await register();
    while (seen.length === count) await new Promise((res) => setTimeout(res, 10));
    expect(seen[count]).to.include({ txId: r.txId, name: 'ReceivableRegistered' });
    ac.abort();
    await reader;

    const from = seen[count - 2] as LedgerEvent;
    const ac2 = new AbortController();
    const resumed: LedgerEvent[] = [];
    for await (const e of ledger.events(from.cursor, { signal: ac2.signal })) {
      resumed.push(e);
      if (resumed.length === 2) ac2.abort();
    }
    expect(resumed.map((e) => e.cursor)).to.deep.equal(seen.slice(count - 1, count + 1).map((e) => e.cursor));
  });

  it('refuses a malformed cursor at once with VALIDATION_FAILED', () => {
    expect(() => ledger.events('abc')).to.throw(LedgerError, /cursor/);
  });

  it('refuses a cursor past its blocks (another ledger\'s) with NOT_FOUND: checkCursor, and events() before streaming anything', async () => {
    const height = await ledger.height();
    await ledger.checkCursor(`${height - 1}:0`);
    const err = await rejection(ledger.checkCursor(`${height}:0`));
    expect(err).to.include({ code: 'NOT_FOUND' });
    expect(err.message).to.contain(`event cursor ${height}:0 is not on this ledger: it names block ${height} and the ledger has ${height} blocks`);
    const streamed = await rejection(ledger.events(`${height + 7}:3`)[Symbol.asyncIterator]().next());
    expect(streamed).to.include({ code: 'NOT_FOUND' });
    expect((await rejection(ledger.checkCursor('abc'))).code).to.equal('VALIDATION_FAILED');
  });

  it('keeps identities, tokens and the ledger across a reopen', async () => {
    const r = await register();
    await ledger.close();
    const set = await loadOrCreateIdentities(dir, DEMO_IDENTITIES);
    expect(set.created).to.equal(false);
    expect(set.identities.map((s) => s.certificate)).to.deep.equal([...ids.values()].map((i) => i.certificate));
    ledger = await EmbeddedLedger.open(join(dir, 'ledger'), { batchTimeoutMs: 5 });
    expect((await ledger.transactionStatus(r.txId)).valid).to.equal(true);
    const report = await setUpDemo(ledger, ids);
    expect(report).to.deep.equal({ bootstrapped: false, registered: [], bound: [], granted: [] });
  });
});
