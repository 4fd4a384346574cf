import { testInvoice, withDocuments } from '../../support/documents';
import '../../../gateway/src/chaincode-logs';
import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import sinon from 'sinon';
import { setUpDemo } from '../../../gateway/src/demo/setup';
import { DEMO_IDENTITIES, demoMember } from '../../../gateway/src/demo/plan';
import { loadOrCreateIdentities, toLedgerIdentity } from '../../../gateway/src/ledger/embedded/identity-store';
import { revive, ThreadedLedger, toWire } from '../../../gateway/src/ledger/embedded/threaded-ledger';
import { LedgerError, type LedgerEvent, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { explainDataDirFailure } from '../../../gateway/src/startup';
import { rejectionOf as rejection } from '../../support/rejection';
import { firstOf } from '../../support/streams';

const today = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** The worker behind a ThreadedLedger (private): to watch what crosses, or to stop it as a crash would. */
const workerOf = (ledger: ThreadedLedger) => (ledger as unknown as { worker: Worker }).worker;

describe('embedded ledger on its own thread (ThreadedLedger)', function () {
  this.timeout(60_000);
  let dir: string;
  let ids: Map<string, LedgerIdentity>;
  let ledger: ThreadedLedger;
  const logged: Array<{ obj: object; msg: string }> = [];
  let n = 0;
  const id = (label: string) => ids.get(label) as LedgerIdentity;

  const register = (amount = '100000') =>
    ledger.submit(id('supplier1'), 'receivable:Register', { debtor: demoMember('core').id, amount, dueDate: today(30) }, withDocuments(testInvoice(`thread-${++n}`)));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-threaded-'));
    const set = await loadOrCreateIdentities(dir, DEMO_IDENTITIES);
    ids = new Map(set.identities.map((s) => [s.label, toLedgerIdentity(s)]));
    ledger = await ThreadedLedger.open(join(dir, 'ledger'), {
      batchTimeoutMs: 5,
      batchMaxTx: 50,
      sandboxClock: true,
      logger: { info: (obj, msg) => logged.push({ obj, msg }) },
    });
    await setUpDemo(ledger, ids);
  });
  after(async () => {
    await ledger?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits a submit and answers as the embedded ledger does: result, tx id, block, status, commit counts', async () => {
    const before = await ledger.commitStats();
    const height = await ledger.height();
    const r = await register();
    expect(r.txId).to.match(/^[0-9a-f]{64}$/);
    expect(r.blockNumber).to.equal(height);
    // The documents went in the transient map, across the thread boundary, and were fingerprinted.
    expect(r.result).to.include({ status: 'PENDING', createdTxId: r.txId });
    expect(await ledger.transactionStatus(r.txId)).to.deep.equal({ txId: r.txId, blockNumber: height, validationCode: 'VALID', valid: true });
    expect((await ledger.commitStats()).VALID).to.equal((before.VALID ?? 0) + 1);
    expect(await ledger.ready()).to.equal(height + 1);
  });

  it('runs on a thread of this process other than the caller’s, and names it (osThreadId, for top -H)', async () => {
    const tasks = await readdir('/proc/self/task');
    expect(ledger.osThreadId).to.be.a('number').and.not.equal(process.pid);
    expect(tasks).to.include(String(ledger.osThreadId));
  });

  it('keeps a LedgerError its code and tx id across the thread, and commits nothing', async () => {
    const height = await ledger.height();
    const err = await rejection(ledger.submit(id('bank-maker'), 'receivable:Register', { debtor: 'x' }));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err.code).to.equal('VALIDATION_FAILED');
    expect(err.txId).to.equal(undefined);
    const missing = await rejection(ledger.transactionStatus('ab'.repeat(32)));
    expect(missing).to.be.instanceOf(LedgerError);
    expect(missing).to.include({ code: 'NOT_FOUND', txId: 'ab'.repeat(32) });
    expect(await ledger.height()).to.equal(height);
  });

  it('evaluates against committed state without adding a block', async () => {
    const height = await ledger.height();
    const who = (await ledger.evaluate(id('core-checker'), 'member:WhoAmI', {})) as { identity: { userRole: string } };
    expect(who.identity.userRole).to.equal('CHECKER');
    expect(await ledger.height()).to.equal(height);
  });

  it('never sends a private key to the ledger thread: only the MSP id and certificate cross', async () => {
    const post = sinon.spy(workerOf(ledger), 'postMessage');
    try {
      await register();
      await ledger.evaluate(id('auditor'), 'member:WhoAmI', {});
      const sent = post.getCalls().map((c) => JSON.stringify(c.args[0]));
      expect(sent.some((m) => m.includes('receivable:Register'))).to.equal(true);
      expect(sent.filter((m) => m.includes('PRIVATE KEY'))).to.deep.equal([]);
    } finally {
      post.restore();
    }
  });

  it('refuses a command that cannot cross the boundary (a function in it) without sending it, and goes on working', async () => {
    const height = await ledger.height();
    const err = await rejection(ledger.submit(id('supplier1'), 'receivable:Register', { debtor: demoMember('core').id, amount: () => '1' }));
    expect(err).to.not.be.instanceOf(LedgerError);
    expect(err.name).to.equal('DataCloneError');
    expect(await ledger.height()).to.equal(height);
    expect((await register()).blockNumber).to.equal(height);
  });

  it('answers a defect in the ledger thread as a plain error (500), not as a business outcome', async () => {
    // A BigInt crosses the boundary (structured clone) but the ledger cannot serialise it into the proposal.
    const err = await rejection(ledger.evaluate(id('auditor'), 'member:WhoAmI', { n: 1n }));
    expect(err).to.not.be.instanceOf(LedgerError);
    expect(err.message).to.match(/^ledger thread: .*BigInt/);
  });

  it('streams committed events in order, resumes strictly after a cursor, and ends on abort', async () => {
    const first = await register();
    const abort = new AbortController();
    const all: LedgerEvent[] = [];
    for await (const e of ledger.events(undefined, { signal: abort.signal })) {
      all.push(e);
      if (e.txId === first.txId) break;
    }
    expect(all.at(-1)).to.include({ txId: first.txId, name: 'ReceivableRegistered' });
    const cursors = all.map((e) => [e.blockNumber, e.txIndex] as const);
    expect(cursors).to.deep.equal([...cursors].sort((a, b) => a[0] - b[0] || a[1] - b[1]));

    const second = await register();
    const [next] = await firstOf(ledger.events(all.at(-1)?.cursor), 1);
    expect(next).to.include({ txId: second.txId });

    // A stream waiting for the next commit ends when its signal aborts.
    const waiting = ledger.events(next?.cursor, { signal: abort.signal })[Symbol.asyncIterator]();
    const pending = waiting.next();
    setTimeout(() => abort.abort(), 50);
    expect(await pending).to.deep.equal({ done: true, value: undefined });
  });

  it('throws VALIDATION_FAILED for a malformed cursor synchronously, before anything is streamed', () => {
    expect(() => ledger.events('not-a-cursor')).to.throw(LedgerError, 'malformed event cursor').with.property('code', 'VALIDATION_FAILED');
  });

  it('refuses a cursor past its blocks with NOT_FOUND across the thread: checkCursor, and the stream\'s first step', async () => {
    const height = await ledger.height();
    await ledger.checkCursor(`${height - 1}:0`);
    const err = await rejection(ledger.checkCursor(`${height + 1}:0`));
    expect(err).to.be.instanceOf(LedgerError).and.to.include({ code: 'NOT_FOUND' });
    expect(err.message).to.contain(`event cursor ${height + 1}:0 is not on this ledger`);
    const streamed = await rejection(ledger.events(`${height + 1}:0`)[Symbol.asyncIterator]().next());
    expect(streamed).to.be.instanceOf(LedgerError).and.to.include({ code: 'NOT_FOUND' });
  });

  it('mirrors the sandbox clock: an advance moves state() and advances() here, a replay moves nothing, and it is logged here', async () => {
    expect(ledger.sandboxClock.enabled).to.equal(true);
    const by = { memberId: demoMember('operator').id, mspId: 'PlatformMSP', identityId: 'x' };
    const before = ledger.sandboxClock.state();
    const { advance, replayed } = await ledger.sandboxClock.advance({ duration: 'P2D', advanceMs: 2 * 86_400_000, by, requestId: 'clock-1' });
    expect(replayed).to.equal(false);
    expect(advance).to.include({ sequence: 1, offsetMs: 2 * 86_400_000 });
    const after = ledger.sandboxClock.state();
    expect(after.offsetMs).to.equal(before.offsetMs + 2 * 86_400_000);
    expect(Date.parse(after.now) - Date.now()).to.be.within(2 * 86_400_000 - 1000, 2 * 86_400_000 + 1000);
    expect(ledger.sandboxClock.advances()).to.deep.equal([advance]);
    expect(logged.map((l) => l.msg)).to.deep.equal([`sandbox clock advanced by P2D: ledger time ${advance.from} -> ${advance.to}`]);

    const again = await ledger.sandboxClock.advance({ duration: 'P2D', advanceMs: 2 * 86_400_000, by, requestId: 'clock-1' });
    expect(again).to.deep.equal({ advance, replayed: true });
    const clash = await rejection(ledger.sandboxClock.advance({ duration: 'P3D', advanceMs: 3 * 86_400_000, by, requestId: 'clock-1' }));
    expect(clash).to.be.instanceOf(LedgerError).with.property('code', 'ALREADY_EXISTS');
    expect(ledger.sandboxClock.advances()).to.have.length(1);

    // The ledger thread stamps transactions with the moved clock.
    const r = await register();
    const status = await ledger.transactionStatus(r.txId);
    expect(status.valid).to.equal(true);
    const view = (await ledger.evaluate(id('supplier1'), 'receivable:Get', { id: (r.result as { id: string }).id })) as { createdAt: string };
    expect(Date.parse(view.createdAt) - Date.now()).to.be.greaterThan(2 * 86_400_000 - 60_000);
  });

  it('refuses to open a data folder another ledger holds, with the cause start-up explains (LEVEL_LOCKED)', async () => {
    const err = await rejection(ThreadedLedger.open(join(dir, 'ledger')));
    expect(explainDataDirFailure(err, dir)?.message).to.contain('another gateway is using the data folder');
    // The running ledger is untouched.
    expect(await ledger.ready()).to.be.a('number');
  });

  it('reopens with the clock records the ledger thread kept, after a close that ends open streams', async () => {
    const stream = ledger.events(undefined)[Symbol.asyncIterator]();
    // Read up to the end of what is committed, then wait for more.
    const height = await ledger.height();
    let last: IteratorResult<LedgerEvent> = await stream.next();
    while (!last.done && last.value.blockNumber < height - 1) last = await stream.next();
    const waiting = stream.next();
    const advances = ledger.sandboxClock.advances();
    await ledger.close();
    expect((await waiting).done).to.equal(true);
    expect(await rejection(ledger.height())).to.include({ code: 'LEDGER_UNAVAILABLE' });

    ledger = await ThreadedLedger.open(join(dir, 'ledger'), { sandboxClock: false });
    expect(ledger.sandboxClock.enabled).to.equal(false);
    expect(ledger.sandboxClock.advances()).to.deep.equal(advances);
    expect(ledger.sandboxClock.state().offsetMs).to.equal(2 * 86_400_000);
    const disabled = await rejection(
      ledger.sandboxClock.advance({ duration: 'P1D', advanceMs: 86_400_000, by: { memberId: 'm', mspId: 'PlatformMSP', identityId: 'x' } }),
    );
    expect(disabled).to.be.instanceOf(LedgerError).with.property('code', 'INVALID_STATE');
    expect(await ledger.height()).to.equal(height);
  });

  it('when the ledger thread dies: pending and later calls fail LEDGER_UNAVAILABLE, ready() says so, onFailure is told once', async () => {
    const own = await mkdtemp(join(tmpdir(), 'scf-threaded-dies-'));
    const failures: Error[] = [];
    const doomed = await ThreadedLedger.open(join(own, 'ledger'), { onFailure: (err) => failures.push(err) });
    try {
      const waiting = doomed.events(undefined)[Symbol.asyncIterator]().next();
      const pending = doomed.height();
      await workerOf(doomed).terminate();
      for (const err of [await rejection(pending), await rejection(doomed.ready()), await rejection(doomed.height()), await rejection(waiting)]) {
        expect(err).to.be.instanceOf(LedgerError).with.property('code', 'LEDGER_UNAVAILABLE');
        expect(err.message).to.contain('the ledger thread exited');
      }
      expect(failures).to.have.length(1);
    } finally {
      await doomed.close();
      await rm(own, { recursive: true, force: true });
    }
    expect(failures).to.have.length(1);
  });
});

describe('ThreadedLedger wire errors', () => {
  it('keep a LedgerError its code, detail, tx id and causes, and a system error its code, syscall and path', () => {
    const io = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'open', path: '/x/ledger/LOCK' });
    const back = revive(toWire(new LedgerError('LEDGER_UNAVAILABLE', 'the store failed', { txId: 't1', cause: io })));
    expect(back).to.be.instanceOf(LedgerError).and.include({ code: 'LEDGER_UNAVAILABLE', detail: 'the store failed', txId: 't1' });
    expect(back.cause).to.include({ message: 'EACCES: permission denied', code: 'EACCES', syscall: 'open', path: '/x/ledger/LOCK' });
    const plain = revive(toWire(new TypeError('boom')));
    expect(plain).to.not.be.instanceOf(LedgerError);
    expect(plain.message).to.equal('ledger thread: boom');
    expect(revive(toWire('not an error')).message).to.equal('ledger thread: not an error');
  });
});
