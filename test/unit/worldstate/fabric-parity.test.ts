import { createRequire } from 'node:module';
import { expect } from 'chai';
import fc from 'fast-check';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { ChaincodeStub as ShimChaincodeStub } from 'fabric-shim';
import {
  createCompositeKey,
  MemoryBackend,
  type EndorsedTransaction,
  type HistoryEntry,
  type StateBackend,
  splitCompositeKey,
  WorldState,
  type RangeQueryRecord,
  type TxContext,
  type TxInput,
} from '../../../chaincode/src/worldstate';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { bytes, committedValid, endorsed, keysOf, seed, text, TxFactory } from './helpers';

/**
 * Where the embedded world state must behave as a Hyperledger Fabric peer
 * (LevelDB state database, fabric-shim 2.5 chaincode) does. Each test names
 * the Fabric source its expectation comes from. Peer-side behaviour is taken
 * from hyperledger/fabric (2.5 / 3.x, unchanged between them); shim-side
 * behaviour is checked against the real `fabric-shim` ChaincodeStub our
 * chaincode runs on, built here from a signed proposal.
 */

type Stub = TxContext['stub'];

/** Fabric's QueryResponseGenerator.MaxResultLimit (core/chaincode/chaincode_support.go). */
const PEER_BATCH = 100;
/** core.yaml ledger.state.totalQueryLimit, the default of every sample config. */
const TOTAL_QUERY_LIMIT = 100_000;

const padded = (prefix: string, n: number, width = 4): string => `${prefix}${String(n).padStart(width, '0')}`;

function keyRange(prefix: string, count: number, width = 4): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[padded(prefix, i, width)] = 'x';
  return out;
}

/** Reads `count` results of a range, closes the iterator, then writes (a read-then-write transaction). */
const readSome =
  (start: string, end: string, count: number) =>
  async ({ stub }: { stub: Stub }): Promise<string[]> => {
    const it = await stub.getStateByRange(start, end);
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await it.next();
      if (r.done) break;
      seen.push(r.value.key);
    }
    await it.close();
    await stub.putState('seen', bytes(seen.join(',')));
    return seen;
  };

const shape = (q: RangeQueryRecord | undefined) =>
  q && { startKey: q.startKey, endKey: q.endKey, itrExhausted: q.itrExhausted, results: q.results.length };

// ---- the real fabric-shim stub, for shim-side behaviour ----

const load = createRequire(__filename);
// google-protobuf ships no types; fabric-protos uses this very Timestamp class.
const { Timestamp } = load('google-protobuf/google/protobuf/timestamp_pb.js') as {
  Timestamp: new () => { setSeconds(seconds: number): void; setNanos(nanos: number): void };
};
const RealStub = ShimChaincodeStub as unknown as new (...args: unknown[]) => ShimChaincodeStub;

/**
 * fabric-shim's own ChaincodeStub for a proposal carrying `input`'s txId,
 * time, creator and arguments, as the peer would hand it to our chaincode.
 * Its handler is never called by the methods compared here.
 */
function realShimStub(input: { txId: string; seconds: number; nanos: number; mspId: string; certificatePem: string; args: string[] }): ShimChaincodeStub {
  const time = new Timestamp();
  time.setSeconds(input.seconds);
  time.setNanos(input.nanos);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('scf');
  channelHeader.setTxId(input.txId);
  channelHeader.setTimestamp(time);
  const creator = new msp.SerializedIdentity();
  creator.setMspid(input.mspId);
  creator.setIdBytes(Buffer.from(input.certificatePem, 'utf8'));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator.serializeBinary());
  signatureHeader.setNonce(Buffer.alloc(24, 7));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('scf');
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(chaincodeId);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(Buffer.alloc(8));
  const chaincodeInput = new peer.ChaincodeInput();
  chaincodeInput.setArgsList(input.args.map((a) => Buffer.from(a, 'utf8')));
  return new RealStub({}, 'scf', input.txId, chaincodeInput, signed);
}

