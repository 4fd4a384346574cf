import type {
  ChaincodeProposal,
  ChaincodeResponse,
  ChaincodeStub,
  Iterators,
  SerializedIdentity,
  SplitCompositekey,
  StateQueryResponse,
  Timestamp,
} from 'fabric-shim-api';
import Long from 'long';
import { createCompositeKey, partialCompositeKeyRange, splitCompositeKey } from './composite-key';
import {
  asyncIterablePromise,
  BatchedIterator,
  rejectedQuery,
  type QueryKeyModification,
  type QueryKV,
} from './iterators';
import { assertValidKey } from './keys';
import { PeerRangeQuery, recordFetched, TOTAL_QUERY_LIMIT } from './range-query';
import type { RwsetBuilder } from './rwset';
import { protobufTimestampToDate } from './timestamp';
import type { StateBackend, StateEntry, TxTimestamp } from './types';

const EMPTY_KEY_SUBSTITUTE = '\u0001';
const COMPOSITE_KEY_NAMESPACE = '\u0000';

export interface StubInit {
  readonly txId: string;
  readonly channelId: string;
  readonly timestamp: TxTimestamp;
  readonly mspId: string;
  readonly certificatePem: string;
  /** The full argument list: the function name first, as Fabric passes it. */
  readonly args: readonly string[];
  readonly backend: StateBackend;
  readonly rwset: RwsetBuilder;
  /**
   * The proposal's transient map: given to the chaincode at endorsement
   * (getTransient), never part of the transaction that is ordered, so never
   * in a block, the state or the history.
   */
  readonly transient?: ReadonlyMap<string, Uint8Array>;
}

type StateIterable = Promise<Iterators.StateQueryIterator> & AsyncIterable<Iterators.KV>;
type PagedStateIterable = Promise<StateQueryResponse<Iterators.StateQueryIterator>> & AsyncIterable<Iterators.KV>;
type HistoryIterable = Promise<Iterators.HistoryQueryIterator> & AsyncIterable<Iterators.KeyModification>;

const toQueryKVs = (rows: readonly StateEntry[]): QueryKV[] => rows.map((r) => ({ key: r.key, value: Buffer.from(r.value) }));

/** For iterators whose results were all fetched at once. */
const noMore = (): Promise<undefined> => Promise.resolve(undefined);

/** Runs `fn` now and reports its outcome as a promise, so a throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function unsupported(what: string): Error {
  return new Error(`${what} is not supported by the embedded world state`);
}

/** fabric-shim refuses simple-key ranges that reach into the composite-key namespace. */
function validateSimpleKeys(...keys: string[]): void {
  for (const key of keys) {
    if (key.startsWith(COMPOSITE_KEY_NAMESPACE)) {
      throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
    }
  }
}

/**
 * The ChaincodeStub of one simulated transaction, with Fabric's semantics:
 * reads see committed state only (no read-your-writes), a missing key reads as
 * empty bytes, an empty value is a delete, ranges are half-open in UTF-8 byte
 * order, range results are recorded for phantom detection, and only the last
 * setEvent counts. Once the transaction is over every call fails.
 */
export class WorldStateStub implements ChaincodeStub {
  private active = true;

  constructor(private readonly init: StubInit) {}

  /** Ends the transaction: later calls (e.g. from a leaked iterator) fail. */
  finish(): void {
    this.active = false;
  }

  private guard(): void {
    if (!this.active) throw new Error(`transaction ${this.init.txId} is no longer active`);
  }

  // ---- identity, arguments, time ----

  getArgs(): string[] {
    return [...this.init.args];
  }

  getStringArgs(): string[] {
    return [...this.init.args];
  }

  getBufferArgs(): Buffer[] {
    return this.init.args.map((a) => Buffer.from(a, 'utf8'));
  }

  getFunctionAndParameters(): { params: string[]; fcn: string } {
    const [fcn, ...params] = this.init.args;
    return fcn === undefined ? { fcn: '', params: [] } : { fcn, params };
  }

  getTxID(): string {
    return this.init.txId;
  }

  getChannelID(): string {
    return this.init.channelId;
  }

  /** idBytes is a plain Uint8Array, not a Buffer, as fabric-shim gives (`getIdBytes_asU8()`). */
  getCreator(): SerializedIdentity {
    return { mspid: this.init.mspId, idBytes: new Uint8Array(Buffer.from(this.init.certificatePem, 'utf8')) };
  }

  getMspID(): string {
    // fabric-shim reads the peer's MSP id from CORE_PEER_LOCALMSPID; there is no peer here.
    throw unsupported('getMspID');
  }

  /** A copy of the proposal's transient map (empty when it had none), each value a Buffer as fabric-shim gives. */
  getTransient(): Map<string, Uint8Array> {
    return new Map([...(this.init.transient ?? new Map<string, Uint8Array>())].map(([k, v]) => [k, Buffer.from(v)]));
  }

  getSignedProposal(): ChaincodeProposal.SignedProposal {
    throw unsupported('getSignedProposal');
  }

