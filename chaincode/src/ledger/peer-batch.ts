import { createRequire } from 'node:module';
import { peer } from '@hyperledger/fabric-protos';
import type { ChaincodeStub } from 'fabric-shim-api';

/**
 * Fabric 3.1's batched state messages, for the Node shim that lacks them.
 *
 * Every GetState, PutState and DelState of fabric-shim is one message to the
 * peer and one answer, and a transaction's messages go one after another: a
 * full voucher transfer made thirteen or more round trips, and on a two-core
 * machine the chaincode server spent most of its CPU on them (protobuf, gRPC
 * streams, the shim's queue, garbage). Fabric 3.1 peers accept a whole
 * write set in one WRITE_BATCH_STATE and many keys in one GET_STATE_MULTIPLE,
 * and say so, with the largest batch they take, in the payload of the READY
 * message that opens the stream (ChaincodeAdditionalParams). The Go shim
 * uses them; fabric-shim 2.5.8 ignores the payload and has neither message
 * (hyperledger/fabric-chaincode-node#453, open). This module reads the
 * payload off the shim's stream and sends the two messages through the
 * shim's own per-transaction queue, so nothing else in the shim changes.
 *
 * A peer that did not offer them (Fabric 2.x, a 3.x peer whose core.yaml
 * turns `chaincode.runtimeParams` off) never receives them: it would end
 * the stream on an unknown message. Without an offer, and on the embedded
 * ledger's stub, which has no shim handler, `batchingOf` is undefined and
 * the store reads and writes key by key as before. When fabric-shim ships
 * its own support, this file goes.
 */

/** What the peer offered in READY: the most records per message, 0 when not offered. */
export interface PeerBatching {
  readonly maxWrites: number;
  readonly maxReads: number;
}

/** The ChaincodeMessage the shim's stream serializes (its grpc serializer checks `instanceof`). */
interface ShimMessage {
  getType(): number;
  getPayload_asU8(): Uint8Array;
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}

/** The parts of fabric-shim's ChaincodeMessageHandler (lib/handler.js) used here. */
export interface ShimHandler {
  _stream: {
    on(event: 'data', listener: (msg: ShimMessage) => void): unknown;
    removeListener(event: 'data', listener: (msg: ShimMessage) => void): unknown;
  };
  /** Queues a message behind the transaction's others; resolves with the answer's payload, rejects on ERROR. */
  _askPeerAndListen(msg: ShimMessage, method: string): Promise<unknown>;
}

interface ShimHandlerClass {
  prototype: { chat: (this: ShimHandler, starter: unknown) => unknown };
}

/**
 * The numbers of chaincode_shim.proto's new message types (and of the write
 * records' types), written out rather than read from
 * `peer.ChaincodeMessage.Type`: fabric-protos' generated code registers its
 * classes in one namespace per process (google-protobuf's global `proto`)
 * and the copy loaded first keeps it. In a chaincode server that copy is
 * fabric-shim's own 0.2.x, whose enum has neither type, so the enum would
 * give undefined and the message would go out as UNDEFINED, which a peer
 * answers by ending the stream. The classes this file takes from 0.3.x
 * (GetStateMultiple, WriteBatchState, WriteRecord, ChaincodeAdditionalParams)
 * exist in no other copy.
 */
export const MESSAGE = { READY: 4, PUT_STATE: 9, DEL_STATE: 10, WRITE_BATCH_STATE: 24, GET_STATE_MULTIPLE: 25 } as const;

/** fabric-shim's own copy of the protos: its message classes are the ones its stream accepts. */
const shimRequire = createRequire(require.resolve('fabric-shim'));
const shimProtos = shimRequire('@hyperledger/fabric-protos') as {
  peer: { ChaincodeMessage: new () => ShimMessage };
};

const offers = new WeakMap<object, PeerBatching>();
const PATCHED = Symbol.for('scf-ledger.peer-batch');

/** The offer of a READY payload; an empty or unreadable one offers nothing. */
export function parseReadyPayload(payload: Uint8Array): PeerBatching {
  try {
    const params = peer.ChaincodeAdditionalParams.deserializeBinary(payload);
    return {
      maxWrites: params.getUseWriteBatch() ? params.getMaxSizeWriteBatch() : 0,
      maxReads: params.getUseGetMultipleKeys() ? params.getMaxSizeGetMultipleKeys() : 0,
    };
  } catch {
    return { maxWrites: 0, maxReads: 0 };
  }
}

/**
 * Listens on a handler's stream for READY and keeps the peer's offer. A
 * handler without the shim internals this file sends through (another
 * fabric-shim than the pinned 2.5.8) gets no offer: the store then reads and
 * writes key by key rather than failing every transaction.
 */