describe('Fabric parity of the world state (MemoryBackend)', () => {
  let alice: TestIdentity;
  let ws: WorldState;
  let txs: TxFactory;

  before(async () => {
    alice = await makeIdentity('Org1MSP', 'alice@org1.example.com');
  });

  beforeEach(() => {
    ws = new WorldState(new MemoryBackend());
    txs = new TxFactory(alice);
  });

  const validationOf = async (sim: EndorsedTransaction) =>
    (await ws.commitBlock([sim])).transactions[0]!.validationCode;

  describe('range queries as the peer records them for phantom checks', () => {
    // Fabric: core/chaincode/query_response_generator.go BuildQueryResponse keeps
    // calling iter.Next() until the pending batch holds MaxResultLimit (100) results
    // AND one more result arrives (it becomes the first of the next batch), or until
    // Next() returns nil. Each Next() goes through txmgr resultsItr.updateRangeQueryInfo
    // (core/ledger/kvledger/txmgmt/txmgr/query_executor.go), which adds the key to the
    // RangeQueryInfo and sets EndKey to it, or on nil sets ItrExhausted=true and
    // EndKey to the queried end. validation/validator.go validateRangeQuery re-runs
    // [StartKey, EndKey] inclusive when !ItrExhausted, [StartKey, EndKey) otherwise.

    it('records a range of exactly 100 results as exhausted, so an insert after the last is a phantom', async () => {
      await seed(ws, txs, keyRange('r', PEER_BATCH));
      const reader = endorsed(await ws.simulate(txs.next(), readSome('r', 's', 1)));
      // The peer's 101st Next() returned nil while filling the first batch.
      expect(shape(reader.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'r', endKey: 's', itrExhausted: true, results: 100 });
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('r9999', bytes('late'))));
      expect(await validationOf(reader)).to.equal('PHANTOM_READ_CONFLICT');
    });

    it('records the 101st result after the first batch and the 201st after the second', async () => {
      await seed(ws, txs, keyRange('r', 250));
      const firstBatch = endorsed(await ws.simulate(txs.next(), readSome('r', 's', 1)));
      expect(shape(firstBatch.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'r', endKey: 'r0100', itrExhausted: false, results: 101 });
      const secondBatch = endorsed(await ws.simulate(txs.next(), readSome('r', 's', PEER_BATCH + 1)));
      expect(shape(secondBatch.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'r', endKey: 'r0200', itrExhausted: false, results: 201 });
    });

    it('rejects as phantom a change at or before the 101st key when only the first batch was read', async () => {
      await seed(ws, txs, keyRange('r', 250));
      const gap = endorsed(await ws.simulate(txs.next(), readSome('r', 's', 1)));
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('r0099a', bytes('between #100 and #101'))));
      expect(await validationOf(gap)).to.equal('PHANTOM_READ_CONFLICT');
      // With r0099a committed, it is the 101st key, the one the peer reads ahead (r0100 is now the 102nd).
      const updated = endorsed(await ws.simulate(txs.next(), readSome('r', 's', 1)));
      expect(shape(updated.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'r', endKey: 'r0099a', itrExhausted: false, results: 101 });
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('r0099a', bytes('the 101st, changed'))));
      expect(await validationOf(updated)).to.equal('PHANTOM_READ_CONFLICT');
      // A change beyond what the peer fetched is no phantom (also checked by behaviour.suite.ts).
      const beyond = endorsed(await ws.simulate(txs.next(), readSome('r', 's', 1)));
      committedValid(
        await ws.submit(txs.next(), async ({ stub }) => {
          await stub.putState('r0100', bytes('the 102nd, changed'));
          await stub.putState('r0100a', bytes('after #102'));
        }),
      );
      expect(await validationOf(beyond)).to.equal('VALID');
    });

    // Guards (behaviour that matches Fabric today and had no test).

    it("does not count the transaction's own writes into the range it read as phantoms", async () => {
      // validator.go validates each tx against committed state plus the updates of *earlier* valid txs only.
      await seed(ws, txs, { 'inv-1': 'a' });
      const sim = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => {
          const keys = await keysOf(stub.getStateByRange('inv-', 'inv.'));
          await stub.putState('inv-2', bytes('b'));
          await stub.deleteState('inv-1');
          return keys;
        }),
      );
      expect(await validationOf(sim)).to.equal('VALID');
      expect(text((await ws.getCommittedState('inv-2'))!.value)).to.equal('b');
      expect(await ws.getCommittedState('inv-1')).to.equal(undefined);
    });

    it('sees a delete by an earlier valid transaction of the same block as a phantom', async () => {
      // combined_iterator.go merges the block's pending updates (deletes included) over the state db.
      await seed(ws, txs, { 'inv-1': 'a', 'inv-2': 'b' });
      const deleter = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.deleteState('inv-2')));
      const reader = endorsed(await ws.simulate(txs.next(), readSome('inv-', 'inv.', 10)));
      const commit = await ws.commitBlock([deleter, reader]);
      expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'PHANTOM_READ_CONFLICT']);
    });

    it('sees no phantom when earlier transactions of the block insert and then delete the same key', async () => {
      // The block's update batch keeps the last write of a key: a delete of a key absent from
      // the state db leaves the combined iterator's answer unchanged.
      await seed(ws, txs, { 'inv-1': 'a' });
      const reader = endorsed(await ws.simulate(txs.next(), readSome('inv-', 'inv.', 10)));
      const insert = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.putState('inv-5', bytes('tmp'))));
      const remove = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.deleteState('inv-5')));
      const commit = await ws.commitBlock([insert, remove, reader]);
      expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'VALID', 'VALID']);
    });
  });

  describe('key history', () => {
    // Guard. Fabric: core/ledger/kvledger/history/db.go Commit adds a history record for every
    // write of every valid transaction, a delete of a key that never existed included;
    // query_executer.go returns them newest to oldest with IsDelete from IsKVWriteDelete.
    it('keeps a history entry for the delete of a key that never existed, and none for an invalid transaction', async () => {
      const gone = committedValid(await ws.submit(txs.next(), ({ stub }) => stub.deleteState('never-written')));
      await seed(ws, txs, { counter: '0' });
      const bump = (label: string) => async ({ stub }: { stub: Stub }) => {
        await stub.getState('counter');
        await stub.putState('never-written', bytes(label));
      };
      const first = endorsed(await ws.simulate(txs.next(), bump('A')));
      const second = endorsed(await ws.simulate(txs.next(), bump('B')));
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('counter', bytes('1'))));
      expect((await ws.commitBlock([first, second])).transactions.map((t) => t.validationCode)).to.deep.equal([
        'MVCC_READ_CONFLICT',
        'MVCC_READ_CONFLICT',
      ]);
      const history = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => {
          const out: { txId: string; isDelete: boolean; value: string }[] = [];
          for await (const m of stub.getHistoryForKey('never-written')) out.push({ txId: m.txId, isDelete: m.isDelete, value: text(m.value) });
          return out;
        }),
      );
      expect(history.result).to.deep.equal([{ txId: gone.txId, isDelete: true, value: '' }]);
    });
  });

  describe('paginated queries as the peer records them', () => {
    // Fabric: with pagination BuildQueryResponse stops as soon as totalReturnCount reaches
    // pageSize ("prevent the Next() being called"), so a page that is full never sees the
    // nil Next(): RangeQueryInfo stays ItrExhausted=false with EndKey = the page's last
    // key, even when that key is the last one of the range. The bookmark comes from
    // stateleveldb kvScanner.GetBookmarkAndClose (the next key, or "").
    it('records a full page that ends the range as not exhausted, covering the page only', async () => {
      await seed(ws, txs, { p1: '1', p2: '2', p3: '3', q: '4' });
      const reader = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => {
          const { iterator, metadata } = await stub.getStateByRangeWithPagination('p', 'q', 3);
          const keys: string[] = [];
          for (let r = await iterator.next(); !r.done; r = await iterator.next()) keys.push(r.value.key);
          await iterator.close();
          return { keys, bookmark: metadata.bookmark };
        }),
      );
      expect(reader.result).to.deep.equal({ keys: ['p1', 'p2', 'p3'], bookmark: '' });
      expect(shape(reader.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'p', endKey: 'p3', itrExhausted: false, results: 3 });
      // A read-only transaction may still be submitted: an insert past the page is no phantom on a peer.
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('p4', bytes('4'))));
      expect(await validationOf(reader)).to.equal('VALID');
    });
  });

  describe('query limits', () => {
    // Fabric: handler.go calculateTotalReturnLimit uses TotalQueryLimit (core.yaml
    // ledger.state.totalQueryLimit, 100000 in every sample config and documented in
    // docs/source/performance.md "Total query limit"); BuildQueryResponse ends the query
    // (HasMore=false) once that many results were returned, silently.
    it('ends a range query after totalQueryLimit results, as the peer does', async function () {
      this.timeout(120_000);
      await seed(ws, txs, keyRange('k', TOTAL_QUERY_LIMIT + 1, 6));
      const sim = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => {
          let count = 0;
          let last = '';
          for await (const kv of stub.getStateByRange('k', 'l')) {
            count++;
            last = kv.key;
          }
          return { count, last };
        }),
      );
      const last = padded('k', TOTAL_QUERY_LIMIT - 1, 6);
      expect(sim.result).to.deep.equal({ count: TOTAL_QUERY_LIMIT, last });
      // The peer never called Next() past the limit: the range is recorded up to the last key handed out.
      expect(shape(sim.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'k', endKey: last, itrExhausted: false, results: TOTAL_QUERY_LIMIT });
    });

    // calculateTotalReturnLimit: a pageSize above TotalQueryLimit is cut to it; the bookmark is
    // still the next key (kvScanner.GetBookmarkAndClose).
    it('caps a page at totalQueryLimit results, with the next key as bookmark', async function () {
      this.timeout(120_000);
      await seed(ws, txs, keyRange('k', TOTAL_QUERY_LIMIT + 1, 6));
      const sim = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => {
          const { iterator, metadata } = await stub.getStateByRangeWithPagination('k', 'l', 2 * TOTAL_QUERY_LIMIT);
          let count = 0;
          for (let r = await iterator.next(); !r.done; r = await iterator.next()) count++;
          await iterator.close();
          return { count, metadata };
        }),
      );
      const last = padded('k', TOTAL_QUERY_LIMIT - 1, 6);
      expect(sim.result).to.deep.equal({
        count: TOTAL_QUERY_LIMIT,
        metadata: { fetchedRecordsCount: TOTAL_QUERY_LIMIT, bookmark: padded('k', TOTAL_QUERY_LIMIT, 6) },
      });
      expect(shape(sim.rwset.rangeQueries[0])).to.deep.equal({ startKey: 'k', endKey: last, itrExhausted: false, results: TOTAL_QUERY_LIMIT });
    });

    // handler.go HandleGetHistoryForKey builds its response with calculateTotalReturnLimit(nil) too.
    it('ends a history query after totalQueryLimit entries, newest first', async () => {
      const entries: HistoryEntry[] = [];
      for (let n = TOTAL_QUERY_LIMIT; n >= 0; n--) {
        entries.push({ key: 'h', blockNumber: n, txIndex: 0, txId: `tx-h${n}`, timestamp: { seconds: n, nanos: 0 }, isDelete: false, value: bytes('v') });
      }
      const memory = new MemoryBackend();
      const longHistory: StateBackend = {
        getState: (key) => memory.getState(key),
        rangeScan: (start, end, limit) => memory.rangeScan(start, end, limit),
        getHistory: (key) => (key === 'h' ? Promise.resolve(entries) : memory.getHistory(key)),
        applyBlock: (commit) => memory.applyBlock(commit),
        getBlock: (n) => memory.getBlock(n),
        getLastBlock: () => memory.getLastBlock(),
        getTxStatus: (txId) => memory.getTxStatus(txId),
        getEvents: (from, after, limit) => memory.getEvents(from, after, limit),
      };
      const sim = endorsed(
        await new WorldState(longHistory).simulate(txs.next(), async ({ stub }) => {
          const txIds: string[] = [];
          for await (const m of stub.getHistoryForKey('h')) txIds.push(m.txId);
          return { count: txIds.length, first: txIds[0], last: txIds[txIds.length - 1] };
        }),
      );
      expect(sim.result).to.deep.equal({ count: TOTAL_QUERY_LIMIT, first: `tx-h${TOTAL_QUERY_LIMIT}`, last: 'tx-h1' });
    });
  });

  describe('keys', () => {
    // fabric-shim 2.5.8 lib/stub.js validateCompositeKeyAttribute only refuses a part that is
    // not a non-empty string; U+0000 and U+10FFFF inside a part are accepted (only the Go
    // shim refuses them). Our chaincode runs on fabric-shim.
    it('builds composite keys from parts containing U+0000 or U+10FFFF as fabric-shim does', async () => {
      const real = realShimStub({ txId: 't', seconds: 1, nanos: 0, mspId: alice.mspId, certificatePem: alice.certificatePem, args: [] });
      const parts: [string, string[]][] = [
        ['T', ['a\u0000b']],
        ['T', ['a\u{10FFFF}']],
        ['T\u0000X', ['a']],
      ];
      const sim = endorsed(
        await ws.simulate(txs.next(), ({ stub }) =>
          parts.map(([type, attrs]) => {
            try {
              return stub.createCompositeKey(type, attrs);
            } catch (err) {
              return `threw: ${(err as Error).message}`;
            }
          }),
        ),
      );
      expect(sim.result).to.deep.equal(parts.map(([type, attrs]) => real.createCompositeKey(type, attrs)));
      // Consequence on a peer: ['a\u0000b'] and ['a', 'b'] are the same key.
      expect(real.createCompositeKey('T', ['a\u0000b'])).to.equal(real.createCompositeKey('T', ['a', 'b']));
    });

    // Fabric: fabric-shim putState/deleteState pass any key through; core/chaincode/handler.go
    // putState/delState and txmgr txSimulator.checkWritePrecondition do not check it, and
    // statedb/stateleveldb ValidateKeyValue returns nil. Only the Go shim refuses "".
    it('writes, deletes and reads back the empty key as a LevelDB peer with fabric-shim does', async () => {
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('', bytes('v'))));
      const read = endorsed(
        await ws.simulate(txs.next(), async ({ stub }) => ({
          value: text(await stub.getState('')),
          // An empty start key is replaced by \u0001 (shim EMPTY_KEY_SUBSTITUTE): the empty key is never in a range.
          all: await keysOf(stub.getStateByRange('', '')),
        })),
      );
      expect(read.result).to.deep.equal({ value: 'v', all: [] });
      committedValid(await ws.submit(txs.next(), ({ stub }) => stub.deleteState('')));
      expect(await ws.getCommittedState('')).to.equal(undefined);
    });

    // Guards: our composite-key helpers against fabric-shim's own, for any input it accepts.
    it('creates and splits composite keys exactly as fabric-shim does', () => {
      const real = realShimStub({ txId: 't', seconds: 1, nanos: 0, mspId: alice.mspId, certificatePem: alice.certificatePem, args: [] });
      const unit = fc.oneof(
        fc.constantFrom('a', 'Z', '\u0001', '\u00e9', '\uFFFD', '\u{1F600}', '\u{10FFFD}'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
      );
      const part = fc.string({ unit, minLength: 1, maxLength: 6 }).filter((s) => !s.includes('\u0000') && !s.includes('\u{10FFFF}'));
      fc.assert(
        fc.property(part, fc.array(part, { maxLength: 4 }), (type, attrs) => {
          expect(createCompositeKey(type, attrs)).to.equal(real.createCompositeKey(type, attrs));
        }),
      );
      const anyKey = fc.string({ unit: fc.oneof(unit, fc.constant('\u0000')), maxLength: 10 });
      fc.assert(
        fc.property(anyKey, (key) => {
          expect(splitCompositeKey(key)).to.deep.equal(real.splitCompositeKey(key));
        }),
      );
    });
  });

  describe('transaction context against fabric-shim ChaincodeStub', () => {
    const compare = async (input: TxInput & { timestamp: { seconds: number; nanos: number } }) => {
      const args = [input.fnName ?? '', ...(input.args ?? [])];
      const real = realShimStub({
        txId: input.txId,
        seconds: input.timestamp.seconds,
        nanos: input.timestamp.nanos,
        mspId: input.creator.mspId,
        certificatePem: input.creator.certificatePem,
        args,
      });
      const ours = endorsed(await ws.simulate(input, ({ stub }) => stub)).result;
      return { ours, real };
    };

    // fabric-shim lib/stub.js: this.creator = {mspid, idBytes: creator.getIdBytes_asU8()},
    // a plain Uint8Array, whose toString() is a list of numbers, not the PEM text.
    it('gives the creator idBytes as a plain Uint8Array, as fabric-shim does', async () => {
      const { ours, real } = await compare({ ...txs.next(), timestamp: { seconds: 1_714_550_400, nanos: 0 } });
      const mine = ours.getCreator();
      const theirs = real.getCreator();
      expect(mine.mspid).to.equal(theirs.mspid);
      expect(Buffer.from(mine.idBytes).equals(Buffer.from(theirs.idBytes))).to.equal(true);
      const seen = (b: Uint8Array) => ({ buffer: Buffer.isBuffer(b), toString: String(b).slice(0, 16) });
      expect(seen(mine.idBytes)).to.deep.equal(seen(theirs.idBytes));
    });

    // fabric-shim getDateTimestamp() is google-protobuf Timestamp.toDate():
    // new Date(seconds * 1000 + nanos / 1000000), a float that rounds to the next
    // millisecond when the sub-millisecond part is within ~120 ns of it.
    it('gives getDateTimestamp() the instant fabric-shim gives, including its rounding', async () => {
      for (const nanos of [0, 123_456_789, 999_999_999, 999_999_900]) {
        const { ours, real } = await compare({ ...txs.next(), timestamp: { seconds: 1_714_550_400, nanos } });
        expect(ours.getDateTimestamp().toISOString(), `nanos ${nanos}`).to.equal(real.getDateTimestamp().toISOString());
      }
    });

    // fabric-shim lib/stub.js setEvent hands the payload to google-protobuf's
    // ChaincodeEvent.setPayload, which takes a string as base64, not as UTF-8 text.
    it('sends a string event payload the way fabric-shim does', async () => {
      const payload = 'VoucherIssued';
      const real = new peer.ChaincodeEvent();
      real.setEventName('E');
      real.setPayload(payload);
      const onPeer = Buffer.from(peer.ChaincodeEvent.deserializeBinary(real.serializeBinary()).getPayload_asU8());
      const sim = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.setEvent('E', payload as unknown as Uint8Array)));
      expect(Buffer.from(sim.event!.payload).toString('hex')).to.equal(onPeer.toString('hex'));
    });

    // The same for any string: google-protobuf's base64 reading (both alphabets, padding, whitespace)
    // and its error for other characters, which on fabric-shim fails the transaction once the
    // chaincode has returned (handler.js serialises the event for the COMPLETED message).
    it('reads any string event payload as google-protobuf does, failing the transaction where it throws', async () => {
      const char = fc.oneof(
        fc.constantFrom('A', 'z', '0', '+', '/', '-', '_', '=', '.', ' ', '\n', '\u00a0', '*', '\u00e9'),
        fc.string({ minLength: 1, maxLength: 1 }),
      );
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: char, maxLength: 16 }), async (payload) => {
          let onPeer: { hex: string } | { error: string };
          try {
            const real = new peer.ChaincodeEvent();
            real.setEventName('E');
            real.setPayload(payload);
            onPeer = { hex: Buffer.from(peer.ChaincodeEvent.deserializeBinary(real.serializeBinary()).getPayload_asU8()).toString('hex') };
          } catch (err) {
            onPeer = { error: (err as Error).message };
          }
          const sim = await ws.simulate(txs.next(), ({ stub }) => stub.setEvent('E', payload as unknown as Uint8Array));
          const ours = sim.status === 'ENDORSED' ? { hex: Buffer.from(sim.event!.payload).toString('hex') } : { error: sim.error.message };
          expect(ours).to.deep.equal(onPeer);
        }),
        { numRuns: 300 },
      );
    });

    it('keeps a byte payload as it is, and only the last event of a transaction', async () => {
      const sim = endorsed(
        await ws.simulate(txs.next(), ({ stub }) => {
          stub.setEvent('First', 'not base64!' as unknown as Uint8Array);
          stub.setEvent('E', bytes('VoucherIssued'));
        }),
      );
      expect({ name: sim.event!.name, payload: text(sim.event!.payload) }).to.deep.equal({ name: 'E', payload: 'VoucherIssued' });
    });

    // Guard: the rest of the context, field by field against the real stub.
    it('gives tx id, channel, arguments and tx timestamp exactly as fabric-shim does', async () => {
      const { ours, real } = await compare({
        ...txs.next({ fnName: 'voucher:Transfer', args: ['{"id":"VCH-1"}', 'ü\u{1F600}'] }),
        timestamp: { seconds: 1_714_550_415, nanos: 123_456_789 },
      });
      expect(ours.getTxID()).to.equal(real.getTxID());
      expect(ours.getChannelID()).to.equal(real.getChannelID());
      expect(ours.getArgs()).to.deep.equal(real.getArgs());
      expect(ours.getStringArgs()).to.deep.equal(real.getStringArgs());
      expect(ours.getFunctionAndParameters()).to.deep.equal(real.getFunctionAndParameters());
      // fabric-shim's d.ts omits getBufferArgs, which lib/stub.js has.
      expect(ours.getBufferArgs()).to.deep.equal((real as unknown as { getBufferArgs(): Buffer[] }).getBufferArgs());
      const [mine, theirs] = [ours.getTxTimestamp(), real.getTxTimestamp()];
      expect({ seconds: mine.seconds.toString(), unsigned: mine.seconds.unsigned, nanos: mine.nanos }).to.deep.equal({
        seconds: theirs.seconds.toString(),
        unsigned: theirs.seconds.unsigned,
        nanos: theirs.nanos,
      });
    });
  });
});