  /** `{seconds: Long (unsigned), nanos}`, exactly as fabric-shim returns it. */
  getTxTimestamp(): Timestamp {
    return { seconds: Long.fromNumber(this.init.timestamp.seconds, true), nanos: this.init.timestamp.nanos };
  }

  /** google-protobuf's Timestamp.toDate(), as fabric-shim returns it, rounding included. */
  getDateTimestamp(): Date {
    return protobufTimestampToDate(this.init.timestamp);
  }

  getBinding(): string {
    throw unsupported('getBinding');
  }

  // ---- state ----

  async getState(key: string): Promise<Uint8Array> {
    this.guard();
    assertValidKey(key);
    const found = await this.init.backend.getState(key);
    this.init.rwset.addRead(key, found?.version ?? null);
    return found ? Buffer.from(found.value) : Buffer.alloc(0);
  }

  putState(key: string, value: Uint8Array | string): Promise<void> {
    return settle(() => {
      this.guard();
      assertValidKey(key);
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      if (!(bytes instanceof Uint8Array)) throw new Error('value must be a Uint8Array or a string');
      this.init.rwset.checkWrite();
      this.init.rwset.addWrite(key, bytes);
    });
  }

  deleteState(key: string): Promise<void> {
    return settle(() => {
      this.guard();
      assertValidKey(key);
      this.init.rwset.checkWrite();
      this.init.rwset.addWrite(key, Buffer.alloc(0));
    });
  }

  setStateValidationParameter(_key: string, _ep: Uint8Array): Promise<void> {
    return Promise.reject(unsupported('setStateValidationParameter'));
  }

  getStateValidationParameter(_key: string): Promise<Uint8Array> {
    return Promise.reject(unsupported('getStateValidationParameter'));
  }

  // ---- range queries ----

  getStateByRange(startKey: string, endKey: string): StateIterable {
    try {
      this.guard();
      const start = startKey || EMPTY_KEY_SUBSTITUTE;
      const end = endKey ?? '';
      assertValidKey(start, 'startKey');
      assertValidKey(end, 'endKey');
      validateSimpleKeys(start, end);
      return this.openRange(start, end);
    } catch (err) {
      return rejectedQuery<Iterators.KV>(err as Error);
    }
  }

  getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark?: string): PagedStateIterable {
    try {
      this.guard();
      const start = startKey || EMPTY_KEY_SUBSTITUTE;
      const end = endKey ?? '';
      assertValidKey(start, 'startKey');
      assertValidKey(end, 'endKey');
      validateSimpleKeys(start, end);
      return this.openPage(start, end, pageSize, bookmark);
    } catch (err) {
      return rejectedQuery<Iterators.KV>(err as Error);
    }
  }

  /** Throws synchronously on an object type or attribute that is not a non-empty string, as fabric-shim does. */
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): StateIterable {
    const { startKey, endKey } = partialCompositeKeyRange(objectType, attributes);
    try {
      this.guard();
      assertValidKey(startKey, 'partial composite key');
      return this.openRange(startKey, endKey);
    } catch (err) {
      return rejectedQuery<Iterators.KV>(err as Error);
    }
  }

  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): PagedStateIterable {
    const { startKey, endKey } = partialCompositeKeyRange(objectType, attributes);
    try {
      this.guard();
      assertValidKey(startKey, 'partial composite key');
      return this.openPage(startKey, endKey, pageSize, bookmark);
    } catch (err) {
      return rejectedQuery<Iterators.KV>(err as Error);
    }
  }

  /** A range query without pagination, fetched and recorded as the peer does (see PeerRangeQuery). */
  private openRange(startKey: string, endKey: string): StateIterable {
    const query = new PeerRangeQuery(this.init.backend, this.init.rwset.openRangeQuery(startKey), startKey, endKey);
    const nextBatch = async (): Promise<QueryKV[] | undefined> => {
      this.guard();
      const rows = await query.nextBatch();
      return rows && toQueryKVs(rows);
    };
    // Like the peer, the first batch is fetched when the query is opened.
    const promise = nextBatch().then(
      (first) => new BatchedIterator<QueryKV>(first ?? [], nextBatch, () => this.guard()),
    );
    return asyncIterablePromise(promise) as unknown as StateIterable;
  }

  /**
   * One page, as the peer answers it: a non-empty bookmark replaces the start
   * key; at most pageSize results (and never more than TOTAL_QUERY_LIMIT);
   * the next bookmark is the key after the page ('' at the end of the range).
   * The peer stops calling Next() once the page is full, so a full page is
   * recorded as not exhausted, up to its last key, even when no key follows
   * it; a page that is not full saw the end of the range.
   */
  private openPage(startKey: string, endKey: string, pageSize: number, bookmark: string | undefined): PagedStateIterable {
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new Error(`pageSize must be a positive integer, got ${String(pageSize)}`);
    }
    const from = bookmark ? bookmark : startKey;
    assertValidKey(from, 'bookmark');
    this.init.rwset.checkPaginatedQuery();
    const record = this.init.rwset.openRangeQuery(from);
    const limit = Math.min(pageSize, TOTAL_QUERY_LIMIT);
    const promise = (async () => {
      this.guard();
      // One row past the page, for the bookmark only (kvScanner.GetBookmarkAndClose reads it unrecorded).
      const rows = await this.init.backend.rangeScan(from, endKey, limit + 1);
      const page = rows.length > limit ? rows.slice(0, limit) : rows;
      recordFetched(record, page, page.length < limit, endKey);
      return {
        iterator: new BatchedIterator<QueryKV>(toQueryKVs(page), noMore, () => this.guard()),
        metadata: { fetchedRecordsCount: page.length, bookmark: rows[limit]?.key ?? '' },
      };
    })();
    return asyncIterablePromise(promise) as unknown as PagedStateIterable;
  }

  getQueryResult(_query: string): StateIterable {
    // Fabric's LevelDB state database has no rich queries.
    return rejectedQuery<Iterators.KV>(new Error('ExecuteQuery not supported for leveldb'));
  }

  getQueryResultWithPagination(_query: string, _pageSize: number, _bookmark?: string): PagedStateIterable {
    return rejectedQuery<Iterators.KV>(new Error('ExecuteQuery not supported for leveldb'));
  }

  /**
   * Committed versions of a key, newest first (Fabric 2.x order), at most
   * TOTAL_QUERY_LIMIT of them as on the peer (HandleGetHistoryForKey applies
   * calculateTotalReturnLimit too). Not part of the read set.
   */
  getHistoryForKey(key: string): HistoryIterable {
    try {
      this.guard();
      assertValidKey(key);
    } catch (err) {
      return rejectedQuery<Iterators.KeyModification>(err as Error);
    }
    const promise = (async () => {
      const all = await this.init.backend.getHistory(key);
      this.guard();
      const entries = all.length > TOTAL_QUERY_LIMIT ? all.slice(0, TOTAL_QUERY_LIMIT) : all;
      const results: QueryKeyModification[] = entries.map((e) => ({
        txId: e.txId,
        value: Buffer.from(e.value),
        isDelete: e.isDelete,
        timestamp: { seconds: e.timestamp.seconds, nanos: e.timestamp.nanos },
      }));
      return new BatchedIterator<QueryKeyModification>(results, noMore, () => this.guard());
    })();
    return asyncIterablePromise(promise) as unknown as HistoryIterable;
  }

  invokeChaincode(_chaincodeName: string, _args: string[], _channel: string): Promise<ChaincodeResponse> {
    return Promise.reject(unsupported('invokeChaincode'));
  }

  // ---- events, keys ----

  /**
   * Replaces any earlier event of this transaction: Fabric keeps only the last.
   * A string payload is kept as it is and, as fabric-shim's google-protobuf
   * does when it sends the event after the chaincode returned, read as base64
   * (see chaincodeEvent in world-state.ts); one that is not base64 fails the
   * transaction then.
   */
  setEvent(name: string, payload: Uint8Array): void {
    this.guard();
    if (typeof name !== 'string' || name === '') throw new Error('Event name must be a non-empty string');
    const given: unknown = payload;
    if (typeof given === 'string') {
      this.init.rwset.event = { name, payload: given };
      return;
    }
    if (!(given instanceof Uint8Array)) throw new Error('Event payload must be a Uint8Array or a string');
    this.init.rwset.event = { name, payload: Buffer.from(given) };
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return createCompositeKey(objectType, attributes);
  }

  splitCompositeKey(compositeKey: string): SplitCompositekey {
    // fabric-shim returns objectType null for a simple key; the d.ts says string.
    return splitCompositeKey(compositeKey) as SplitCompositekey;
  }

  // ---- private data: not part of this platform ----

  getPrivateData(_collection: string, _key: string): Promise<Uint8Array> {
    return Promise.reject(unsupported('private data'));
  }

  getPrivateDataHash(_collection: string, _key: string): Promise<Uint8Array> {
    return Promise.reject(unsupported('private data'));
  }

  putPrivateData(_collection: string, _key: string, _value: Uint8Array): Promise<void> {
    return Promise.reject(unsupported('private data'));
  }

  deletePrivateData(_collection: string, _key: string): Promise<void> {
    return Promise.reject(unsupported('private data'));
  }

  purgePrivateData(_collection: string, _key: string): Promise<void> {
    return Promise.reject(unsupported('private data'));
  }

  setPrivateDataValidationParameter(_collection: string, _key: string, _ep: Uint8Array): Promise<void> {
    return Promise.reject(unsupported('private data'));
  }

  getPrivateDataValidationParameter(_collection: string, _key: string): Promise<Uint8Array> {
    return Promise.reject(unsupported('private data'));
  }

  getPrivateDataByRange(_collection: string, _startKey: string, _endKey: string): StateIterable {
    return rejectedQuery<Iterators.KV>(unsupported('private data'));
  }

  getPrivateDataByPartialCompositeKey(_collection: string, _objectType: string, _attributes: string[]): StateIterable {
    return rejectedQuery<Iterators.KV>(unsupported('private data'));
  }

  getPrivateDataQueryResult(_collection: string, _query: string): StateIterable {
    return rejectedQuery<Iterators.KV>(unsupported('private data'));
  }
}