export function watchReady(handler: ShimHandler): void {
  if (typeof handler._askPeerAndListen !== 'function' || typeof handler._stream?.on !== 'function') return;
  const onData = (msg: ShimMessage): void => {
    if (msg.getType() !== MESSAGE.READY) return;
    offers.set(handler, parseReadyPayload(msg.getPayload_asU8()));
    handler._stream.removeListener('data', onData);
  };
  handler._stream.on('data', onData);
}

/**
 * Makes every stream fabric-shim opens keep the peer's offer (once per
 * process; the chaincode's entry module calls it). The shim registers its
 * own listener first, so READY reaches it as before.
 */
export function installPeerBatching(): void {
  const shimHandler = shimRequire('./lib/handler.js') as { ChaincodeMessageHandler: ShimHandlerClass };
  const proto = shimHandler.ChaincodeMessageHandler.prototype as ShimHandlerClass['prototype'] & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const chat = proto.chat;
  if (typeof chat !== 'function') return;
  proto.chat = function (this: ShimHandler, starter: unknown): unknown {
    const result = chat.call(this, starter);
    watchReady(this);
    return result;
  };
  proto[PATCHED] = true;
}

function handlerOf(stub: ChaincodeStub): ShimHandler | undefined {
  const handler = (stub as unknown as { handler?: ShimHandler }).handler;
  return handler && typeof handler === 'object' ? handler : undefined;
}

/** What the peer this transaction runs on offered; undefined when it offered neither message. */
export function batchingOf(stub: ChaincodeStub): PeerBatching | undefined {
  const handler = handlerOf(stub);
  const offer = handler ? offers.get(handler) : undefined;
  return offer && (offer.maxWrites > 0 || offer.maxReads > 0) ? offer : undefined;
}

function message(stub: ChaincodeStub, type: number, payload: Uint8Array): ShimMessage {
  const msg = new shimProtos.peer.ChaincodeMessage();
  msg.setType(type);
  msg.setPayload(payload);
  msg.setTxid(stub.getTxID());
  msg.setChannelId(stub.getChannelID());
  return msg;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The handler to send through and the most records per message, or an error when the peer did not offer the message. */
function offered(stub: ChaincodeStub, size: keyof PeerBatching, what: string): { handler: ShimHandler; max: number } {
  const handler = handlerOf(stub);
  const max = handler ? (offers.get(handler)?.[size] ?? 0) : 0;
  if (!handler || max <= 0) throw new Error(`the peer did not offer ${what}`);
  return { handler, max };
}

/**
 * The values of `keys` in one GET_STATE_MULTIPLE per `maxReads` keys, in
 * order; an absent key reads as empty, as GetState's does. Each key joins
 * the read set as a GetState would.
 */
export async function getMultiple(stub: ChaincodeStub, keys: readonly string[]): Promise<Uint8Array[]> {
  const { handler, max } = offered(stub, 'maxReads', 'multi-key reads');
  const out: Uint8Array[] = [];
  for (const part of chunks(keys, max)) {
    const request = new peer.GetStateMultiple();
    request.setKeysList(part);
    const answer = await handler._askPeerAndListen(message(stub, MESSAGE.GET_STATE_MULTIPLE, request.serializeBinary()), 'GetStateMultiple');
    const values = peer.GetStateMultipleResult.deserializeBinary(answer as Uint8Array).getValuesList_asU8();
    // Fabric 3.1's query executor answers a database error with no values at
    // all rather than an error: reading that as "every key absent" would let a
    // check pass on a failure, so a short answer fails the transaction.
    if (values.length !== part.length) {
      throw new Error(`the peer answered ${values.length} values for ${part.length} keys`);
    }
    out.push(...values);
  }
  return out;
}

/** One write: a value to put, or null to delete the key. */
export type StateWrite = readonly [key: string, value: Uint8Array | null];

/** Sends `writes` in one WRITE_BATCH_STATE per `maxWrites` records, in order; the peer applies them as PutState and DelState. */
export async function writeBatch(stub: ChaincodeStub, writes: readonly StateWrite[]): Promise<void> {
  const { handler, max } = offered(stub, 'maxWrites', 'write batches');
  for (const part of chunks(writes, max)) {
    const batch = new peer.WriteBatchState();
    for (const [key, value] of part) {
      const record = new peer.WriteRecord();
      record.setKey(key);
      if (value === null) record.setType(MESSAGE.DEL_STATE);
      else {
        record.setType(MESSAGE.PUT_STATE);
        record.setValue(value);
      }
      batch.addRec(record);
    }
    await handler._askPeerAndListen(message(stub, MESSAGE.WRITE_BATCH_STATE, batch.serializeBinary()), 'WriteBatchState');
  }
}
