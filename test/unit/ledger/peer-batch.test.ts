import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import fc from 'fast-check';
import type { ChaincodeStub } from 'fabric-shim-api';
import { contracts } from '../../../chaincode/src';
import { ScfContract } from '../../../chaincode/src/contracts/base';
import { batchingOf, installPeerBatching, MESSAGE, parseReadyPayload, watchReady, type PeerBatching } from '../../../chaincode/src/ledger/peer-batch';
import { flushWrites, Store } from '../../../chaincode/src/ledger/store';
import { readyMessage, shimMessage, type ShimChaincodeMessage } from '../../support/peer-batching';

// The enum for the types fabric-shim's own protos know; MESSAGE for the two they do not (see peer-batch.ts).
const T = peer.ChaincodeMessage.Type;
const NAMES = new Map([...Object.entries(T), ...Object.entries(MESSAGE)].map(([name, n]) => [n as number, name]));

const fromShim = createRequire(require.resolve('fabric-shim'));
/** fabric-shim's own handler, the one a chaincode server runs for each peer stream. */
const { ChaincodeMessageHandler } = fromShim('./lib/handler.js') as {
  ChaincodeMessageHandler: new (stream: unknown, chaincode: unknown) => { chat(starter: unknown): void };
};
/** The handler's logger: it reports every failed transaction at error, which these tests cause on purpose. */
const handlerLogger = (fromShim('./lib/logger.js') as { getLogger(name: string): { silent: boolean } }).getLogger('lib/handler.js');

type Body = (stub: ChaincodeStub) => Promise<void>;

interface PeerOptions {
  /** READY's offer; undefined: an empty payload, as a Fabric 2.x peer sends. */
  offer?: PeerBatching;
  /** Answer WRITE_BATCH_STATE with this ERROR. */
  failBatch?: string;
  /** Answer GET_STATE_MULTIPLE with no values at all (what Fabric 3.1 does on a database error). */
  dropValues?: boolean;
}

/**
 * A peer on the other end of fabric-shim's stream: it registers the
 * chaincode, sends READY, runs one transaction and answers the chaincode's
 * state messages the way Fabric's handler does (reads see committed state,
 * writes go to the transaction's write set, applied when it completes).
 */
class FakePeer {
  readonly sent: string[] = [];
  readonly multiReads: string[][] = [];
  readonly batches: Array<Array<[string, string | null]>> = [];
  private readonly stream = new EventEmitter() as EventEmitter & { write(msg: ShimChaincodeMessage): void; end(): void };
  private readonly writes = new Map<string, Uint8Array | null>();
  private done?: (r: { status: number; message: string }) => void;

  constructor(
    readonly state: Map<string, Uint8Array>,
    private readonly options: PeerOptions,
  ) {
    this.stream.write = (msg) => setImmediate(() => this.receive(msg));
    this.stream.end = () => undefined;
  }

  async run(body: Body): Promise<{ status: number; message: string }> {
    const chaincode = {
      Init: () => ({ status: 200, message: '' }),
      async Invoke(stub: ChaincodeStub) {
        try {
          await body(stub);
          await flushWrites(stub);
          return { status: 200, message: 'OK' };
        } catch (err) {
          return { status: 500, message: (err as Error).message };
        }
      },
    };
    new ChaincodeMessageHandler(this.stream, chaincode).chat(shimMessage(T.REGISTER, new Uint8Array(0)));
    this.emit(shimMessage(T.REGISTERED, new Uint8Array(0)));
    this.emit(readyMessage(this.options.offer));
    const input = new peer.ChaincodeInput();
    input.setArgsList([Buffer.from('fn')]);
    const finished = new Promise<{ status: number; message: string }>((resolve) => (this.done = resolve));
    this.emit(shimMessage(T.TRANSACTION, input.serializeBinary(), 'tx1', 'ch'));
    return finished;
  }

  private emit(msg: ShimChaincodeMessage): void {
    this.stream.emit('data', msg);
  }

  private answer(to: ShimChaincodeMessage, payload: Uint8Array, type: number = T.RESPONSE): void {
    this.emit(shimMessage(type, payload, to.getTxid(), to.getChannelId()));
  }

