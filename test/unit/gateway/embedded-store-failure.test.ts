import { testInvoice, withDocuments } from '../../support/documents';
import '../../../gateway/src/chaincode-logs';
import { expect } from 'chai';
import type { ClassicLevel } from 'classic-level';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import supertest from 'supertest';
import { MemberContract } from '../../../chaincode/src/contracts/member';
import { DEMO_IDENTITIES, demoMember } from '../../../gateway/src/demo/plan';
import { setUpDemo } from '../../../gateway/src/demo/setup';
import { createApp } from '../../../gateway/src/http/app';
import { EmbeddedLedger } from '../../../gateway/src/ledger/embedded/embedded-ledger';
import { directoryOf, loadOrCreateIdentities, toLedgerIdentity } from '../../../gateway/src/ledger/embedded/identity-store';
import { LedgerError, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { createServices } from '../../../gateway/src/services';
import { expectProblem } from '../../http/harness';
import { failBatchWrites } from '../../support/level-faults';
import { rejectionOf as rejection } from '../../support/rejection';

/**
 * The embedded ledger's store is the ledger: when LevelDB fails, the answer
 * is LEDGER_UNAVAILABLE (503), or COMMIT_TIMEOUT (504, with the tx id) when
 * a block write failed and LevelDB cannot tell whether the block is on disk.
 * Faults are injected into LevelDB itself (the backend's ClassicLevel), so
 * the backend's own handling of them is under test.
 */

type Db = ClassicLevel<Buffer, Buffer>;
type Iter = ReturnType<Db['iterator']>;

/** LevelDB's handle under the embedded ledger's backend (private: reached into on purpose). */
const dbOf = (ledger: EmbeddedLedger): Db => (ledger.world.backend as unknown as { db: Db }).db;

const STATE = 0x73; // 's', LevelBackend's state prefix
const HISTORY = 0x68; // 'h'
const STATUS = 0x74; // 't'

const ioError = () => Object.assign(new Error('IO error: 000005.log: No space left on device'), { code: 'LEVEL_IO_ERROR' });

/** Makes the backend's point reads (`db.getSync`, behind its caches) fail for keys under `prefix` (every key when omitted). */
function failGets(db: Db, prefix?: number): sinon.SinonStub {
  const real: (key: Buffer) => Buffer | undefined = db.getSync.bind(db);
  return sinon.stub(db, 'getSync').callsFake(((key: Buffer) => {
    if (prefix === undefined || key[0] === prefix) throw ioError();
    return real(key);
  }) as Db['getSync']);
}

/** Makes iterators that start under `prefix` fail when read. */
function failIterators(db: Db, prefix: number): sinon.SinonStub {
  const real = db.iterator.bind(db) as (options: { gte?: Buffer }) => Iter;
  return sinon.stub(db, 'iterator').callsFake(((options: { gte?: Buffer }) =>
    options.gte?.[0] === prefix ? ({ all: () => Promise.reject(ioError()) } as unknown as Iter) : real(options)) as Db['iterator']);
}

const today = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
let invoices = 0;
/** A registration: its command and its invoice's canonical fields (which travel in the transient map). */
const registerCommand = (seller = demoMember('supplier1').id) => ({
  command: { debtor: demoMember('core').id, amount: '1000', dueDate: today(30) },
  invoice: { ...testInvoice(`store-${++invoices}`), sellerTaxId: seller },
});
const register = (ledger: EmbeddedLedger, who: LedgerIdentity, r = registerCommand()) =>
  ledger.submit(who, 'receivable:Register', r.command, withDocuments(r.invoice));

describe('embedded ledger: LevelDB failures', function () {
  this.timeout(30_000);
  let root: string;
  let ids: Map<string, LedgerIdentity>;
  let receivableId: string;
  let copies = 0;
  const open: EmbeddedLedger[] = [];

  // One ledger with the demo set up and a receivable, copied for each test:
  // a test may leave its ledger refusing writes.
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'scf-store-failure-'));
    const set = await loadOrCreateIdentities(root, DEMO_IDENTITIES);
    ids = new Map(set.identities.map((s) => [s.label, toLedgerIdentity(s)]));
    const ledger = await EmbeddedLedger.open(join(root, 'template'), { batchTimeoutMs: 2 });
    await setUpDemo(ledger, ids);
    const r = await register(ledger, id('supplier1'));
    receivableId = (r.result as { id: string }).id;
    await ledger.close();
  });
  afterEach(async () => {
    sinon.restore();
    await Promise.all(open.splice(0).map((l) => l.close()));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function id(label: string): LedgerIdentity {
    return ids.get(label) as LedgerIdentity;
  }

  /** A fresh copy of the template ledger. */
  async function fresh(options: { batchTimeoutMs?: number; stateCacheBytes?: number } = {}): Promise<{ ledger: EmbeddedLedger; dir: string }> {
    const dir = join(root, `copy-${++copies}`);
    await cp(join(root, 'template'), dir, { recursive: true });
    const ledger = await EmbeddedLedger.open(dir, { batchTimeoutMs: options.batchTimeoutMs ?? 2, stateCacheBytes: options.stateCacheBytes });
    open.push(ledger);
    return { ledger, dir };
  }

  function expectUnavailable(err: LedgerError): void {
    expect(err).to.be.instanceOf(LedgerError);
    expect(err.code, err.message).to.equal('LEDGER_UNAVAILABLE');
    expect(err.detail).to.contain('No space left on device');
  }

  describe('a read during simulation fails', () => {
    it('answers an evaluate whose chaincode reads a key (getState) with LEDGER_UNAVAILABLE', async () => {
      const { ledger } = await fresh();
      failGets(dbOf(ledger), STATE);
      expectUnavailable(await rejection(ledger.evaluate(id('core-checker'), 'member:WhoAmI', {})));
    });

    it('answers an evaluate whose chaincode scans a range with LEDGER_UNAVAILABLE', async () => {
      const { ledger } = await fresh();
      failIterators(dbOf(ledger), STATE);
      expectUnavailable(await rejection(ledger.evaluate(id('auditor'), 'receivable:List', { status: 'PENDING' })));
    });

    it('answers an evaluate whose chaincode reads a key history with LEDGER_UNAVAILABLE', async () => {
      const { ledger } = await fresh();
      const history = failIterators(dbOf(ledger), HISTORY);
      expectUnavailable(await rejection(ledger.evaluate(id('supplier1'), 'receivable:History', { id: receivableId })));
      expect(history.called).to.equal(true);
    });

    it('answers a submit whose endorsement cannot read state with LEDGER_UNAVAILABLE, and orders nothing', async () => {
      const { ledger } = await fresh();
      const height = await ledger.height();
      const gets = failGets(dbOf(ledger), STATE);
      const err = await rejection<LedgerError>(register(ledger, id('supplier1')));
      expectUnavailable(err);
      expect(err.txId).to.equal(undefined);
      gets.restore();
      expect(await ledger.height()).to.equal(height);
    });

    it('answers LEDGER_UNAVAILABLE when the duplicate-txId check before the chaincode cannot read', async () => {
      const { ledger } = await fresh();
      const gets = failGets(dbOf(ledger), STATUS);
      expectUnavailable(await rejection(ledger.evaluate(id('core-checker'), 'member:WhoAmI', {})));
      expect(gets.called).to.equal(true);
    });

    it('keeps a chaincode programming error (no [CODE]) an uncoded error, not LEDGER_UNAVAILABLE', async () => {
      const { ledger } = await fresh();
      sinon.stub(MemberContract.prototype, 'WhoAmI').rejects(new TypeError("Cannot read properties of undefined (reading 'id')"));
      const err = await rejection(ledger.evaluate(id('core-checker'), 'member:WhoAmI', {}));
      expect(err).not.to.be.instanceOf(LedgerError);
      expect(err.message).to.contain('chaincode failed without an error code');
    });

    it('keeps the codes of the chaincode errors', async () => {
      const { ledger } = await fresh();
      const err = await rejection(ledger.submit(id('bank-maker'), 'receivable:Register', { debtor: 'x' }));
      expect(err.code).to.equal('VALIDATION_FAILED');
    });
  });

  describe('the block write fails', () => {
    it('answers each transaction of the block COMMIT_TIMEOUT with its tx id, and commits none of them', async () => {
      const { ledger } = await fresh({ batchTimeoutMs: 30 });
      const height = await ledger.height();
      const batch = failBatchWrites(dbOf(ledger), ioError);
      const errs = await Promise.all([
        rejection(register(ledger, id('supplier1'))),
        rejection(register(ledger, id('supplier2'), registerCommand(demoMember('supplier2').id))),
      ]);
      expect(batch.callCount, 'both transactions were in one block').to.equal(1);
      for (const err of errs) {
        expect(err.code, err.message).to.equal('COMMIT_TIMEOUT');
        expect(err.txId).to.match(/^[0-9a-f]{64}$/);
        expect(err.detail).to.contain('restart');
      }
      expect(errs[0]?.txId).not.to.equal(errs[1]?.txId);
      expect(await ledger.height()).to.equal(height);
      for (const err of errs) expect(await rejection(ledger.transactionStatus(err.txId as string))).to.include({ code: 'NOT_FOUND' });
    });

    it('then refuses every submit with LEDGER_UNAVAILABLE until restart, still answers reads, and continues after a restart', async () => {
      const { ledger, dir } = await fresh();
      const height = await ledger.height();
      const batch = failBatchWrites(dbOf(ledger), ioError);
      expect((await rejection(register(ledger, id('supplier1')))).code).to.equal('COMMIT_TIMEOUT');
      batch.restore();

      // The store may work again, but the orderer does not know what is on disk: it writes no more blocks.
      const refused = await rejection(register(ledger, id('supplier1')));
      expect(refused.code, refused.message).to.equal('LEDGER_UNAVAILABLE');
      expect(refused.detail).to.contain('restart');
      expect(await ledger.height()).to.equal(height);
      // Not ready (the readiness probe says so), though reads still work.
      const notReady = await rejection(ledger.ready());
      expect([notReady.code, notReady.detail]).to.deep.equal(['LEDGER_UNAVAILABLE', refused.detail]);
      const who = (await ledger.evaluate(id('core-checker'), 'member:WhoAmI', {})) as { identity: { userRole: string } };
      expect(who.identity.userRole).to.equal('CHECKER');

      await ledger.close();
      open.splice(open.indexOf(ledger), 1);
      const restarted = await EmbeddedLedger.open(dir, { batchTimeoutMs: 2 });
      open.push(restarted);
      expect(await restarted.ready()).to.equal(height);
      const r = await register(restarted, id('supplier1'));
      expect(r.blockNumber).to.equal(height);
      expect((await restarted.world.verifyChain()).valid).to.equal(true);
    });

    it('answers LEDGER_UNAVAILABLE when a read before the write fails, writes nothing, and commits the next block in its place', async () => {
      // Without the caches, whose statuses would spare applyBlock its read.
      const { ledger } = await fresh({ stateCacheBytes: 0 });
      const height = await ledger.height();
      // getMany runs only in applyBlock, before the batch: nothing is written.
      const reads = sinon.stub(dbOf(ledger), 'getMany').rejects(ioError());
      const cmd = registerCommand();
      const err = await rejection<LedgerError>(register(ledger, id('supplier1'), cmd));
      expectUnavailable(err);
      expect(reads.called).to.equal(true);
      reads.restore();
      expect(await ledger.height()).to.equal(height);

      const again = await register(ledger, id('supplier1'), cmd);
      expect(again.blockNumber).to.equal(height);
      expect((await ledger.transactionStatus(again.txId)).valid).to.equal(true);
      expect((await ledger.world.verifyChain()).valid).to.equal(true);
    });
  });

  describe('over HTTP', () => {
    it('answers 503 problem+json LEDGER_UNAVAILABLE when the store fails a read', async () => {
      const { ledger } = await fresh();
      const set = await loadOrCreateIdentities(root, DEMO_IDENTITIES);
      const app = createApp({ services: createServices(ledger), directory: directoryOf(set.identities), ledgerKind: 'embedded' });
      const token = set.identities.find((s) => s.label === 'supplier1')?.token as string;
      const height = await ledger.height();
      failGets(dbOf(ledger), STATE);

      const write = await supertest(app).post('/receivables').set('Authorization', `Bearer ${token}`).send((({ command, invoice }) => ({ ...command, documents: [invoice] }))(registerCommand()));
      expectProblem(write, 503, 'LEDGER_UNAVAILABLE');
      expect(write.headers['retry-after']).to.equal('1');
      const read = await supertest(app).get(`/receivables/${receivableId}`).set('Authorization', `Bearer ${token}`);
      expectProblem(read, 503, 'LEDGER_UNAVAILABLE');
      sinon.restore();
      expect(await ledger.height()).to.equal(height);
    });
  });
});
