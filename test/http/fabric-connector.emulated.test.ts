import { expect } from 'chai';
import sinon from 'sinon';
import { DEMO_IDENTITIES, demoMember } from '../../gateway/src/demo/plan';
import { setUpDemo } from '../../gateway/src/demo/setup';
import { FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger';
import { loadFabricProfile } from '../../gateway/src/ledger/fabric/profile';
import { LedgerError, type LedgerEvent, type LedgerIdentity } from '../../gateway/src/ledger/ledger';
import { makeIdentity } from '../support/certs';
import { type EmulatedNetwork, startEmulatedNetwork } from '../support/fabric-emulator';
import { rejectionOf } from './fabric-emulator-client';
import { firstOf } from '../support/streams';

/*
 * The Fabric connector (gateway/src/ledger/fabric) over real gRPC/TLS against
 * the Gateway-protocol emulator: the failure paths the shared HTTP suite
 * cannot provoke (lost submits, unavailable commit status, read conflicts,
 * unreachable peers, broken event streams) and the connector's regressions.
 */

const FAST_RETRY = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 };
const operator = demoMember('operator');

async function openLedger(network: EmulatedNetwork): Promise<{ ledger: FabricLedger; as: (label: string) => LedgerIdentity }> {
  const profile = loadFabricProfile(network.profilePath);
  const ledger = new FabricLedger(profile, { retry: FAST_RETRY });
  const identities = new Map(profile.identities.map((i) => [i.label, i.identity]));
  await setUpDemo(ledger, identities);
  return {
    ledger,
    as: (label) => {
      const identity = identities.get(label);
      if (!identity) throw new Error(`no identity ${label}`);
      return identity;
    },
  };
}

/** Validation codes of every ordering of `txId`, in block order. */
async function orderings(network: EmulatedNetwork, txId: string): Promise<string[]> {
  const codes: string[] = [];
  const height = await network.emulator.world.height();
  for (let n = 0; n < height; n++) {
    const block = await network.emulator.world.getBlock(n);
    for (const t of block?.transactions ?? []) if (t.txId === txId) codes.push(t.validationCode);
  }
  return codes;
}