  private receive(msg: ShimChaincodeMessage): void {
    const type = msg.getType();
    const payload = msg.getPayload_asU8();
    this.sent.push(NAMES.get(type) ?? String(type));
    switch (type) {
      case T.REGISTER:
        return;
      case T.GET_STATE:
        return this.answer(msg, this.state.get(peer.GetState.deserializeBinary(payload).getKey()) ?? new Uint8Array(0));
      case T.PUT_STATE: {
        const put = peer.PutState.deserializeBinary(payload);
        this.writes.set(put.getKey(), put.getValue_asU8());
        return this.answer(msg, new Uint8Array(0));
      }
      case T.DEL_STATE:
        this.writes.set(peer.DelState.deserializeBinary(payload).getKey(), null);
        return this.answer(msg, new Uint8Array(0));
      case MESSAGE.GET_STATE_MULTIPLE: {
        const keys = peer.GetStateMultiple.deserializeBinary(payload).getKeysList();
        this.multiReads.push(keys);
        const result = new peer.GetStateMultipleResult();
        if (!this.options.dropValues) result.setValuesList(keys.map((k) => this.state.get(k) ?? new Uint8Array(0)));
        return this.answer(msg, result.serializeBinary());
      }
      case MESSAGE.WRITE_BATCH_STATE: {
        if (this.options.failBatch) return this.answer(msg, Buffer.from(this.options.failBatch), T.ERROR);
        const seen: Array<[string, string | null]> = [];
        for (const rec of peer.WriteBatchState.deserializeBinary(payload).getRecList()) {
          const value = rec.getType() === MESSAGE.DEL_STATE ? null : rec.getValue_asU8();
          this.writes.set(rec.getKey(), value);
          seen.push([rec.getKey(), value && Buffer.from(value).toString('utf8')]);
        }
        this.batches.push(seen);
        return this.answer(msg, new Uint8Array(0));
      }
      case T.COMPLETED: {
        const response = peer.Response.deserializeBinary(payload);
        if (response.getStatus() === 200) {
          for (const [key, value] of this.writes) {
            if (value === null) this.state.delete(key);
            else this.state.set(key, value);
          }
        }
        this.done?.({ status: response.getStatus(), message: response.getMessage() });
        return;
      }
      default:
        throw new Error(`the fake peer does not know message ${type}`);
    }
  }
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const key = (id: string): string => `\u0000T\u0000${id}\u0000`;
const text = (state: Map<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries([...state].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

describe('ledger/peer-batch: Fabric 3.1 batched state messages through fabric-shim', () => {
  before(() => {
    installPeerBatching();
    handlerLogger.silent = true;
  });
  after(() => (handlerLogger.silent = false));

  describe('the offer in READY', () => {
    it('reads both offers and their sizes', () => {
      expect(parseReadyPayload(readyMessage({ maxWrites: 1000, maxReads: 500 }).getPayload_asU8())).to.deep.equal({ maxWrites: 1000, maxReads: 500 });
    });

    it('counts a message the peer does not offer as 0 whatever size it names', () => {
      const params = new peer.ChaincodeAdditionalParams();
      params.setUseWriteBatch(false);
      params.setMaxSizeWriteBatch(1000);
      params.setUseGetMultipleKeys(true);
      params.setMaxSizeGetMultipleKeys(7);
      expect(parseReadyPayload(params.serializeBinary())).to.deep.equal({ maxWrites: 0, maxReads: 7 });
    });

    it('finds no offer in an empty payload (Fabric 2.x) or in bytes that are not ChaincodeAdditionalParams', () => {
      expect(parseReadyPayload(new Uint8Array(0))).to.deep.equal({ maxWrites: 0, maxReads: 0 });
      expect(parseReadyPayload(Uint8Array.of(0xff, 0xff, 0xff))).to.deep.equal({ maxWrites: 0, maxReads: 0 });
    });
  });

  it('sends type 24 and 25 in a process where fabric-shim loaded its protos first, as in a chaincode server', () => {
    // fabric-shim's own fabric-protos 0.2.x then owns the shared protobuf namespace,
    // and its ChaincodeMessage.Type knows neither WRITE_BATCH_STATE nor GET_STATE_MULTIPLE.
    const child = `
      require('fabric-shim');
      const { peer } = require('@hyperledger/fabric-protos');
      const pb = require('./chaincode/src/ledger/peer-batch');
      const { readyMessage } = require('./test/support/peer-batching');
      const { EventEmitter } = require('node:events');
      const sent = [];
      const handler = {
        _stream: new EventEmitter(),
        async _askPeerAndListen(msg) {
          sent.push(Buffer.from(msg.serializeBinary()).toString('hex'));
          const result = new peer.GetStateMultipleResult();
          result.setValuesList([Buffer.from('v')]);
          return Buffer.from(result.serializeBinary());
        },
      };
      pb.watchReady(handler);
      handler._stream.emit('data', readyMessage({ maxWrites: 10, maxReads: 10 }));
      const stub = { handler, getTxID: () => 'tx', getChannelID: () => 'ch' };
      (async () => {
        await pb.getMultiple(stub, ['k']);
        await pb.writeBatch(stub, [['k', Buffer.from('v')]]);
        console.log(JSON.stringify({ enumKnows: peer.ChaincodeMessage.Type.WRITE_BATCH_STATE ?? null, sent }));
      })();`;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', child], { encoding: 'utf8' });
    const { enumKnows, sent } = JSON.parse(out) as { enumKnows: number | null; sent: string[] };
    expect(enumKnows, 'the shared enum is fabric-shim\'s copy (else this test proves nothing)').to.equal(null);
    const types = sent.map((hex) => peer.ChaincodeMessage.deserializeBinary(Buffer.from(hex, 'hex')).getType() as number);
    expect(types).to.deep.equal([MESSAGE.GET_STATE_MULTIPLE, MESSAGE.WRITE_BATCH_STATE]);
    const batch = peer.WriteBatchState.deserializeBinary(peer.ChaincodeMessage.deserializeBinary(Buffer.from(sent[1]!, 'hex')).getPayload_asU8());
    expect(batch.getRecList().map((r) => [r.getType() as number, r.getKey()])).to.deep.equal([[MESSAGE.PUT_STATE, 'k']]);
  });

  it('takes no offer on a handler without the shim internals it sends through, so the store falls back to key by key', () => {
    const stream = new EventEmitter();
    const handler = { _stream: stream } as unknown as Parameters<typeof watchReady>[0];
    watchReady(handler);
    stream.emit('data', readyMessage({ maxWrites: 1000, maxReads: 1000 }));
    const stub = { handler } as unknown as ChaincodeStub;
    expect(batchingOf(stub)).to.equal(undefined);
    expect(stream.listenerCount('data')).to.equal(0);
  });

  describe('one transaction over a fabric-shim stream', () => {
    const body: Body = async (stub) => {
      const store = new Store(stub);
      const read = await store.getMany<{ n: number }>('T', [['a'], ['b'], ['c']]);
      expect(read).to.deep.equal([{ n: 1 }, undefined, { n: 3 }]);
      await store.put('T', ['a'], { n: 10 });
      await store.put('T', ['b'], { n: 20 });
      await store.delete('T', ['c']);
      await store.put('T', ['a'], { n: 11 });
    };
    const initial = (): Map<string, Uint8Array> => new Map([[key('a'), bytes('{"n":1}')], [key('c'), bytes('{"n":3}')]]);
    const after = { [key('a')]: '{"n":11}', [key('b')]: '{"n":20}' };

    it('reads in GET_STATE_MULTIPLE and writes in WRITE_BATCH_STATE, chunked by the offer, the last write of a key winning', async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 2, maxReads: 2 } });
      expect(await p.run(body)).to.deep.equal({ status: 200, message: 'OK' });
      expect(p.sent).to.deep.equal(['REGISTER', 'GET_STATE_MULTIPLE', 'GET_STATE_MULTIPLE', 'WRITE_BATCH_STATE', 'WRITE_BATCH_STATE', 'COMPLETED']);
      expect(p.multiReads).to.deep.equal([[key('a'), key('b')], [key('c')]]);
      expect(p.batches).to.deep.equal([[[key('a'), '{"n":11}'], [key('b'), '{"n":20}']], [[key('c'), null]]]);
      expect(text(p.state)).to.deep.equal(after);
    });

    it('sends one message per key to a peer that offered nothing, with the same outcome', async () => {
      const p = new FakePeer(initial(), {});
      expect(await p.run(body)).to.deep.equal({ status: 200, message: 'OK' });
      expect(p.sent).to.deep.equal(['REGISTER', 'GET_STATE', 'GET_STATE', 'GET_STATE', 'PUT_STATE', 'PUT_STATE', 'DEL_STATE', 'PUT_STATE', 'COMPLETED']);
      expect(text(p.state)).to.deep.equal(after);
    });

    it('uses only what was offered: multi-key reads without write batches', async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 0, maxReads: 1000 } });
      expect(await p.run(body)).to.deep.equal({ status: 200, message: 'OK' });
      expect(p.sent).to.deep.equal(['REGISTER', 'GET_STATE_MULTIPLE', 'PUT_STATE', 'PUT_STATE', 'DEL_STATE', 'PUT_STATE', 'COMPLETED']);
      expect(text(p.state)).to.deep.equal(after);
    });

    it("fails the transaction with the peer's error when it refuses a batch, writing nothing", async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 1000, maxReads: 1000 }, failBatch: 'invalid key in batch' });
      expect(await p.run(body)).to.deep.equal({ status: 500, message: 'invalid key in batch' });
      expect(text(p.state)).to.deep.equal(text(initial()));
    });

    it('fails the transaction when a multi-key read comes back short, rather than reading every key as absent', async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 1000, maxReads: 1000 }, dropValues: true });
      expect(await p.run(body)).to.deep.equal({ status: 500, message: 'the peer answered 0 values for 3 keys' });
      expect(text(p.state)).to.deep.equal(text(initial()));
    });

    it('sends nothing held back when the transaction fails before its end', async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 1000, maxReads: 1000 } });
      const failing: Body = async (stub) => {
        await new Store(stub).put('T', ['z'], { n: 0 });
        throw new Error('business rule');
      };
      // The fake chaincode flushes only after a body that returned, as ScfContract.afterTransaction runs only then.
      expect(await p.run(failing)).to.deep.equal({ status: 500, message: 'business rule' });
      expect(p.sent).to.deep.equal(['REGISTER', 'COMPLETED']);
    });

    it('reads ahead in one message and answers later reads of those keys from it, skipping a ref that is no key', async () => {
      const reads: Body = async (stub) => {
        const store = new Store(stub);
        await store.readAheadOf([['T', ['a']], ['T', ['b\u0000x']], ['T', ['c']], ['T', ['a']]]);
        expect(await store.get('T', ['a'])).to.deep.equal({ n: 1 });
        expect(await store.getMany('T', [['c'], ['d'], ['a']])).to.deep.equal([{ n: 3 }, undefined, { n: 1 }]);
      };
      const batched = new FakePeer(initial(), { offer: { maxWrites: 1000, maxReads: 1000 } });
      expect(await batched.run(reads)).to.deep.equal({ status: 200, message: 'OK' });
      expect(batched.multiReads).to.deep.equal([[key('a'), key('c')], [key('d')]]);
      expect(batched.sent).to.deep.equal(['REGISTER', 'GET_STATE_MULTIPLE', 'GET_STATE_MULTIPLE', 'COMPLETED']);
      // Without the offer, reading ahead sends nothing: each key is read when asked for.
      const plain = new FakePeer(initial(), {});
      expect(await plain.run(reads)).to.deep.equal({ status: 200, message: 'OK' });
      expect(plain.sent).to.deep.equal(['REGISTER', 'GET_STATE', 'GET_STATE', 'GET_STATE', 'GET_STATE', 'COMPLETED']);
    });

    it('leaves a dry-run store writing nothing, batched or not', async () => {
      const p = new FakePeer(initial(), { offer: { maxWrites: 1000, maxReads: 1000 } });
      expect(await p.run((stub) => new Store(stub, { dryRun: true }).put('T', ['z'], { n: 0 }))).to.deep.equal({ status: 200, message: 'OK' });
      expect(p.sent).to.deep.equal(['REGISTER', 'COMPLETED']);
    });

    it('commits the same state batched or not, for any writes and any offered sizes', async () => {
      const op = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), value: fc.option(fc.nat(99), { nil: null }) });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), async (ops, maxWrites, maxReads) => {
          const write: Body = async (stub) => {
            const store = new Store(stub);
            await store.getMany('T', ['a', 'b', 'c', 'd', 'e'].map((id) => [id]));
            for (const { id, value } of ops) {
              if (value === null) await store.delete('T', [id]);
              else await store.put('T', [id], { value });
            }
          };
          const plain = new FakePeer(initial(), {});
          const batched = new FakePeer(initial(), { offer: { maxWrites, maxReads } });
          expect(await plain.run(write)).to.deep.equal({ status: 200, message: 'OK' });
          expect(await batched.run(write)).to.deep.equal({ status: 200, message: 'OK' });
          expect(text(batched.state)).to.deep.equal(text(plain.state));
          const distinct = new Set(ops.map((o) => o.id)).size;
          expect(batched.batches.map((b) => b.length)).to.deep.equal(chunkSizes(distinct, maxWrites));
          expect(batched.multiReads.map((r) => r.length)).to.deep.equal(chunkSizes(5, maxReads));
          expect(batched.sent.filter((s) => s === 'GET_STATE' || s === 'PUT_STATE' || s === 'DEL_STATE')).to.deep.equal([]);
        }),
        { numRuns: 60 },
      );
    });
  });

  it('flushes held writes after every transaction of every contract: each extends ScfContract', () => {
    expect(contracts.length).to.be.greaterThan(0);
    for (const ContractClass of contracts) expect(ContractClass.prototype, ContractClass.name).to.be.instanceOf(ScfContract);
    const own = Object.getOwnPropertyDescriptor(ScfContract.prototype, 'afterTransaction')?.value;
    expect(own).to.be.a('function');
    // None overrides it (an override would have to flush too).
    for (const ContractClass of contracts) expect(Reflect.get(ContractClass.prototype, 'afterTransaction'), ContractClass.name).to.equal(own);
  });
});

function chunkSizes(n: number, size: number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; left -= size) out.push(Math.min(size, left));
  return out;
}
