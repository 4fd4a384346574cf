import { CommitStatusError, EndorseError } from '@hyperledger/fabric-gateway';
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror';
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import sinon from 'sinon';
import { ConflictLanes } from '../../../gateway/src/ledger/conflict-lane';
import { LedgerError } from '../../../gateway/src/ledger/ledger';
import {
  type ContractLike,
  evaluateFlow,
  type FlowOptions,
  type StatusLike,
  submitFlow,
  type SubmittedLike,
  type TransactionLike,
} from '../../../gateway/src/ledger/fabric/submit';
import { rejectionOf as rejection } from '../../support/rejection';

const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;
const cause = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: undefined }) as unknown as ServiceError;

function endorseError(txId: string, code: number, detailMessages: string[]): EndorseError {
  return new EndorseError({
    code,
    details: detailMessages.map((message) => ({ address: 'peer0:7051', mspId: 'PlatformMSP', message })),
    cause: cause(code, 'endorse failed'),
    transactionId: txId,
    message: `${code} endorse failed`,
  });
}
const submitError = (txId: string) =>
  new SubmitError({ code: GRPC_UNAVAILABLE, details: [], cause: cause(GRPC_UNAVAILABLE, 'orderer down'), transactionId: txId });
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_CANCELLED = 1;
/** A submit RPC that failed after it may have reached the orderer. */
const uncertainSubmitError = (txId: string, code = GRPC_DEADLINE_EXCEEDED) =>
  new SubmitError({ code, details: [], cause: cause(code, 'deadline exceeded'), transactionId: txId });
/** The commit-status call failed (the peer could not be asked). */
const statusError = (txId: string) =>
  new CommitStatusError({ code: GRPC_UNAVAILABLE, details: [], cause: cause(GRPC_UNAVAILABLE, 'peer unavailable'), transactionId: txId });
/** No commit arrived before the wait's deadline. */
const statusTimeout = (txId: string) =>
  new CommitStatusError({ code: GRPC_DEADLINE_EXCEEDED, details: [], cause: cause(GRPC_DEADLINE_EXCEEDED, 'deadline'), transactionId: txId });

const status = (txId: string, code: number, blockNumber = 7n): StatusLike => ({ transactionId: txId, code, successful: code === 0, blockNumber });
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A fake contract: each proposal gets the next tx id; behaviour is set per test. */
class FakeContract implements ContractLike {
  txCounter = 0;
  endorse = sinon.stub<[string], Promise<TransactionLike>>();
  evaluate = sinon.stub<[string], Promise<Uint8Array>>();
  newProposal = sinon.spy((_name: string, _opts: { arguments: string[] }) => {
    const txId = `tx${++this.txCounter}`;
    return { getTransactionId: () => txId, endorse: () => this.endorse(txId), evaluate: () => this.evaluate(txId) };
  });
}

function transaction(txId: string, submit: sinon.SinonStub): TransactionLike {
  return { getTransactionId: () => txId, getResult: () => bytes({ id: 'VCH-1' }), getBytes: () => new Uint8Array(), submit };
}
function submitted(txId: string, getStatus: sinon.SinonStub): SubmittedLike {
  return { getTransactionId: () => txId, getResult: () => bytes({ id: 'VCH-1', txId }), getStatus };
}

const fast: FlowOptions = { sleep: () => Promise.resolve(), random: () => 0.5 };

