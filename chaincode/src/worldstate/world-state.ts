import { peer } from '@hyperledger/fabric-protos';
import type { ClientIdentity } from 'fabric-shim';
import { buildBlock, checkBlock, GENESIS_PREVIOUS_HASH, sha256Hex, summariseRwset, type ChainVerification } from './block';
import { clientIdentityOf } from './client-identity';
import { compareKeys, inRange, isWellFormed, keySuccessor } from './keys';
import { ReadWriteLock } from './rw-lock';
import { RwsetBuilder, type RecordedEvent } from './rwset';
import { WorldStateStub } from './stub';
import { parseTimestamp, type TimestampInput } from './timestamp';
import type {
  BlockRecord,
  BlockTransaction,
  HistoryEntry,
  RangeQueryRecord,
  ReadRecord,
  ReadWriteSet,
  StateBackend,
  StoredEvent,
  TxStatus,
  TxTimestamp,
  ValidationCode,
  Version,
  VersionedValue,
} from './types';

/** The channel of this platform (DESIGN.md section 7), unless told otherwise. */
export const DEFAULT_CHANNEL_ID = 'scf';

/** One transaction proposal: who, when, what. Time and id are inputs: the engine invents neither. */
export interface TxInput {
  readonly txId: string;
  readonly timestamp: TimestampInput;
  readonly creator: { readonly mspId: string; readonly certificatePem: string };
  readonly channelId?: string;
  /** Becomes args[0], as Fabric passes the function name (e.g. `voucher:Transfer`). */
  readonly fnName?: string;
  readonly args?: readonly string[];
  /**
   * The proposal's transient map (Fabric semantics): the chaincode reads it
   * at endorsement through getTransient(); it is not part of the endorsed
   * transaction, so it never reaches a block, the state or the history.
   */
  readonly transient?: ReadonlyMap<string, Uint8Array>;
}

/** What the chaincode function receives: the same shape as fabric-contract-api's Context. */
export interface TxContext {
  readonly stub: WorldStateStub;
  readonly clientIdentity: ClientIdentity;
}

export interface ChaincodeEventRecord {
  readonly name: string;
  readonly payload: Uint8Array;
}

/** A simulation that ran to completion: its result and read-write set, ready to order. */
export interface EndorsedTransaction<T = unknown> {
  readonly status: 'ENDORSED';
  readonly txId: string;
  readonly channelId: string;
  readonly creator: { readonly mspId: string; readonly certificatePem: string };
  readonly timestamp: TxTimestamp;
  readonly fnName: string;
  readonly args: readonly string[];
  readonly result: T;
  readonly rwset: ReadWriteSet;
  /** The last setEvent of the transaction, if any. */
  readonly event?: ChaincodeEventRecord;
}

/** A simulation whose function threw (or that was refused, e.g. a duplicate txId): nothing to commit. */
export interface FailedSimulation {
  readonly status: 'FAILED';
  readonly txId: string;
  readonly error: Error;
}

export type Simulation<T = unknown> = EndorsedTransaction<T> | FailedSimulation;

export interface TxCommitResult {
  readonly txId: string;
  readonly txIndex: number;
  readonly validationCode: ValidationCode;
}

export interface CommitResult {
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactions: readonly TxCommitResult[];
}

/** A simulation followed by its own one-transaction block. */
export type SubmitResult<T = unknown> =
  | FailedSimulation
  | (EndorsedTransaction<T> & { readonly validationCode: ValidationCode; readonly blockNumber: number; readonly txIndex: number });

export interface CommittedBlock {
  readonly block: BlockRecord;
  readonly results: readonly TxCommitResult[];
  readonly events: readonly StoredEvent[];
}

export type CommitListener = (committed: CommittedBlock) => void;

export interface WorldStateOptions {
  readonly channelId?: string;
}

