import { createHash, createPrivateKey, verify, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { checkpointers, type ChaincodeEvent, type CloseableAsyncIterable, hash, signers } from '@hyperledger/fabric-gateway';
import { common, gateway, ledger, msp, orderer, peer } from '@hyperledger/fabric-protos';
import { demoMember } from '../../gateway/src/demo/plan';
import { makeIdentity } from '../support/certs';
import { type EmulatedNetwork, startEmulatedNetwork } from '../support/fabric-emulator';
import { type ClientGateway, gatewayAs, rawGatewayClient, rejectionOf } from './fabric-emulator-client';

/*
 * The Gateway-protocol emulator answers the real fabric-gateway client as a
 * peer's Gateway service does. These tests talk to it with fabric-gateway
 * directly (no connector in between), so a wrong answer of the emulator shows
 * here and not as a false pass of the connector.
 */

const GRPC = { UNKNOWN: 2, INVALID_ARGUMENT: 3, FAILED_PRECONDITION: 9, ABORTED: 10, PERMISSION_DENIED: 7 } as const;
const operator = demoMember('operator');
const bootstrap = { member: { id: operator.id, name: operator.name, mspId: operator.mspId } };
const json = (bytes: Uint8Array): any => JSON.parse(Buffer.from(bytes).toString('utf8'));
const args = (command: object) => ({ arguments: [JSON.stringify(command)] });

/** Decodes a prepared transaction down to its chaincode action and endorsement. */
function decodePrepared(bytes: Uint8Array) {
  const envelope = gateway.PreparedTransaction.deserializeBinary(bytes).getEnvelope() as common.Envelope;
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const [action] = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action!.getPayload_asU8());
  const endorsed = actionPayload.getAction()!;
  const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
  const namespaces = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8())
    .getNsRwsetList()
    .map((ns) => ({ namespace: ns.getNamespace(), kv: ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()) }));
  return { envelope, payload, action: action!, actionPayload, endorsed, responsePayload, chaincodeAction, namespaces };
}

async function take(events: CloseableAsyncIterable<ChaincodeEvent>, n: number): Promise<ChaincodeEvent[]> {
  const out: ChaincodeEvent[] = [];
  try {
    for await (const e of events) {
      out.push(e);
      if (out.length === n) break;
    }
  } finally {
    events.close();
  }
  return out;
}

