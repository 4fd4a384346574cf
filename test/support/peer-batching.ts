import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { peer } from '@hyperledger/fabric-protos';
import type { ChaincodeStub } from 'fabric-shim-api';
import { MESSAGE, watchReady, type PeerBatching, type ShimHandler } from '../../chaincode/src/ledger/peer-batch';

/** fabric-shim's own protos: the ChaincodeMessage class its handler reads and writes. */
export const shimProtos = createRequire(require.resolve('fabric-shim'))('@hyperledger/fabric-protos') as {
  peer: { ChaincodeMessage: new () => ShimChaincodeMessage };
};

export interface ShimChaincodeMessage {
  getType(): number;
  getPayload_asU8(): Uint8Array;
  getTxid(): string;
  getChannelId(): string;
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}

export function shimMessage(type: number, payload: Uint8Array, txId = '', channelId = ''): ShimChaincodeMessage {
  const msg = new shimProtos.peer.ChaincodeMessage();
  msg.setType(type);
  msg.setPayload(payload);
  msg.setTxid(txId);
  msg.setChannelId(channelId);
  return msg;
}

/** READY as a Fabric 3.1 peer sends it; without an offer, as a 2.x peer does (an empty payload). */
export function readyMessage(offer?: PeerBatching): ShimChaincodeMessage {
  const params = new peer.ChaincodeAdditionalParams();
  if (offer) {
    params.setUseWriteBatch(offer.maxWrites > 0);
    params.setMaxSizeWriteBatch(offer.maxWrites);
    params.setUseGetMultipleKeys(offer.maxReads > 0);
    params.setMaxSizeGetMultipleKeys(offer.maxReads);
  }
  return shimMessage(MESSAGE.READY, offer ? params.serializeBinary() : new Uint8Array(0));
}

/** What the chaincode asked of its state, message by message. */
export interface PeerTraffic {
  /** GET_STATE_MULTIPLE messages, each with its keys. */
  multiReads: string[][];
  /** WRITE_BATCH_STATE messages, each with its records ([key, value or null for a delete]). */
  batches: Array<Array<[string, string | null]>>;
  /** putState / deleteState calls the chaincode made one by one. */
  singleWrites: number;
  /** getState calls the chaincode made one by one. */
  singleReads: number;
}

export function emptyTraffic(): PeerTraffic {
  return { multiReads: [], batches: [], singleWrites: 0, singleReads: 0 };
}

/**
 * `stub` as a chaincode sees it on a Fabric 3.1 peer that offered `offer`:
 * its `handler` is a stand-in for fabric-shim's, told the offer by a READY
 * message on its stream (so peer-batch.ts learns it the way it does in a
 * chaincode server), and it serves GET_STATE_MULTIPLE and WRITE_BATCH_STATE
 * from the stub's own state, the way the peer's handler does: each key is a
 * GetState, each record a PutState or DelState. A batch larger than the
 * offer, or any other message, fails the transaction.
 */
export function withPeerBatching(stub: ChaincodeStub, offer: PeerBatching, traffic: PeerTraffic): ChaincodeStub {
  const handler: ShimHandler = {
    _stream: new EventEmitter(),
    async _askPeerAndListen(msg, method) {
      const payload = msg.getPayload_asU8();
      if (msg.getType() === MESSAGE.GET_STATE_MULTIPLE && method === 'GetStateMultiple') {
        const keys = peer.GetStateMultiple.deserializeBinary(payload).getKeysList();
        if (keys.length > offer.maxReads) throw new Error(`${keys.length} keys in one read, more than the ${offer.maxReads} offered`);
        traffic.multiReads.push(keys);
        const result = new peer.GetStateMultipleResult();
        result.setValuesList(await Promise.all(keys.map((key) => stub.getState(key))));
        return Buffer.from(result.serializeBinary());
      }
      if (msg.getType() === MESSAGE.WRITE_BATCH_STATE && method === 'WriteBatchState') {
        const records = peer.WriteBatchState.deserializeBinary(payload).getRecList();
        if (records.length > offer.maxWrites) throw new Error(`${records.length} records in one batch, more than the ${offer.maxWrites} offered`);
        const seen: Array<[string, string | null]> = [];
        for (const rec of records) {
          if (rec.getType() === MESSAGE.PUT_STATE) {
            await stub.putState(rec.getKey(), rec.getValue_asU8());
            seen.push([rec.getKey(), Buffer.from(rec.getValue_asU8()).toString('utf8')]);
          } else if (rec.getType() === MESSAGE.DEL_STATE) {
            await stub.deleteState(rec.getKey());
            seen.push([rec.getKey(), null]);
          } else throw new Error(`unexpected record type ${rec.getType()}`);
        }
        traffic.batches.push(seen);
        return Buffer.alloc(0);
      }
      throw new Error(`unexpected message ${msg.getType()} (${method})`);
    },
  };
  watchReady(handler);
  (handler._stream as EventEmitter).emit('data', readyMessage(offer));
  return new Proxy(stub, {
    get(target, prop) {
      if (prop === 'handler') return handler;
      if (prop === 'putState' || prop === 'deleteState') traffic.singleWrites += 1;
      if (prop === 'getState') traffic.singleReads += 1;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