interface NormalisedTx {
  readonly txId: string;
  readonly channelId: string;
  readonly timestamp: TxTimestamp;
  readonly creator: { readonly mspId: string; readonly certificatePem: string };
  readonly fnName: string;
  readonly args: string[];
}

type PendingWrite = { readonly value: Uint8Array | null; readonly version: Version };

const sameVersion = (a: Version | null, b: Version | null): boolean =>
  a === null || b === null ? a === b : a.blockNumber === b.blockNumber && a.txIndex === b.txIndex;

/**
 * The event as the peer receives it. fabric-shim sets the payload on a
 * protobuf ChaincodeEvent as given, and google-protobuf reads a string set
 * into a `bytes` field as base64; the same runtime does it here. It does so
 * only once the chaincode has returned, so a string payload that is not
 * base64 fails the transaction there, not at setEvent.
 */
function chaincodeEvent(recorded: RecordedEvent): ChaincodeEventRecord {
  const { name, payload } = recorded;
  if (typeof payload !== 'string') return { name, payload };
  const event = new peer.ChaincodeEvent();
  event.setPayload(payload);
  return { name, payload: event.getPayload_asU8() };
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

function requireText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${what} must be a non-empty string`);
  if (!isWellFormed(value)) throw new Error(`${what} is not valid UTF-8`);
}

/**
 * The world-state engine: simulates transactions against committed state
 * with Fabric's semantics, then orders and validates them into hash-chained
 * blocks (MVCC, phantom and duplicate-txId checks) over a StateBackend.
 *
 * Simulations hold a shared lock and a commit holds it alone, so a
 * simulation sees one consistent committed state, as on a peer.
 */
export class WorldState {
  private readonly lock = new ReadWriteLock();
  private readonly listeners = new Set<CommitListener>();
  readonly channelId: string;

  constructor(
    readonly backend: StateBackend,
    options: WorldStateOptions = {},
  ) {
    this.channelId = options.channelId ?? DEFAULT_CHANNEL_ID;
  }

  /**
   * Runs `fn` as the chaincode of one transaction. Malformed input throws;
   * a function that throws gives a FAILED simulation carrying its error; no
   * simulation writes anything.
   */
  async simulate<T>(txInput: TxInput, fn: (ctx: TxContext) => T | Promise<T>): Promise<Simulation<Awaited<T>>> {
    const tx = this.normalise(txInput);
    const transient = normaliseTransient(txInput.transient);
    const release = await this.lock.read();
    try {
      // The endorser refuses a txId that is already on the ledger. A storage
      // error here is not the chaincode's: it propagates instead of failing the tx.
      if (await this.backend.getTxStatus(tx.txId)) {
        return { status: 'FAILED', txId: tx.txId, error: new Error(`duplicate transaction found [${tx.txId}]`) };
      }
      return await this.run(tx, fn, transient);
    } finally {
      release();
    }
  }

  /** `transient` goes to the stub only: the endorsed transaction (what is ordered) is built from `tx`, which has none. */
  private async run<T>(
    tx: NormalisedTx,
    fn: (ctx: TxContext) => T | Promise<T>,
    transient: ReadonlyMap<string, Uint8Array> | undefined,
  ): Promise<Simulation<Awaited<T>>> {
    const rwset = new RwsetBuilder(tx.txId);
    const stub = new WorldStateStub({
      txId: tx.txId,
      channelId: tx.channelId,
      timestamp: tx.timestamp,
      mspId: tx.creator.mspId,
      certificatePem: tx.creator.certificatePem,
      args: tx.fnName === '' ? tx.args : [tx.fnName, ...tx.args],
      backend: this.backend,
      rwset,
      ...(transient ? { transient } : {}),
    });
    try {
      const clientIdentity = clientIdentityOf(stub, tx.creator);
      const result = await fn({ stub, clientIdentity });
      const event = rwset.event && chaincodeEvent(rwset.event);
      return { status: 'ENDORSED', ...tx, result, rwset: rwset.build(), ...(event ? { event } : {}) };
    } catch (thrown) {
      return { status: 'FAILED', txId: tx.txId, error: asError(thrown) };
    } finally {
      stub.finish();
    }
  }

  /** A query: a simulation that is never committed. */
  evaluate<T>(txInput: TxInput, fn: (ctx: TxContext) => T | Promise<T>): Promise<Simulation<Awaited<T>>> {
    return this.simulate(txInput, fn);
  }

  /** Simulates and, if endorsed, commits the transaction alone in a new block. */
  async submit<T>(txInput: TxInput, fn: (ctx: TxContext) => T | Promise<T>): Promise<SubmitResult<Awaited<T>>> {
    const simulation = await this.simulate(txInput, fn);
    if (simulation.status === 'FAILED') return simulation;
    const commit = await this.commitBlock([simulation]);
    const own = commit.transactions[0] as TxCommitResult;
    return { ...simulation, validationCode: own.validationCode, blockNumber: commit.blockNumber, txIndex: own.txIndex };
  }

  /**
   * Orders the endorsed transactions into the next block and validates each
   * in turn against committed state plus the writes of the earlier valid
   * transactions of the block: DUPLICATE_TXID, then MVCC_READ_CONFLICT (a key
   * read changed), then PHANTOM_READ_CONFLICT (a range query would now answer
   * differently). Only valid transactions write state, history and events;
   * every transaction is recorded in the block.
   */
  async commitBlock(transactions: readonly EndorsedTransaction[]): Promise<CommitResult> {
    // Checked as unknown: Array.isArray would narrow the typed list to any[].
    const list: unknown = transactions;
    if (!Array.isArray(list) || list.length === 0) {
      throw new Error('a block needs at least one transaction');
    }
    for (const tx of transactions) {
      if (!tx || tx.status !== 'ENDORSED') {
        throw new Error(`transaction ${tx?.txId ?? '(unknown)'} was not endorsed and cannot be committed`);
      }
    }
    const release = await this.lock.write();
    try {
      const tip = await this.chainTip();
      const blockNumber = tip ? tip.number + 1 : 0;
      const previousHash = tip ? tip.hash : GENESIS_PREVIOUS_HASH;

      const updates = new Map<string, PendingWrite>();
      const seenTxIds = new Set<string>();
      const results: TxCommitResult[] = [];
      const blockTxs: BlockTransaction[] = [];
      const history: HistoryEntry[] = [];
      const statuses: TxStatus[] = [];
      const events: StoredEvent[] = [];

      for (const [txIndex, tx] of transactions.entries()) {
        const validationCode = await this.validate(tx, seenTxIds, updates);
        seenTxIds.add(tx.txId);
        results.push({ txId: tx.txId, txIndex, validationCode });
        // Fabric's txId index keeps the first occurrence; a duplicate does not replace it.
        if (validationCode !== 'DUPLICATE_TXID') statuses.push({ txId: tx.txId, validationCode, blockNumber, txIndex });
        const valid = validationCode === 'VALID';
        if (valid) {
          const version = { blockNumber, txIndex };
          for (const w of tx.rwset.writes) {
            updates.set(w.key, { value: w.isDelete ? null : w.value, version });
            history.push({
              key: w.key,
              blockNumber,
              txIndex,
              txId: tx.txId,
              timestamp: tx.timestamp,
              isDelete: w.isDelete,
              value: w.isDelete ? new Uint8Array(0) : w.value,
            });
          }
          if (tx.event) {
            events.push({ blockNumber, txIndex, txId: tx.txId, name: tx.event.name, payload: tx.event.payload });
          }
        }
        blockTxs.push({
          txId: tx.txId,
          validationCode,
          creatorMspId: tx.creator.mspId,
          timestamp: { seconds: tx.timestamp.seconds, nanos: tx.timestamp.nanos },
          fnName: tx.fnName,
          rwset: summariseRwset(tx.rwset),
          ...(valid && tx.event ? { event: { name: tx.event.name, payloadHash: sha256Hex(tx.event.payload) } } : {}),
        });
      }

      const block = buildBlock(blockNumber, previousHash, blockTxs);
      const writes = [...updates.entries()]
        .map(([key, w]) => ({ key, value: w.value, version: w.version }))
        .sort((a, b) => compareKeys(a.key, b.key));
      await this.backend.applyBlock({ block, writes, history, statuses, events });
      this.tip = { number: block.number, hash: block.hash };

      const committed: CommittedBlock = { block, results, events };
      for (const listener of this.listeners) {
        // The block is durable already: a failing listener must not undo or hide the commit.
        try {
          listener(committed);
        } catch {
          /* ignored on purpose */
        }
      }
      return { blockNumber, blockHash: block.hash, transactions: results };
    } finally {
      release();
    }
  }

  /**
   * Number and hash of the last block. This engine is the backend's only
   * writer, so it reads them once and then keeps them as it commits (reading
   * the whole last block back on every commit showed in profiles).
   */
  private tip: { number: number; hash: string } | undefined;
  private tipLoaded = false;

  private async chainTip(): Promise<{ number: number; hash: string } | undefined> {
    if (!this.tipLoaded) {
      const last = await this.backend.getLastBlock();
      this.tip = last ? { number: last.number, hash: last.hash } : undefined;
      this.tipLoaded = true;
    }
    return this.tip;
  }

  private async validate(
    tx: EndorsedTransaction,
    seenTxIds: ReadonlySet<string>,
    updates: ReadonlyMap<string, PendingWrite>,
  ): Promise<ValidationCode> {
    if (seenTxIds.has(tx.txId)) return 'DUPLICATE_TXID';
    // Any write to a key earlier in this block invalidates a read of it (as Fabric does).
    if (tx.rwset.reads.some((read) => updates.has(read.key))) {
      return (await this.backend.getTxStatus(tx.txId)) ? 'DUPLICATE_TXID' : 'MVCC_READ_CONFLICT';
    }
    // Committed state cannot change while the commit lock is held, so the
    // versions are read concurrently rather than one awaited read at a time.
    const [status, ...committed] = await Promise.all([
      this.backend.getTxStatus(tx.txId),
      ...tx.rwset.reads.map((read) => this.backend.getState(read.key)),
    ]);
    if (status) return 'DUPLICATE_TXID';
    for (const [i, read] of tx.rwset.reads.entries()) {
      const current = committed[i];
      if (!sameVersion(current?.version ?? null, read.version)) return 'MVCC_READ_CONFLICT';
    }
    for (const query of tx.rwset.rangeQueries) {
      const now = await this.rerunRangeQuery(query, updates);
      if (!sameResults(now, query.results)) return 'PHANTOM_READ_CONFLICT';
    }
    return 'VALID';
  }

  /** The keys and versions the recorded range would return now, seen through this block's updates. */
  private async rerunRangeQuery(query: RangeQueryRecord, updates: ReadonlyMap<string, PendingWrite>): Promise<ReadRecord[]> {
    // An iterator that was not exhausted covered [startKey, endKey] inclusive.
    const end = query.itrExhausted ? query.endKey : keySuccessor(query.endKey);
    const merged = new Map<string, Version>();
    for (const entry of await this.backend.rangeScan(query.startKey, end)) merged.set(entry.key, entry.version);
    for (const [key, write] of updates) {
      if (!inRange(key, query.startKey, end)) continue;
      if (write.value === null) merged.delete(key);
      else merged.set(key, write.version);
    }
    return [...merged.entries()].map(([key, version]) => ({ key, version })).sort((a, b) => compareKeys(a.key, b.key));
  }

  // ---- reads of the ledger ----

  /** The committed value and version of a key, outside any transaction. */
  getCommittedState(key: string): Promise<VersionedValue | undefined> {
    return this.backend.getState(key);
  }

  getTransactionStatus(txId: string): Promise<TxStatus | undefined> {
    return this.backend.getTxStatus(txId);
  }

  getBlock(blockNumber: number): Promise<BlockRecord | undefined> {
    return this.backend.getBlock(blockNumber);
  }

  /** Number of blocks in the log. */
  async height(): Promise<number> {
    const last = await this.backend.getLastBlock();
    return last ? last.number + 1 : 0;
  }

  /** Recomputes every block's hashes and links; reports the first broken block. */
  async verifyChain(): Promise<ChainVerification> {
    const height = await this.height();
    let previousHash = GENESIS_PREVIOUS_HASH;
    for (let n = 0; n < height; n++) {
      const block = await this.backend.getBlock(n);
      if (!block) return { valid: false, height, blockNumber: n, reason: 'block is missing' };
      const problem = checkBlock(block, n, previousHash);
      if (problem) return { valid: false, height, blockNumber: n, reason: problem };
      previousHash = block.hash;
    }
    return { valid: true, height };
  }

  /**
   * Events of valid transactions in commit order, for resumable streams:
   * those after (blockNumber, txIndex), or all from blockNumber on when
   * txIndex is omitted.
   */
  async eventsSince(blockNumber: number, txIndex?: number, limit?: number): Promise<StoredEvent[]> {
    const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    if (!count(blockNumber)) throw new Error(`blockNumber must be a non-negative integer, got ${String(blockNumber)}`);
    if (txIndex !== undefined && !count(txIndex)) throw new Error(`txIndex must be a non-negative integer, got ${String(txIndex)}`);
    if (limit !== undefined && !(count(limit) && limit > 0)) throw new Error(`limit must be a positive integer, got ${String(limit)}`);
    return this.backend.getEvents(blockNumber, txIndex, limit);
  }

  /** Calls `listener` after each committed block; returns the unsubscribe function. */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private normalise(input: TxInput): NormalisedTx {
    if (!input || typeof input !== 'object') throw new Error('transaction input must be an object');
    requireText(input.txId, 'txId');
    if (!input.creator || typeof input.creator !== 'object') throw new Error('creator must be {mspId, certificatePem}');
    requireText(input.creator.mspId, 'creator.mspId');
    requireText(input.creator.certificatePem, 'creator.certificatePem');
    const channelId = input.channelId ?? this.channelId;
    requireText(channelId, 'channelId');
    if (channelId !== this.channelId) {
      throw new Error(`channel [${channelId}] is not this ledger's channel [${this.channelId}]`);
    }
    const fnName = input.fnName ?? '';
    if (typeof fnName !== 'string') throw new Error('fnName must be a string');
    const args = input.args ?? [];
    const list: unknown = args;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) throw new Error('args must be an array of strings');
    return {
      txId: input.txId,
      channelId,
      timestamp: parseTimestamp(input.timestamp),
      creator: { mspId: input.creator.mspId, certificatePem: input.creator.certificatePem },
      fnName,
      args: [...args],
    };
  }
}

/** A private copy of the transient map: keys are strings, values bytes; the caller's map may change later. */
function normaliseTransient(transient: ReadonlyMap<string, Uint8Array> | undefined): ReadonlyMap<string, Uint8Array> | undefined {
  if (transient === undefined) return undefined;
  if (!(transient instanceof Map)) throw new Error('transient must be a Map of string to bytes');
  const copy = new Map<string, Uint8Array>();
  for (const [key, value] of transient as ReadonlyMap<unknown, unknown>) {
    if (typeof key !== 'string' || key === '') throw new Error('transient keys must be non-empty strings');
    if (!(value instanceof Uint8Array)) throw new Error(`transient value of ${key} must be bytes`);
    copy.set(key, new Uint8Array(value));
  }
  return copy;
}

function sameResults(a: readonly ReadRecord[], b: readonly ReadRecord[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((r, i) => {
    const other = b[i] as ReadRecord;
    return r.key === other.key && sameVersion(r.version, other.version);
  });
}
