/**
 * Shapes shared by the world-state engine and its storage backends.
 *
 * Versions, like Fabric's, are the height (block number, transaction index) of
 * the transaction that last wrote a key. Time is a protobuf-like
 * `{seconds, nanos}` pair, always supplied by the caller.
 */

/** Height of the transaction that wrote a value. */
export interface Version {
  readonly blockNumber: number;
  readonly txIndex: number;
}

/** A transaction time as protobuf's google.protobuf.Timestamp, with plain numbers. */
export interface TxTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

export interface VersionedValue {
  readonly value: Uint8Array;
  readonly version: Version;
}

/** One committed key of a range scan. */
export interface StateEntry extends VersionedValue {
  readonly key: string;
}

/** The final effect of a block on one key: a new value, or a delete (`value` null). */
export interface StateWrite {
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly version: Version;
}

/** One committed write of a key, as getHistoryForKey reports it. */
export interface HistoryEntry {
  readonly key: string;
  readonly blockNumber: number;
  readonly txIndex: number;
  readonly txId: string;
  readonly timestamp: TxTimestamp;
  readonly isDelete: boolean;
  /** Empty for a delete. */
  readonly value: Uint8Array;
}

/**
 * Fabric's transaction validation codes that this engine can produce
 * (peer.TxValidationCode); the numbers are Fabric's.
 */
export const VALIDATION_CODES = {
  VALID: 0,
  DUPLICATE_TXID: 9,
  MVCC_READ_CONFLICT: 11,
  PHANTOM_READ_CONFLICT: 12,
} as const;

export type ValidationCode = keyof typeof VALIDATION_CODES;

export interface TxStatus {
  readonly txId: string;
  readonly validationCode: ValidationCode;
  readonly blockNumber: number;
  readonly txIndex: number;
}

/** A chaincode event of a valid transaction, kept for resumable event streams. */
export interface StoredEvent {
  readonly blockNumber: number;
  readonly txIndex: number;
  readonly txId: string;
  readonly name: string;
  readonly payload: Uint8Array;
}

/** A key read during simulation and the version it had (null: absent). */
export interface ReadRecord {
  readonly key: string;
  readonly version: Version | null;
}

/**
 * A range query as Fabric's RangeQueryInfo records it: the keys and versions
 * the peer handed to the chaincode. When the iterator was not exhausted,
 * `endKey` is the last key read and the covered range is [startKey, endKey]
 * inclusive; when exhausted it is the queried end and the range is half-open.
 */
export interface RangeQueryRecord {
  readonly startKey: string;
  readonly endKey: string;
  readonly itrExhausted: boolean;
  readonly results: readonly ReadRecord[];
}

export interface WriteRecord {
  readonly key: string;
  readonly isDelete: boolean;
  /** Empty for a delete. */
  readonly value: Uint8Array;
}

export interface ReadWriteSet {
  /** Sorted by key (byte order). */
  readonly reads: readonly ReadRecord[];
  readonly rangeQueries: readonly RangeQueryRecord[];
  /** Sorted by key (byte order); the last write of each key only. */
  readonly writes: readonly WriteRecord[];
}

/** What a block stores about one transaction's read-write set: values are hashed. */
export interface RwsetSummary {
  readonly reads: readonly ReadRecord[];
  readonly rangeQueries: readonly {
    readonly startKey: string;
    readonly endKey: string;
    readonly itrExhausted: boolean;
    readonly results: readonly ReadRecord[];
  }[];
  readonly writes: readonly { readonly key: string; readonly isDelete: boolean; readonly valueHash: string }[];
}

export interface BlockTransaction {
  readonly txId: string;
  readonly validationCode: ValidationCode;
  readonly creatorMspId: string;
  readonly timestamp: TxTimestamp;
  readonly fnName: string;
  readonly rwset: RwsetSummary;
  /** Present only for a VALID transaction that set an event. */
  readonly event?: { readonly name: string; readonly payloadHash: string };
}

/**
 * One block of the append-only log. `dataHash` is the SHA-256 of the canonical
 * encoding of `transactions`; `hash` is the SHA-256 of the canonical encoding
 * of `{number, previousHash, dataHash}`. Block 0's previousHash is 64 zeros.
 */
export interface BlockRecord {
  readonly number: number;
  readonly previousHash: string;
  readonly dataHash: string;
  readonly hash: string;
  readonly transactions: readonly BlockTransaction[];
}

/** Everything one block changes, handed to the backend to apply atomically. */
export interface BlockCommit {
  readonly block: BlockRecord;
  readonly writes: readonly StateWrite[];
  readonly history: readonly HistoryEntry[];
  /** Statuses of the block's transactions, except duplicates of an earlier txId. */
  readonly statuses: readonly TxStatus[];
  readonly events: readonly StoredEvent[];
}

/**
 * Durable (or not) storage for the engine. Keys are compared in UTF-8 byte
 * order, as LevelDB and Fabric do. Every method reads committed data only;
 * `applyBlock` is atomic: after a crash either all of a block is there or none.
 */
export interface StateBackend {
  getState(key: string): Promise<VersionedValue | undefined>;
  /**
   * Committed keys in [startKey, endKey) in UTF-8 byte order, at most `limit`
   * of them (all when omitted). An empty endKey means no upper bound.
   */
  rangeScan(startKey: string, endKey: string, limit?: number): Promise<StateEntry[]>;
  /** Every committed write of a key, newest first. */
  getHistory(key: string): Promise<HistoryEntry[]>;
  applyBlock(commit: BlockCommit): Promise<void>;
  getBlock(blockNumber: number): Promise<BlockRecord | undefined>;
  getLastBlock(): Promise<BlockRecord | undefined>;
  getTxStatus(txId: string): Promise<TxStatus | undefined>;
  /**
   * Events in commit order after position (blockNumber, afterTxIndex); with
   * afterTxIndex omitted, every event of blockNumber onwards.
   */
  getEvents(fromBlock: number, afterTxIndex?: number, limit?: number): Promise<StoredEvent[]>;
}