describe('Fabric Gateway emulator (answers fabric-gateway as a peer does)', () => {
  let network: EmulatedNetwork;
  const opened: ClientGateway[] = [];
  const as = (label: string, key?: string) => {
    const g = gatewayAs(network, label, key);
    opened.push(g);
    return g.gateway.getNetwork('scf');
  };

  before(async () => {
    network = await startEmulatedNetwork({
      identities: [
        { label: 'operator-admin', mspId: 'PlatformMSP' },
        { label: 'core', mspId: 'CoreMSP' },
      ],
      hostAliases: { PlatformMSP: 'peer0.platform.emulated' },
      batchTimeoutMs: 2,
    });
    const submitted = await as('operator-admin').getContract('scf').submitAsync('member:Bootstrap', args(bootstrap));
    expect((await submitted.getStatus()).successful).to.equal(true);
  });
  afterEach(() => {
    for (const g of opened.splice(0)) g.close();
  });
  after(async () => {
    await network?.close();
    expect(network?.emulator.internalErrors ?? []).to.deep.equal([]);
  });

  it('endorses, orders and commits a transaction of a channel member, answering the chaincode result', async () => {
    const contract = as('operator-admin').getContract('scf');
    const heightBefore = await network.emulator.world.height();
    const submitted = await contract.submitAsync('member:SetDualControl', args({ id: operator.id, threshold: '700' }));
    expect(json(submitted.getResult())).to.include({ id: operator.id, dualControlThreshold: '700' });
    const status = await submitted.getStatus();
    expect(status).to.include({ successful: true, code: 0, transactionId: submitted.getTransactionId() });
    expect(status.blockNumber).to.equal(BigInt(heightBefore));
    expect(json(await contract.evaluateTransaction('member:Get', JSON.stringify({ id: operator.id })))).to.include({ dualControlThreshold: '700' });
  });

  it("puts the simulation's read-write set, event and result in the prepared transaction as Fabric protobufs, endorsed by the peer", async () => {
    const contract = as('operator-admin').getContract('scf');
    const proposal = contract.newProposal('member:SetDualControl', args({ id: operator.id, threshold: '800' }));
    const tx = await proposal.endorse();
    const d = decodePrepared(tx.getBytes());
    expect(d.namespaces.map((n) => n.namespace)).to.deep.equal(['_lifecycle', 'scf']);
    const scf = d.namespaces[1]!.kv;
    const memberKey = `\u0000MEMBER\u0000${operator.id}\u0000`;
    expect(scf.getReadsList().map((r) => r.getKey())).to.include(memberKey);
    const read = scf.getReadsList().find((r) => r.getKey() === memberKey)!;
    expect(read.getVersion()?.getBlockNum()).to.be.a('number');
    const write = scf.getWritesList().find((w) => w.getKey() === memberKey)!;
    expect(json(write.getValue_asU8())).to.include({ dualControlThreshold: '800' });
    const event = peer.ChaincodeEvent.deserializeBinary(d.chaincodeAction.getEvents_asU8());
    expect(event.getEventName()).to.equal('MemberDualControlSet');
    expect(event.getTxId()).to.equal(tx.getTransactionId());
    expect(d.chaincodeAction.getResponse()?.getStatus()).to.equal(200);
    expect(json(d.chaincodeAction.getResponse()!.getPayload_asU8())).to.deep.equal(json(tx.getResult()));
    // The proposal hash binds the response to the proposal that was signed.
    const proposalMsg = peer.Proposal.deserializeBinary(gateway.ProposedTransaction.deserializeBinary(proposal.getBytes()).getProposal()!.getProposalBytes_asU8());
    const header = common.Header.deserializeBinary(proposalMsg.getHeader_asU8());
    const expectedHash = createHash('sha256').update(header.getChannelHeader_asU8()).update(header.getSignatureHeader_asU8()).update(d.actionPayload.getChaincodeProposalPayload_asU8()).digest();
    expect(Buffer.from(d.responsePayload.getProposalHash_asU8()).equals(expectedHash)).to.equal(true);
    // One endorsement, by the peer of the caller's organisation, verifiable with its certificate.
    const [endorsement] = d.endorsed.getEndorsementsList();
    const endorser = msp.SerializedIdentity.deserializeBinary(endorsement!.getEndorser_asU8());
    expect(endorser.getMspid()).to.equal('PlatformMSP');
    const endorserCert = new X509Certificate(Buffer.from(endorser.getIdBytes_asU8()).toString('utf8'));
    const signed = Buffer.concat([d.endorsed.getProposalResponsePayload_asU8(), endorsement!.getEndorser_asU8()]);
    expect(verify('sha256', signed, endorserCert.publicKey, endorsement!.getSignature_asU8())).to.equal(true);
    // Nothing is committed by endorsing.
    expect(await network.emulator.world.getTransactionStatus(tx.getTransactionId())).to.equal(undefined);
  });

  it("reports a chaincode failure as a peer's Gateway does: the chaincode message in the error details", async () => {
    const contract = as('operator-admin').getContract('scf');
    const missing = demoMember('bank').id;
    const endorse = await rejectionOf(contract.newProposal('member:Suspend', args({ id: missing })).endorse());
    expect(endorse.name).to.equal('EndorseError');
    expect(endorse.code).to.equal(GRPC.ABORTED);
    expect(endorse.details).to.have.length(1);
    expect(endorse.details[0]).to.include({ mspId: 'PlatformMSP', address: network.emulator.peer('PlatformMSP').address });
    expect(endorse.details[0].message).to.match(/^chaincode response 500, \[NOT_FOUND\] /);
    const evaluate = await rejectionOf(contract.evaluateTransaction('member:Get', JSON.stringify({ id: missing })));
    expect(evaluate.code).to.equal(GRPC.UNKNOWN);
    expect(evaluate.message).to.contain('evaluate call to endorser returned error: chaincode response 500, [NOT_FOUND]');
  });

  it('refuses a proposal whose signature is not made with the certificate key, and runs nothing', async () => {
    const intruder = await makeIdentity('PlatformMSP', 'intruder');
    const contract = as('operator-admin', intruder.privateKeyPem).getContract('scf');
    const height = await network.emulator.world.height();
    const refusalsBefore = network.emulator.refusals.length;
    const endorse = await rejectionOf(contract.newProposal('member:SetDualControl', args({ id: operator.id, threshold: '1' })).endorse());
    expect(endorse.code).to.equal(GRPC.ABORTED);
    expect(endorse.details[0].message).to.equal('error validating proposal: access denied: channel [scf] creator org [PlatformMSP]');
    const evaluate = await rejectionOf(contract.evaluateTransaction('member:WhoAmI', '{}'));
    expect(evaluate.code).to.equal(GRPC.FAILED_PRECONDITION);
    expect(network.emulator.refusals.slice(refusalsBefore).map((r) => r.reason)).to.deep.equal([
      "the creator's signature over the message is not valid",
      "the creator's signature over the message is not valid",
    ]);
    expect(await network.emulator.world.height()).to.equal(height);
  });

  it('refuses a certificate that no CA of the claimed MSP issued', async () => {
    const foreign = await makeIdentity('ForeignMSP', 'operator-admin');
    const contract = as('operator-admin').getContract('scf');
    // Same client wiring, but the identity presented is a ForeignMSP certificate claiming PlatformMSP.
    const g = gatewayAs({ ...network, identities: new Map([['operator-admin', { ...foreign, mspId: 'PlatformMSP' }]]) }, 'operator-admin');
    opened.push(g);
    const err = await rejectionOf(g.gateway.getNetwork('scf').getContract('scf').evaluateTransaction('member:WhoAmI', '{}'));
    expect(err.code).to.equal(GRPC.FAILED_PRECONDITION);
    expect(network.emulator.refusals.at(-1)?.reason).to.equal('the certificate was not issued by a CA of PlatformMSP');
    // The genuine identity still works.
    expect(json(await contract.evaluateTransaction('member:WhoAmI', '{}')).member.id).to.equal(operator.id);
  });

  it('refuses to order a transaction envelope that its creator did not sign, and orders nothing', async () => {
    const g = gatewayAs(network, 'operator-admin');
    opened.push(g);
    const tx = await g.gateway.getNetwork('scf').getContract('scf').newProposal('member:SetDualControl', args({ id: operator.id, threshold: '900' })).endorse();
    const intruder = await makeIdentity('PlatformMSP', 'intruder');
    const forged = await signers.newPrivateKeySigner(createPrivateKey(intruder.privateKeyPem))(tx.getDigest());
    const submissions = network.emulator.submissions.length;
    const err = await rejectionOf(g.gateway.newSignedTransaction(tx.getBytes(), forged).submit());
    expect(err.name).to.equal('SubmitError');
    expect(err.code).to.equal(GRPC.ABORTED);
    expect(err.message).to.contain('status=FORBIDDEN');
    expect(network.emulator.submissions.length).to.equal(submissions);
    // The same transaction, signed by its creator, is ordered and committed.
    const status = await (await g.gateway.newSignedTransaction(tx.getBytes(), await signers.newPrivateKeySigner(createPrivateKey(network.identities.get('operator-admin')!.privateKeyPem))(tx.getDigest())).submit()).getStatus();
    expect(status.successful).to.equal(true);
  });

  it('answers commit status only once the transaction is committed, with its block', async () => {
    const slow = await startEmulatedNetwork({ identities: [{ label: 'operator-admin', mspId: 'PlatformMSP' }], batchTimeoutMs: 250 });
    const g = gatewayAs(slow, 'operator-admin');
    try {
      const submitted = await g.gateway.getNetwork('scf').getContract('scf').submitAsync('member:Bootstrap', args(bootstrap));
      expect(await slow.emulator.world.getTransactionStatus(submitted.getTransactionId())).to.equal(undefined);
      const status = await submitted.getStatus();
      expect(status).to.include({ successful: true, blockNumber: 0n });
      expect(await slow.emulator.world.getTransactionStatus(submitted.getTransactionId())).to.include({ validationCode: 'VALID', blockNumber: 0 });
    } finally {
      g.close();
      await slow.close();
    }
  });

  it('streams chaincode events per block from a checkpoint, after the checkpointed transaction', async () => {
    const net = as('operator-admin');
    const contract = net.getContract('scf');
    for (const threshold of ['11', '12', '13']) await contract.submitTransaction('member:SetDualControl', JSON.stringify({ id: operator.id, threshold }));
    const all = await take(await net.getChaincodeEvents('scf', { startBlock: 0n }), (await network.emulator.world.eventsSince(0)).length);
    const stored = await network.emulator.world.eventsSince(0);
    expect(all.map((e) => [Number(e.blockNumber), e.transactionId, e.eventName])).to.deep.equal(stored.map((e) => [e.blockNumber, e.txId, e.name]));
    expect(all.every((e) => e.chaincodeName === 'scf')).to.equal(true);
    const checkpoint = checkpointers.inMemory();
    await checkpoint.checkpointChaincodeEvent(all.at(-3)!);
    const resumed = await take(await net.getChaincodeEvents('scf', { checkpoint }), 2);
    expect(resumed.map((e) => e.transactionId)).to.deep.equal(all.slice(-2).map((e) => e.transactionId));
  });

  it('delivers events of transactions committed after a next-commit stream opened, live', async () => {
    const net = as('operator-admin');
    const events = await net.getChaincodeEvents('scf');
    const received = take(events, 1);
    await new Promise((r) => setTimeout(r, 50));
    const submitted = await net.getContract('scf').submitAsync('member:SetDualControl', args({ id: operator.id, threshold: '21' }));
    const [event] = await received;
    expect(event?.transactionId).to.equal(submitted.getTransactionId());
    expect(json(event!.payload).ids).to.be.an('object');
  });

  it('refuses a NEWEST start position and an unsigned events request, as the peer does', async () => {
    const identity = network.identities.get('operator-admin')!;
    const creator = new msp.SerializedIdentity();
    creator.setMspid(identity.mspId);
    creator.setIdBytes(Buffer.from(identity.certificatePem));
    const request = new gateway.ChaincodeEventsRequest();
    request.setChannelId('scf');
    request.setChaincodeId('scf');
    request.setIdentity(creator.serializeBinary());
    const position = new orderer.SeekPosition();
    position.setNewest(new orderer.SeekNewest());
    request.setStartPosition(position);
    const sign = signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem));
    const client = rawGatewayClient(network.emulator.peer('PlatformMSP'));
    const statusOf = (signed: gateway.SignedChaincodeEventsRequest) =>
      new Promise<{ code: number; details: string }>((resolve) => {
        const call = client.chaincodeEvents(signed);
        call.on('data', () => undefined);
        call.on('error', (err: any) => resolve({ code: err.code, details: err.details }));
        call.on('end', () => resolve({ code: 0, details: 'ended' }));
      });
    try {
      const signed = new gateway.SignedChaincodeEventsRequest();
      signed.setRequest(request.serializeBinary());
      expect((await statusOf(signed)).code).to.equal(GRPC.PERMISSION_DENIED);
      signed.setSignature(await sign(hash.sha256(request.serializeBinary())));
      expect(await statusOf(signed)).to.deep.equal({ code: GRPC.INVALID_ARGUMENT, details: 'invalid start position type: NEWEST' });
    } finally {
      client.close();
    }
  });

  it('answers the qscc queries a client uses from the ledger: chain height, transaction with its validation code, blocks', async () => {
    const net = as('operator-admin');
    const submitted = await net.getContract('scf').submitAsync('member:SetDualControl', args({ id: operator.id, threshold: '31' }));
    const { blockNumber } = await submitted.getStatus();
    const qscc = net.getContract('qscc');
    const info = common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', 'scf'));
    expect(info.getHeight()).to.equal(await network.emulator.world.height());
    const processed = peer.ProcessedTransaction.deserializeBinary(await qscc.evaluateTransaction('GetTransactionByID', 'scf', submitted.getTransactionId()));
    expect(processed.getValidationcode()).to.equal(peer.TxValidationCode.VALID);
    const envelopePayload = common.Payload.deserializeBinary(processed.getTransactionenvelope()!.getPayload_asU8());
    expect(common.ChannelHeader.deserializeBinary(envelopePayload.getHeader()!.getChannelHeader_asU8()).getTxId()).to.equal(submitted.getTransactionId());
    const block = common.Block.deserializeBinary(await qscc.evaluateTransaction('GetBlockByTxID', 'scf', submitted.getTransactionId()));
    expect(block.getHeader()?.getNumber()).to.equal(Number(blockNumber));
    const byNumber = common.Block.deserializeBinary(await qscc.evaluateTransaction('GetBlockByNumber', 'scf', String(blockNumber)));
    expect(byNumber.getData()?.getDataList().length).to.be.greaterThan(0);
    const unknown = await rejectionOf(qscc.evaluateTransaction('GetTransactionByID', 'scf', '0'.repeat(64)));
    expect(unknown.code).to.equal(GRPC.UNKNOWN);
  });
});
