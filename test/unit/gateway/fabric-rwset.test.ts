import { common, gateway, ledger, peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { endorsementWriteKeys, endorsementWritesNothing } from '../../../gateway/src/ledger/fabric/rwset';

const { rwset } = ledger;

/** Builds PreparedTransaction bytes the way a peer's endorsement shapes them. */
function prepared(opts: { writes?: string[]; reads?: string[]; event?: string; hashedWrite?: boolean }): Uint8Array {
  const kv = new rwset.kvrwset.KVRWSet();
  for (const key of opts.reads ?? []) {
    const r = new rwset.kvrwset.KVRead();
    r.setKey(key);
    kv.addReads(r);
  }
  for (const key of opts.writes ?? []) {
    const w = new rwset.kvrwset.KVWrite();
    w.setKey(key);
    w.setValue(Buffer.from('v'));
    kv.addWrites(w);
  }
  const ns = new rwset.NsReadWriteSet();
  ns.setNamespace('scf');
  ns.setRwset(kv.serializeBinary());
  if (opts.hashedWrite) {
    const hashed = new rwset.kvrwset.HashedRWSet();
    const hw = new rwset.kvrwset.KVWriteHash();
    hw.setKeyHash(Buffer.from('k'));
    hashed.addHashedWrites(hw);
    const coll = new rwset.CollectionHashedReadWriteSet();
    coll.setCollectionName('private');
    coll.setHashedRwset(hashed.serializeBinary());
    ns.addCollectionHashedRwset(coll);
  }
  const tx = new rwset.TxReadWriteSet();
  tx.addNsRwset(ns);
  const action = new peer.ChaincodeAction();
  action.setResults(tx.serializeBinary());
  if (opts.event) {
    const ev = new peer.ChaincodeEvent();
    ev.setEventName(opts.event);
    action.setEvents(ev.serializeBinary());
  }
  const prp = new peer.ProposalResponsePayload();
  prp.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(prp.serializeBinary());
  const cap = new peer.ChaincodeActionPayload();
  cap.setAction(endorsed);
  const txAction = new peer.TransactionAction();
  txAction.setPayload(cap.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.addActions(txAction);
  const payload = new common.Payload();
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  const p = new gateway.PreparedTransaction();
  p.setTransactionId('tx');
  p.setEnvelope(envelope);
  return p.serializeBinary();
}

describe('fabric connector: endorsements that change nothing', () => {
  it('recognises a read-only endorsement (reads, no writes, no event)', () => {
    expect(endorsementWritesNothing(prepared({ reads: ['\u0000REQ\u0000m\u0000r\u0000'] }))).to.equal(true);
  });

  it('sees a state write', () => {
    expect(endorsementWritesNothing(prepared({ writes: ['\u0000VCH\u0000VCH-1\u0000'] }))).to.equal(false);
  });

  it('sees a chaincode event even without writes', () => {
    expect(endorsementWritesNothing(prepared({ event: 'VoucherTransferred' }))).to.equal(false);
  });

  it('sees a private-data write', () => {
    expect(endorsementWritesNothing(prepared({ hashedWrite: true }))).to.equal(false);
  });

  it('treats bytes it cannot read as a write (orders them as usual)', () => {
    expect(endorsementWritesNothing(Buffer.from('not a protobuf at all, really'))).to.equal(false);
  });
});

describe('fabric connector: the keys an endorsement writes (conflict lanes\' hot keys)', () => {
  it('names each written key under its namespace, and a private write by collection and key hash; reads are not writes', () => {
    const keys = endorsementWriteKeys(prepared({ reads: ['\u0000MEMBER\u0000m1\u0000'], writes: ['\u0000CRL\u0000L1\u0000', '\u0000FIN\u0000F1\u0000'], hashedWrite: true }));
    expect(keys).to.deep.equal(['scf\u0000\u0000CRL\u0000L1\u0000', 'scf\u0000\u0000FIN\u0000F1\u0000', `scf\u0000private\u0000${Buffer.from('k').toString('hex')}`]);
  });

  it('answers no keys for a read-only endorsement, and undefined for bytes it cannot read', () => {
    expect(endorsementWriteKeys(prepared({ reads: ['\u0000REQ\u0000m\u0000r\u0000'], event: 'X' }))).to.deep.equal([]);
    expect(endorsementWriteKeys(Buffer.from('not a protobuf at all, really'))).to.equal(undefined);
  });
});