describe('fabric connector submit flow', () => {
  it('endorses, submits and returns the decoded result with the block number once committed valid', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 0, 12n)))))));
    const r = await submitFlow(c, 'voucher:Issue', { amount: '100' }, fast);
    expect(r).to.deep.equal({ txId: 'tx1', result: { id: 'VCH-1', txId: 'tx1' }, blockNumber: 12 });
    expect(c.newProposal.firstCall.args).to.deep.equal(['voucher:Issue', { arguments: ['{"amount":"100"}'] }]);
  });

  it('re-endorses a new transaction after an MVCC read conflict and succeeds on the next attempt', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => {
      const code = txId === 'tx1' ? 11 : 0;
      return Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, code))))));
    });
    const sleep = sinon.stub().resolves();
    const r = await submitFlow(c, 'voucher:Transfer', {}, { ...fast, sleep });
    expect(r.txId).to.equal('tx2');
    expect(c.newProposal.callCount).to.equal(2);
    expect(sleep.callCount).to.equal(1);
  });

  it('gives up after the bounded number of attempts on repeated phantom conflicts with LEDGER_UNAVAILABLE and the last tx id', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 12)))))));
    const err = await rejection(submitFlow(c, 'voucher:Split', {}, { ...fast, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: 'tx3' });
    expect(c.newProposal.callCount).to.equal(3);
  });

  it('waits a jittered, growing, bounded delay between conflict retries', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 11)))))));
    const sleep = sinon.stub().resolves();
    await rejection(submitFlow(c, 'x:Y', {}, { sleep, random: () => 1, retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 30 } }));
    expect(sleep.args.map((a) => a[0])).to.deep.equal([10, 20, 30, 30]);
  });

  /** fabric's gateway when the endorsers' responses differ (a peer behind the latest block). */
  const mismatch = (txId: string) =>
    endorseError(txId, GRPC_ABORTED, ['ProposalResponsePayloads do not match', 'ProposalResponsePayloads do not match']);

  it('re-endorses a new transaction when the endorsing peers answered differently, and succeeds on the next attempt', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) =>
      txId === 'tx1' ? Promise.reject(mismatch(txId)) : Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 0)))))),
    );
    const sleep = sinon.stub().resolves();
    const r = await submitFlow(c, 'voucher:Issue', {}, { ...fast, sleep });
    expect(r.txId).to.equal('tx2');
    expect(c.newProposal.callCount).to.equal(2);
    expect(sleep.callCount).to.equal(1);
  });

  it('gives up on endorsements that keep disagreeing with LEDGER_UNAVAILABLE and no tx id (nothing was ordered)', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(mismatch(txId)));
    const err = await rejection(submitFlow(c, 'voucher:Issue', {}, { ...fast, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: undefined });
    expect(err.message).to.contain('the endorsing peers read different states').and.contain('after 3 attempts');
    expect(c.newProposal.callCount).to.equal(3);
  });

  it('does not retry an ABORTED endorsement for another reason', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, ['chaincode response 500, [FORBIDDEN] not yours'])));
    const err = await rejection(submitFlow(c, 'voucher:Issue', {}, fast));
    expect(err).to.include({ code: 'FORBIDDEN' });
    expect(c.newProposal.callCount).to.equal(1);
  });

  describe('with conflict lanes', () => {
    /** A contract whose tx ids listed in `conflicted` commit MVCC_READ_CONFLICT, the rest VALID. */
    const contractWith = (conflicted: string[]) => {
      const c = new FakeContract();
      c.endorse.callsFake((txId) => {
        const code = conflicted.includes(txId) ? 11 : 0;
        return Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, code))))));
      });
      return c;
    };
    const settle = () => new Promise((r) => setTimeout(r, 10));

    it('retries after a conflict only when the lane is its turn, holds it while retrying, and frees it when done', async () => {
      const lanes = new ConflictLanes();
      const other = await lanes.acquire('financing:Approve', Date.now() + 60_000); // another submit's retries
      const c = contractWith(['tx1', 'tx2']);
      const sleep = sinon.stub().resolves();
      const flow = submitFlow(c, 'financing:Approve', {}, { ...fast, sleep, lanes, deadlineMs: 60_000 });
      await settle();
      expect(c.newProposal.callCount).to.equal(1); // conflicted, queued behind the holder
      expect(lanes.waiting('financing:Approve')).to.equal(1);
      other?.();
      expect((await flow).txId).to.equal('tx3');
      // The second conflict kept the lane: each retry paused only the first step.
      expect(sleep.callCount).to.equal(2);
      expect(lanes.waiting('financing:Approve')).to.equal(0);
      expect(await lanes.acquire('financing:Approve', Date.now())).to.be.a('function'); // free again
    });

    it('answers 503 LEDGER_UNAVAILABLE when its turn does not come within the budget, and leaves the queue', async () => {
      const lanes = new ConflictLanes();
      const holder = await lanes.acquire('voucher:Issue', Date.now() + 60_000);
      const c = contractWith(['tx1']);
      const err = await rejection(submitFlow(c, 'voucher:Issue', {}, { ...fast, lanes, deadlineMs: 30 }));
      expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: 'tx1' });
      expect(c.newProposal.callCount).to.equal(1);
      expect(lanes.waiting('voucher:Issue')).to.equal(0);
      holder?.();
    });

    it('queues in the lane after endorsements that disagreed, as after a conflict at commit', async () => {
      const lanes = new ConflictLanes();
      const other = await lanes.acquire('voucher:Issue', Date.now() + 60_000);
      const c = new FakeContract();
      c.endorse.callsFake((txId) =>
        txId === 'tx1' ? Promise.reject(mismatch(txId)) : Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 0)))))),
      );
      const flow = submitFlow(c, 'voucher:Issue', {}, { ...fast, lanes, deadlineMs: 60_000 });
      await settle();
      expect(c.newProposal.callCount).to.equal(1);
      expect(lanes.waiting('voucher:Issue')).to.equal(1);
      other?.();
      expect((await flow).txId).to.equal('tx2');
      expect(lanes.waiting('voucher:Issue')).to.equal(0);
    });

    it('never makes a first attempt wait: a submit that does not conflict passes a held lane', async () => {
      const lanes = new ConflictLanes();
      const holder = await lanes.acquire('voucher:Transfer', Date.now() + 60_000);
      const r = await submitFlow(contractWith([]), 'voucher:Transfer', {}, { ...fast, lanes, deadlineMs: 1_000 });
      expect(r.txId).to.equal('tx1');
      holder?.();
    });

    describe('hot keys', () => {
      const LINE = 'scf\u0000\u0000CRL\u0000L1\u0000';
      /** Every transaction writes `writes`; the tx ids in `conflicted` commit MVCC_READ_CONFLICT, the rest VALID; each submit is recorded. */
      const writing = (conflicted: string[]) => {
        const c = new FakeContract();
        const ordered: string[] = [];
        c.endorse.callsFake((txId) => {
          const code = conflicted.includes(txId) ? 11 : 0;
          const submit = sinon.stub().callsFake(() => {
            ordered.push(txId);
            return Promise.resolve(submitted(txId, sinon.stub().resolves(status(txId, code))));
          });
          return Promise.resolve(transaction(txId, submit));
        });
        return { c, ordered };
      };

      it('queues a first attempt that writes a hot key before ordering it, and endorses it again on its turn', async () => {
        const lanes = new ConflictLanes();
        const holder = await lanes.acquire('financing:Approve', Date.now() + 60_000, Date.now, [LINE]);
        const { c, ordered } = writing([]);
        const writeKeys = sinon.stub().returns([LINE, 'scf\u0000\u0000FIN\u0000F7\u0000']);
        const flow = submitFlow(c, 'financing:Approve', {}, { ...fast, lanes, writeKeys, deadlineMs: 60_000 });
        await settle();
        expect(ordered, 'nothing ordered while the holder retries').to.deep.equal([]);
        expect(lanes.waiting('financing:Approve')).to.equal(1);
        holder?.();
        expect((await flow).txId).to.equal('tx2');
        expect(ordered).to.deep.equal(['tx2']);
        expect(writeKeys.callCount, 'its keys read once, before it held the lane').to.equal(1);
        expect(lanes.hasHotKeys('financing:Approve'), 'the lane and its keys are gone').to.equal(false);
      });

      it('orders at once a first attempt that writes no hot key, and reads no write set while no lane has hot keys', async () => {
        const lanes = new ConflictLanes();
        const holder = await lanes.acquire('financing:Approve', Date.now() + 60_000, Date.now, [LINE]);
        const other = writing([]);
        const writeKeys = sinon.stub().returns(['scf\u0000\u0000CRL\u0000L2\u0000']);
        expect((await submitFlow(other.c, 'financing:Approve', {}, { ...fast, lanes, writeKeys, deadlineMs: 1_000 })).txId).to.equal('tx1');
        holder?.();
        const idle = writing([]);
        const untouched = sinon.stub().returns([LINE]);
        expect((await submitFlow(idle.c, 'financing:Approve', {}, { ...fast, lanes, writeKeys: untouched, deadlineMs: 1_000 })).txId).to.equal('tx1');
        expect(untouched.callCount).to.equal(0);
      });

      it('makes the keys of a transaction that lost a conflict hot while it retries', async () => {
        const lanes = new ConflictLanes();
        const other = await lanes.acquire('financing:Approve', Date.now() + 60_000); // another submit's retries, nothing hot yet
        const { c } = writing(['tx1']);
        const flow = submitFlow(c, 'financing:Approve', {}, { ...fast, lanes, writeKeys: () => [LINE], deadlineMs: 60_000 });
        await settle();
        expect(lanes.contended('financing:Approve', [LINE])).to.equal(true);
        other?.();
        expect((await flow).txId).to.equal('tx2');
        expect(lanes.contended('financing:Approve', [LINE])).to.equal(false);
      });

      it('answers 503 without a transaction id when a hot key\'s turn does not come within the budget, having ordered nothing', async () => {
        const lanes = new ConflictLanes();
        const holder = await lanes.acquire('financing:Approve', Date.now() + 60_000, Date.now, [LINE]);
        const { c, ordered } = writing([]);
        const err = await rejection(submitFlow(c, 'financing:Approve', {}, { ...fast, lanes, writeKeys: () => [LINE], deadlineMs: 30 }));
        expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: undefined });
        expect(ordered).to.deep.equal([]);
        expect(lanes.waiting('financing:Approve')).to.equal(0);
        holder?.();
      });
    });

    it('frees the lane when the retry fails for another reason', async () => {
      const lanes = new ConflictLanes();
      const c = new FakeContract();
      c.endorse.onFirstCall().callsFake((txId) => Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 11)))))));
      c.endorse.onSecondCall().rejects(endorseError('tx2', GRPC_ABORTED, ['chaincode response 500, [CONFLICT] voucher VCH-1 is not yours to transfer']));
      await rejection(submitFlow(c, 'voucher:Transfer', {}, { ...fast, lanes, deadlineMs: 1_000 }));
      expect(await lanes.acquire('voucher:Transfer', Date.now())).to.be.a('function');
    });
  });

  it('resubmits the same signed transaction after a SubmitError, without endorsing again', async () => {
    const c = new FakeContract();
    const submit = sinon.stub();
    submit.onFirstCall().rejects(submitError('tx1'));
    submit.onSecondCall().resolves(submitted('tx1', sinon.stub().resolves(status('tx1', 0))));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const r = await submitFlow(c, 'x:Y', {}, fast);
    expect(r.txId).to.equal('tx1');
    expect(submit.callCount).to.equal(2);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('reports LEDGER_UNAVAILABLE with the tx id when the orderer keeps refusing the transaction', async () => {
    const c = new FakeContract();
    const submit = sinon.stub().rejects(submitError('tx1'));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, submitAttempts: 4 }));
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: 'tx1' });
    expect(submit.callCount).to.equal(4);
  });

  describe('a submit whose outcome is uncertain (the orderer may hold it)', () => {
    const failing = (c: FakeContract, errors: Error[]) => {
      const submit = sinon.stub();
      errors.forEach((e, i) => submit.onCall(i).rejects(e));
      c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
      return submit;
    };

    it('reports COMMIT_TIMEOUT with the tx id, not a retryable LEDGER_UNAVAILABLE, when the channel does not know it', async () => {
      const c = new FakeContract();
      const submit = failing(c, [uncertainSubmitError('tx1'), uncertainSubmitError('tx1', GRPC_CANCELLED), submitError('tx1')]);
      const commitStatus = sinon.stub().rejects(new LedgerError('NOT_FOUND', 'no transaction tx1'));
      const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, commitStatus }));
      expect(err).to.be.instanceOf(LedgerError);
      expect(err).to.include({ code: 'COMMIT_TIMEOUT', txId: 'tx1' });
      expect(commitStatus.callCount).to.equal(1);
      expect(commitStatus.firstCall.args[0]).to.equal('tx1');
      expect(submit.callCount).to.equal(3);
      expect(c.newProposal.callCount).to.equal(1);
    });

    it('reports COMMIT_TIMEOUT when no status lookup is available', async () => {
      const c = new FakeContract();
      failing(c, [uncertainSubmitError('tx1'), uncertainSubmitError('tx1'), uncertainSubmitError('tx1')]);
      const err = await rejection(submitFlow(c, 'x:Y', {}, fast));
      expect(err).to.include({ code: 'COMMIT_TIMEOUT', txId: 'tx1' });
    });

    it('answers with the endorsed result and block when the channel shows it committed valid', async () => {
      const c = new FakeContract();
      failing(c, [uncertainSubmitError('tx1'), uncertainSubmitError('tx1'), uncertainSubmitError('tx1')]);
      const commitStatus = sinon.stub().resolves({ txId: 'tx1', blockNumber: 9, validationCode: 'VALID', valid: true });
      const r = await submitFlow(c, 'x:Y', {}, { ...fast, commitStatus });
      expect(r).to.deep.equal({ txId: 'tx1', result: { id: 'VCH-1' }, blockNumber: 9 });
      expect(c.newProposal.callCount).to.equal(1);
    });

    it('reports LEDGER_UNAVAILABLE when the channel shows it committed invalid (nothing applied)', async () => {
      const c = new FakeContract();
      failing(c, [uncertainSubmitError('tx1'), uncertainSubmitError('tx1'), uncertainSubmitError('tx1')]);
      const commitStatus = sinon.stub().resolves({ txId: 'tx1', blockNumber: 9, validationCode: 'ENDORSEMENT_POLICY_FAILURE', valid: false });
      const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, commitStatus }));
      expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: 'tx1' });
    });

    it('keeps LEDGER_UNAVAILABLE without asking the channel when every attempt was refused before sending', async () => {
      const c = new FakeContract();
      failing(c, [submitError('tx1'), submitError('tx1'), submitError('tx1')]);
      const commitStatus = sinon.stub().rejects(new Error('must not be asked'));
      const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, commitStatus }));
      expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', txId: 'tx1' });
      expect(commitStatus.callCount).to.equal(0);
    });
  });

  it('asks the commit status again after a CommitStatusError and never resubmits', async () => {
    const c = new FakeContract();
    const getStatus = sinon.stub();
    getStatus.onFirstCall().rejects(statusError('tx1'));
    getStatus.onSecondCall().resolves(status('tx1', 0, 3n));
    const submit = sinon.stub().resolves(submitted('tx1', getStatus));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const r = await submitFlow(c, 'x:Y', {}, fast);
    expect(r.blockNumber).to.equal(3);
    expect(getStatus.callCount).to.equal(2);
    expect(submit.callCount).to.equal(1);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('surfaces COMMIT_TIMEOUT with the tx id when the commit status stays unknown, having submitted once', async () => {
    const c = new FakeContract();
    const getStatus = sinon.stub().rejects(statusError('tx1'));
    const submit = sinon.stub().resolves(submitted('tx1', getStatus));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, statusAttempts: 3 }));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err).to.include({ code: 'COMMIT_TIMEOUT', txId: 'tx1' });
    expect(getStatus.callCount).to.equal(3);
    expect(submit.callCount).to.equal(1);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('hands the same signed transaction to the orderers again when no commit arrives in time, never a new proposal', async () => {
    const c = new FakeContract();
    const lost = sinon.stub().rejects(statusTimeout('tx1'));
    const committed = sinon.stub().resolves(status('tx1', 0, 9n));
    const submit = sinon.stub();
    submit.onFirstCall().resolves(submitted('tx1', lost));
    submit.onSecondCall().resolves(submitted('tx1', committed));
    const tx = transaction('tx1', submit);
    c.endorse.callsFake(() => Promise.resolve(tx));
    const r = await submitFlow(c, 'x:Y', {}, fast);
    expect(r).to.include({ txId: 'tx1', blockNumber: 9 });
    expect(submit.callCount).to.equal(2);
    expect(lost.callCount).to.equal(1);
    expect(committed.callCount).to.equal(1);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('waits for commitStatusMs in all across resubmissions, then reports COMMIT_TIMEOUT with the tx id', async () => {
    const c = new FakeContract();
    const getStatus = sinon.stub().rejects(statusTimeout('tx1'));
    const submit = sinon.stub().resolves(submitted('tx1', getStatus));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const deadlines = { endorseMs: 1_000, submitMs: 1_000, commitStatusMs: 30_000, resubmitAfterMs: 8_000, evaluateMs: 1_000 };
    const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, deadlines }));
    expect(err).to.include({ code: 'COMMIT_TIMEOUT', txId: 'tx1' });
    // ceil(30 s / 8 s) = 4 waits, each after the first preceded by a resubmission.
    expect(getStatus.callCount).to.equal(4);
    expect(submit.callCount).to.equal(4);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('keeps waiting on the first submission when a resubmission is refused', async () => {
    const c = new FakeContract();
    const getStatus = sinon.stub();
    getStatus.onFirstCall().rejects(statusTimeout('tx1'));
    getStatus.onSecondCall().resolves(status('tx1', 0, 4n));
    const submit = sinon.stub();
    submit.onFirstCall().resolves(submitted('tx1', getStatus));
    submit.onSecondCall().rejects(submitError('tx1'));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const r = await submitFlow(c, 'x:Y', {}, fast);
    expect(r.blockNumber).to.equal(4);
    expect(submit.callCount).to.equal(2);
    expect(getStatus.callCount).to.equal(2);
  });

  it('maps an endorsement failure carrying a chaincode [CODE] in its details to that code, without retrying', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, ['chaincode response 500, [INVALID_STATE] voucher VCH-1 is SPLIT, cannot TRANSFER'])));
    const err = await rejection(submitFlow(c, 'voucher:Transfer', {}, fast));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err).to.include({ code: 'INVALID_STATE', detail: 'voucher VCH-1 is SPLIT, cannot TRANSFER', txId: undefined });
    expect((err as LedgerError).cause).to.be.instanceOf(EndorseError);
    expect(c.newProposal.callCount).to.equal(1);
  });

  it('maps an unreachable peer to LEDGER_UNAVAILABLE', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_UNAVAILABLE, [])));
    const err = await rejection(submitFlow(c, 'x:Y', {}, fast));
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE' });
  });

  it('keeps an endorsement failure without a code as a plain error (a defect, not a business outcome)', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, ['chaincode response 500, function does not exist'])));
    const err = await rejection(submitFlow(c, 'x:Y', {}, fast));
    expect(err).to.be.instanceOf(Error);
    expect(err).not.to.be.instanceOf(LedgerError);
  });

  it('caps every gRPC deadline by the overall budget of the call', async () => {
    const c = new FakeContract();
    const seen: Date[] = [];
    const getStatus = sinon.stub().callsFake((o: { deadline: Date }) => (seen.push(o.deadline), Promise.resolve(status('tx1', 0))));
    const submit = sinon.stub().callsFake((o: { deadline: Date }) => (seen.push(o.deadline), Promise.resolve(submitted('tx1', getStatus))));
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    await submitFlow(c, 'x:Y', {}, { ...fast, now: () => 1_000, deadlineMs: 2_500 });
    expect(seen.map((d) => d.getTime())).to.deep.equal([3_500, 3_500]);
  });

  it('answers from the endorsement, without submitting, when the transaction writes nothing (an idempotent replay)', async () => {
    const c = new FakeContract();
    const submit = sinon.stub();
    c.endorse.callsFake((txId) => Promise.resolve(transaction(txId, submit)));
    const r = await submitFlow(c, 'x:Y', {}, { ...fast, writesNothing: () => true });
    expect(r).to.deep.equal({ txId: 'tx1', result: { id: 'VCH-1' }, blockNumber: undefined });
    expect(submit.callCount).to.equal(0);
  });

  it('evaluates without submitting and maps a chaincode NOT_FOUND', async () => {
    const c = new FakeContract();
    c.evaluate.onFirstCall().resolves(bytes({ id: 'M1' }));
    c.evaluate.onSecondCall().callsFake((txId) => Promise.reject(endorseError(txId, 2, ['chaincode response 500, [NOT_FOUND] no member 9131'])));
    expect(await evaluateFlow(c, 'member:Get', { id: 'M1' }, fast)).to.deep.equal({ id: 'M1' });
    const err = await rejection(evaluateFlow(c, 'member:Get', { id: 'M2' }, fast));
    expect(err).to.include({ code: 'NOT_FOUND', detail: 'no member 9131' });
    expect(c.endorse.callCount).to.equal(0);
  });
});