const until = async (check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Fabric connector over the Gateway emulator (real gRPC, signatures, protobufs)', () => {
  let network: EmulatedNetwork;
  let ledger: FabricLedger;
  let as: (label: string) => LedgerIdentity;
  let threshold = 1_000;
  const setDualControl = () => ledger.submit(as('operator-admin'), 'member:SetDualControl', { id: operator.id, threshold: String(threshold++) });

  before(async () => {
    network = await startEmulatedNetwork({
      identities: DEMO_IDENTITIES.map((d) => ({ label: d.label, mspId: d.mspId })),
      hostAliases: { PlatformMSP: 'peer0.platform.scf.local' },
      serviceIdentity: 'auditor',
      batchTimeoutMs: 25,
    });
    ({ ledger, as } = await openLedger(network));
  });
  afterEach(() => {
    network.emulator.faults.submitLost = 0;
    network.emulator.faults.submitReplyLost = 0;
    network.emulator.faults.commitStatusUnavailable = 0;
    network.emulator.faults.staleChainInfo = 0;
  });
  after(async () => {
    await ledger?.close();
    await network?.close();
    expect(network?.emulator.internalErrors ?? []).to.deep.equal([]);
  });

  it('submits, evaluates and reads the status and block of a transaction through the peer of the caller', async () => {
    const height = await ledger.height();
    const done = await setDualControl();
    expect(done.result).to.include({ id: operator.id });
    expect(done.blockNumber).to.equal(height);
    expect(await ledger.transactionStatus(done.txId)).to.deep.equal({ txId: done.txId, blockNumber: height, validationCode: 'VALID', valid: true });
    // Read through the bank's peer: the write is there (a counterparty is not shown the threshold itself: memberAsSeenBy).
    expect(await ledger.evaluate(as('bank-maker'), 'member:Get', { id: operator.id })).to.include({ updatedTxId: done.txId });
    expect(await ledger.evaluate(as('operator-admin'), 'member:Get', { id: operator.id })).to.include({ dualControlThreshold: (done.result as any).dualControlThreshold });
  });

  it("reports a height that holds the gateway's own writes, though the service identity's peer is a block behind", async () => {
    // The service identity here is the core enterprise's (CoreMSP); the write
    // goes through the operator's peer (PlatformMSP). The core's peer answers
    // a block short twice, as a peer still committing the newest block does.
    const profile = loadFabricProfile(network.profilePath);
    const core = profile.identities.find((i) => i.label === 'core-checker')?.identity as LedgerIdentity;
    const coreService = new FabricLedger({ ...profile, serviceIdentity: core }, { retry: FAST_RETRY });
    try {
      const done = await coreService.submit(as('operator-admin'), 'member:SetDualControl', { id: operator.id, threshold: String(threshold++) });
      network.emulator.faults.staleChainInfo = 2;
      expect(await coreService.height()).to.equal((done.blockNumber as number) + 1);
      expect(network.emulator.faults.staleChainInfo).to.equal(0);
    } finally {
      await coreService.close();
    }
  });

  it('answers the readiness probe at once, from what the peer says, without waiting for it to catch up', async () => {
    const done = await setDualControl();
    network.emulator.faults.staleChainInfo = 1;
    expect(await ledger.ready()).to.equal(done.blockNumber);
  });

  it('resubmits the same signed transaction when the orderer took it but its reply was lost: it commits once', async () => {
    network.emulator.faults.submitReplyLost = 1;
    const done = await setDualControl();
    expect(network.emulator.submissions.filter((t) => t === done.txId)).to.have.length(2);
    await until(async () => (await orderings(network, done.txId)).length === 2);
    expect(await orderings(network, done.txId)).to.deep.equal(['VALID', 'DUPLICATE_TXID']);
    expect((await ledger.transactionStatus(done.txId)).validationCode).to.equal('VALID');
  });

  it('resubmits the same signed transaction when the orderer never received it', async () => {
    network.emulator.faults.submitLost = 2;
    const done = await setDualControl();
    expect(network.emulator.submissions.filter((t) => t === done.txId)).to.have.length(1);
    expect(await orderings(network, done.txId)).to.deep.equal(['VALID']);
  });

  it('answers 503 with the tx id when the orderer never takes the transaction, and nothing commits', async () => {
    network.emulator.faults.submitLost = 3;
    const height = await ledger.height();
    const err = await rejectionOf(setDualControl());
    expect(err).to.be.instanceOf(LedgerError);
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE' });
    expect(err.txId).to.match(/^[0-9a-f]{64}$/);
    expect(await ledger.height()).to.equal(height);
    expect((await rejectionOf(ledger.transactionStatus(err.txId))).code).to.equal('NOT_FOUND');
  });

  it('asks the commit status again when it is unavailable, and never resubmits', async () => {
    network.emulator.faults.commitStatusUnavailable = 2;
    const done = await setDualControl();
    expect(done.blockNumber).to.be.a('number');
    expect(network.emulator.submissions.filter((t) => t === done.txId)).to.have.length(1);
  });

  it('answers COMMIT_TIMEOUT with the tx id when the status never comes, though the transaction committed', async () => {
    network.emulator.faults.commitStatusUnavailable = 3;
    const err = await rejectionOf(setDualControl());
    expect(err).to.include({ code: 'COMMIT_TIMEOUT' });
    await until(async () => (await orderings(network, err.txId)).length === 1);
    expect((await ledger.transactionStatus(err.txId)).valid).to.equal(true);
  });

  it('re-endorses as a new transaction after an MVCC read conflict between concurrent submits', async () => {
    const results = await Promise.all([setDualControl(), setDualControl(), setDualControl()]);
    const txIds = new Set(results.map((r) => r.txId));
    expect(txIds.size).to.equal(3);
    // At least one first attempt lost the race in a shared block and was retried under a new id.
    const height = await network.emulator.world.height();
    const conflicted: string[] = [];
    for (let n = 0; n < height; n++) {
      for (const t of (await network.emulator.world.getBlock(n))?.transactions ?? []) if (t.validationCode === 'MVCC_READ_CONFLICT') conflicted.push(t.txId);
    }
    expect(conflicted.length).to.be.greaterThan(0);
    for (const t of conflicted) expect(txIds.has(t)).to.equal(false);
    const finals = await Promise.all(results.map((r) => ledger.transactionStatus(r.txId)));
    expect(finals.every((s) => s.valid)).to.equal(true);
    expect(await ledger.transactionStatus(conflicted[0]!)).to.include({ txId: conflicted[0], validationCode: 'MVCC_READ_CONFLICT', valid: false });
  });

  it('maps a chaincode failure to its code and orders nothing', async () => {
    const height = await ledger.height();
    const err = await rejectionOf(ledger.submit(as('supplier1'), 'member:Suspend', { id: demoMember('bank').id }));
    expect(err).to.be.instanceOf(LedgerError);
    expect(err.code).to.equal('FORBIDDEN');
    expect(err.txId).to.equal(undefined);
    expect(await ledger.height()).to.equal(height);
  });

  it('answers a replay that writes nothing from the endorsement, without ordering it', async () => {
    const command = { id: operator.id, threshold: '4242', requestId: 'replay-once' };
    const first = await ledger.submit(as('operator-admin'), 'member:SetDualControl', command);
    const height = await ledger.height();
    const replay = await ledger.submit(as('operator-admin'), 'member:SetDualControl', command);
    expect(replay.blockNumber).to.equal(undefined);
    expect(replay.result).to.deep.equal(first.result);
    expect(await ledger.height()).to.equal(height);
  });

  it('refuses a signature that does not match the certificate as a defect (not a business error), writing nothing', async () => {
    const intruder = await makeIdentity('PlatformMSP', 'intruder');
    const fresh = new FabricLedger(loadFabricProfile(network.profilePath));
    try {
      const height = await ledger.height();
      const forged: LedgerIdentity = { ...as('operator-admin'), privateKey: intruder.privateKeyPem };
      const err = await rejectionOf(fresh.submit(forged, 'member:SetDualControl', { id: operator.id, threshold: '1' }));
      expect(err).not.to.be.instanceOf(LedgerError);
      expect(err.message).to.contain('ledger call failed');
      expect(network.emulator.refusals.at(-1)).to.deep.equal({ method: 'Endorse', reason: "the creator's signature over the message is not valid" });
      expect(await ledger.height()).to.equal(height);
    } finally {
      await fresh.close();
    }
  });

  it('signs with the key of the identity it is given, not with one cached for the same certificate', async () => {
    await ledger.evaluate(as('operator-admin'), 'member:WhoAmI', {}); // the genuine key is in use for this certificate
    const intruder = await makeIdentity('PlatformMSP', 'intruder');
    const forged: LedgerIdentity = { ...as('operator-admin'), privateKey: intruder.privateKeyPem };
    const err = await rejectionOf(ledger.evaluate(forged, 'member:WhoAmI', {}));
    expect(err.message).to.contain('ledger call failed');
    expect(network.emulator.refusals.at(-1)).to.deep.equal({ method: 'Evaluate', reason: "the creator's signature over the message is not valid" });
  });

  it('streams events from the start and resumes strictly after a cursor', async () => {
    const ac = new AbortController();
    const stored = await network.emulator.world.eventsSince(0);
    const all = await firstOf(ledger.events(undefined, { signal: ac.signal }), stored.length);
    ac.abort();
    expect(all.map((e) => [e.blockNumber, e.txId, e.name])).to.deep.equal(stored.map((e) => [e.blockNumber, e.txId, e.name]));
    const ac2 = new AbortController();
    const rest = await firstOf(ledger.events(all[4]!.cursor, { signal: ac2.signal }), stored.length - 5);
    ac2.abort();
    expect(rest.map((e) => e.cursor)).to.deep.equal(all.slice(5).map((e) => e.cursor));
  });

  it("tells a cursor of this chain from another chain's: checkCursor, and events() before streaming anything", async () => {
    const ac = new AbortController();
    const [first] = await firstOf(ledger.events(undefined, { signal: ac.signal }), 1);
    ac.abort();
    const [block, , txId] = (first as LedgerEvent).cursor.split(':') as [string, string, string];
    await ledger.checkCursor((first as LedgerEvent).cursor);
    // Found once, it is not looked up again (a transaction never leaves its block).
    const lookups = sinon.spy(ledger, 'transactionStatus');
    try {
      await ledger.checkCursor((first as LedgerEvent).cursor);
      expect(lookups.callCount).to.equal(0);
    } finally {
      lookups.restore();
    }
    const height = await ledger.height();
    const quick = new FabricLedger(loadFabricProfile(network.profilePath), { retry: FAST_RETRY, cursorCatchUpMs: 300 });
    try {
      for (const [cursor, why] of [
        [`${Number(block) + 1}:0:${txId}`, `which is in block ${block}`],
        [`${block}:0:${'ab'.repeat(32)}`, `block ${block} does not hold transaction ${'ab'.repeat(32)}`],
        [`${height + 50}:0:${'cd'.repeat(32)}`, `the channel has ${height} blocks`],
      ] as const) {
        const err = await rejectionOf(quick.checkCursor(cursor));
        expect(err).to.be.instanceOf(LedgerError).and.to.include({ code: 'NOT_FOUND' });
        expect(err.message).to.contain(`event cursor ${cursor} is not on channel`).and.contain(why);
        const ac2 = new AbortController();
        const streamed = await rejectionOf(firstOf(quick.events(cursor, { signal: ac2.signal }), 1));
        ac2.abort();
        expect(streamed).to.include({ code: 'NOT_FOUND' });
      }
    } finally {
      await quick.close();
    }
    await until(() => network.emulator.openEventStreams === 0);
  });

  it('reconnects a broken event stream from its checkpoint: every event once, in order', async () => {
    const ac = new AbortController();
    const it = ledger.events(undefined, { signal: ac.signal })[Symbol.asyncIterator]();
    const seen: LedgerEvent[] = [];
    const stored = await network.emulator.world.eventsSince(0);
    for (let i = 0; i < stored.length; i++) seen.push((await it.next()).value as LedgerEvent);
    expect(network.emulator.breakEventStreams()).to.equal(1);
    const more = [await setDualControl(), await setDualControl()];
    for (let i = 0; i < 2; i++) seen.push((await it.next()).value as LedgerEvent);
    ac.abort();
    await it.return?.(undefined);
    expect(seen.slice(-2).map((e) => e.txId)).to.deep.equal(more.map((m) => m.txId));
    expect(new Set(seen.map((e) => e.cursor)).size).to.equal(seen.length);
    await until(() => network.emulator.openEventStreams === 0);
  });

  it('closes the peer stream of an event reader that stops before the stream opened', async () => {
    const ac = new AbortController();
    const it = ledger.events(undefined, { signal: ac.signal })[Symbol.asyncIterator]();
    const first = it.next();
    ac.abort();
    expect(await first).to.deep.equal({ done: true, value: undefined });
    await until(() => network.emulator.openEventStreams === 0);
  });

  it('does not report a status query the peer refused as an unknown transaction', async () => {
    const known = await setDualControl();
    const foreign = await makeIdentity('ForeignMSP', 'auditor');
    const profile = { ...loadFabricProfile(network.profilePath), serviceIdentity: { mspId: 'PlatformMSP', certificate: foreign.certificatePem, privateKey: foreign.privateKeyPem } };
    const refused = new FabricLedger(profile);
    try {
      const err = await rejectionOf(refused.transactionStatus(known.txId));
      expect(err).not.to.include({ code: 'NOT_FOUND' });
      expect(err.message).to.contain('ledger call failed');
    } finally {
      await refused.close();
    }
  });

  it('answers 503 LEDGER_UNAVAILABLE when the peer cannot be reached', async () => {
    const other = await startEmulatedNetwork({ identities: [{ label: 'operator-admin', mspId: 'PlatformMSP' }] });
    const unreachable = new FabricLedger(loadFabricProfile(other.profilePath));
    const identity = other.identities.get('operator-admin')!;
    await other.close();
    try {
      const err = await rejectionOf(unreachable.evaluate({ mspId: identity.mspId, certificate: identity.certificatePem, privateKey: identity.privateKeyPem }, 'member:WhoAmI', {}));
      expect(err).to.include({ code: 'LEDGER_UNAVAILABLE' });
      // The readiness probe reads the height through qscc: the same answer.
      expect(await rejectionOf(unreachable.height())).to.include({ code: 'LEDGER_UNAVAILABLE' });
    } finally {
      await unreachable.close();
    }
  });

  it('refuses calls after close with LEDGER_UNAVAILABLE instead of reconnecting', async () => {
    const closed = new FabricLedger(loadFabricProfile(network.profilePath));
    await closed.close();
    const err = await rejectionOf(closed.evaluate(as('auditor'), 'member:WhoAmI', {}));
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE' });
    expect(await firstOf(closed.events(), 1)).to.deep.equal([]);
  });
});