// Messages as a Fabric 3.1 peer and its Gateway give them (measured on the reference network).
const GRPC_FAILED_PRECONDITION = 9;
const NO_PLAN = '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy';
const CLOCK_REFUSED =
  'request unauthorized due to incorrect timestamp 2026-12-05T16:45:34Z, peer time 2026-12-04T16:45:35Z, peer.authentication.timewindow 15m0s';
const CHAINCODE_UNREACHABLE =
  'error in simulation: failed to execute transaction 0f: could not launch chaincode scf_1:48a2: connection to scf_1:48a2 failed: error cannot create connection for scf_1:48a2: error creating grpc connection to 127.0.0.1:7250: connect: connection refused';
const noPlanError = (txId: string) =>
  new EndorseError({ code: GRPC_FAILED_PRECONDITION, details: [], cause: cause(GRPC_FAILED_PRECONDITION, NO_PLAN), transactionId: txId, message: NO_PLAN });

describe('fabric connector: causes a real network produces', () => {
  it('re-endorses while the Gateway finds no endorsement plan, and succeeds once the network can endorse', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) =>
      txId === 'tx3'
        ? Promise.resolve(transaction(txId, sinon.stub().resolves(submitted(txId, sinon.stub().resolves(status(txId, 0))))))
        : Promise.reject(noPlanError(txId)),
    );
    const sleep = sinon.stub().resolves();
    const r = await submitFlow(c, 'member:Bootstrap', {}, { ...fast, sleep });
    expect(r.txId).to.equal('tx3');
    expect(sleep.callCount).to.equal(2);
  });

  it('gives up after a bounded number of attempts with LEDGER_UNAVAILABLE naming the missing endorsement plan', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(noPlanError(txId)));
    const err = await rejection(submitFlow(c, 'member:Bootstrap', {}, { ...fast, planRetry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 } }));
    expect(err).to.be.instanceOf(LedgerError).and.include({ code: 'LEDGER_UNAVAILABLE' });
    expect((err as LedgerError).detail).to.match(/cannot endorse now: no set of reachable peers satisfies the endorsement policy/);
    expect(c.endorse.callCount).to.equal(4);
  });

  it('stops re-endorsing when the call budget is spent', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(noPlanError(txId)));
    let now = 0;
    const sleep = sinon.stub().callsFake(() => ((now += 1_000), Promise.resolve()));
    const err = await rejection(submitFlow(c, 'x:Y', {}, { ...fast, sleep, now: () => now, deadlineMs: 2_500 }));
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE' });
    expect(c.endorse.callCount).to.equal(3);
  });

  it('names a proposal the peers refused for its timestamp CLOCK_SKEW on a write (ABORTED) and on a read (UNAVAILABLE), without retrying', async () => {
    const c = new FakeContract();
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, [CLOCK_REFUSED])));
    c.evaluate.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_UNAVAILABLE, [`rpc error: code = Unknown desc = ${CLOCK_REFUSED}`])));
    for (const err of [await rejection(submitFlow(c, 'voucher:Transfer', {}, fast)), await rejection(evaluateFlow(c, 'member:WhoAmI', {}, fast))]) {
      expect(err).to.be.instanceOf(LedgerError).and.include({ code: 'CLOCK_SKEW' });
      expect((err as LedgerError).detail).to.include("clock and the peers' disagree").and.include('peer.authentication.timewindow 15m0s');
    }
    expect(c.endorse.callCount).to.equal(1);
  });

  it('reports endorsements that disagree, wherever they surface, as LEDGER_UNAVAILABLE, not a defect', async () => {
    const c = new FakeContract();
    c.evaluate.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, ['ProposalResponsePayloads do not match'])));
    const err = await rejection(evaluateFlow(c, 'voucher:Get', {}, fast));
    expect(err).to.be.instanceOf(LedgerError).and.include({ code: 'LEDGER_UNAVAILABLE' });
    expect((err as LedgerError).detail).to.include('read different states');
  });

  it('reports a chaincode server the peers cannot reach as LEDGER_UNAVAILABLE, not a defect', async () => {
    const c = new FakeContract();
    // The first call after the server died finds its stream gone, later ones cannot connect.
    c.endorse.onFirstCall().callsFake((txId) =>
      Promise.reject(endorseError(txId, GRPC_ABORTED, [`error in simulation: failed to execute transaction ${txId}: error sending: chaincode stream terminated`])),
    );
    expect(await rejection(submitFlow(c, 'voucher:Transfer', {}, fast))).to.include({ code: 'LEDGER_UNAVAILABLE' });
    c.endorse.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, [CHAINCODE_UNREACHABLE])));
    c.evaluate.callsFake((txId) => Promise.reject(endorseError(txId, GRPC_ABORTED, [CHAINCODE_UNREACHABLE])));
    for (const err of [await rejection(submitFlow(c, 'voucher:Transfer', {}, fast)), await rejection(evaluateFlow(c, 'voucher:Get', {}, fast))]) {
      expect(err).to.be.instanceOf(LedgerError).and.include({ code: 'LEDGER_UNAVAILABLE' });
      expect((err as LedgerError).detail).to.include('cannot reach the chaincode server');
    }
  });
});
