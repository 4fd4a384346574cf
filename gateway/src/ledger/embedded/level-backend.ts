import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type {
  BlockCommit,
  BlockRecord,
  HistoryEntry,
  StateBackend,
  StateEntry,
  StoredEvent,
  TxStatus,
  Version,
  VersionedValue,
} from '../../../../chaincode/src/worldstate';
import { LedgerError } from '../ledger';
import { StateCache, TxStatusCache } from './state-cache';

/**
 * A durable StateBackend over LevelDB (classic-level), the state database
 * Fabric peers use. One database holds everything, under one-byte prefixes:
 *
 *   s <key utf8>                                  -> u64 block, u32 tx, value bytes
 *   h <u32 key length> <key utf8> <u64 block> <u32 tx> -> JSON history entry
 *   b <u64 block>                                 -> JSON block
 *   t <txId utf8>                                 -> JSON tx status
 *   e <u64 block> <u32 tx>                        -> JSON event
 *   c <u64 sequence>                              -> JSON sandbox clock advance (append-only, see sandbox-clock.ts)
 *   m format                                      -> storage format version
 *
 * LevelDB orders keys bytewise, so state keys come out in UTF-8 byte order,
 * as on a peer, and fixed-width big-endian numbers keep blocks, history and
 * events in height order. The history key carries the state key's length so
 * that one key's history is never a prefix of another's. Each block is one
 * atomic batch written with `sync: true`: once applyBlock resolves, the
 * block survives a crash of the process or of the machine.
 *
 * Every failure of LevelDB itself is a StoreError: the embedded ledger's
 * store is its ledger, so a store that fails is a ledger that is unavailable.
 *
 * Key reads and transaction status reads go through caches (state-cache.ts),
 * bounded in bytes together: an eighth for statuses, the rest for state.
 * Blocks are written through them: after a block's batch has succeeded, its
 * writes and statuses replace what the caches held.
 *
 * What the caches miss is read with LevelDB's synchronous get (`getSync`),
 * not its asynchronous one: most misses are keys that do not exist (each
 * transaction's new txId and requestId), which LevelDB answers from memory in
 * under a microsecond, while a round trip through libuv's thread pool cost
 * 25 µs of the main thread's CPU each (measured on this machine; it was 8% of
 * the gateway's profile). The price: a read that must go to disk holds the
 * event loop while it does. Being synchronous, a read can never straddle the
 * write-through: a read made while a block's batch is being written gets
 * either side of the block, and the write-through that follows the batch
 * replaces whatever it cached for the block's keys.
 */

/** The default bound on the state cache, as a Fabric peer's default cacheSize. */
export const DEFAULT_STATE_CACHE_BYTES = 64 * 1024 * 1024;

export interface LevelBackendOptions {
  /** Bound on the state and status caches in bytes; 0 turns them off. Default DEFAULT_STATE_CACHE_BYTES. */
  stateCacheBytes?: number;
}

/**
 * LevelDB failed (I/O error, disk full, database closed...): LEDGER_UNAVAILABLE
 * (503), as an unreachable peer is for the Fabric connector. The LevelDB
 * error is the cause.
 */
export class StoreError extends LedgerError {
  /**
   * True for a failed block write: the block is not applied in this process,
   * but LevelDB cannot tell whether it is on disk (see applyBlock).
   */
  readonly writeOutcomeUnknown: boolean;

  constructor(operation: string, cause: unknown, options: { writeOutcomeUnknown?: boolean } = {}) {
    super('LEDGER_UNAVAILABLE', `the ledger store failed to ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.writeOutcomeUnknown = options.writeOutcomeUnknown ?? false;
  }
}

/** A synchronous LevelDB read; its failure becomes a StoreError. */
function storeSync<T>(operation: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new StoreError(operation, err);
  }
}

/** Runs one LevelDB operation; its failure becomes a StoreError. Decoding stays outside. */
async function store<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new StoreError(operation, err);
  }
}

const STATE = 0x73; // 's'
const HISTORY = 0x68; // 'h'
const BLOCK = 0x62; // 'b'
const STATUS = 0x74; // 't'
const EVENT = 0x65; // 'e'
const CLOCK = 0x63; // 'c'
const META_FORMAT = Buffer.from('mformat', 'utf8');
const FORMAT_VERSION = '1';

const VERSION_BYTES = 12;

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function height(version: Version): Buffer {
  return Buffer.concat([u64(version.blockNumber), u32(version.txIndex)]);
}

function readHeight(b: Buffer, offset: number): Version {
  return { blockNumber: Number(b.readBigUInt64BE(offset)), txIndex: b.readUInt32BE(offset + 8) };
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

const stateKey = (key: string): Buffer => Buffer.concat([Buffer.of(STATE), utf8(key)]);

function historyPrefix(key: string): Buffer {
  const k = utf8(key);
  return Buffer.concat([Buffer.of(HISTORY), u32(k.length), k]);
}

const blockKey = (n: number): Buffer => Buffer.concat([Buffer.of(BLOCK), u64(n)]);
const statusKey = (txId: string): Buffer => Buffer.concat([Buffer.of(STATUS), utf8(txId)]);
const eventKey = (blockNumber: number, txIndex: number): Buffer =>
  Buffer.concat([Buffer.of(EVENT), u64(blockNumber), u32(txIndex)]);
const clockKey = (sequence: number): Buffer => Buffer.concat([Buffer.of(CLOCK), u64(sequence)]);

interface HistoryJson {
  txId: string;
  timestamp: { seconds: number; nanos: number };
  isDelete: boolean;
  value: string;
}

interface EventJson {
  txId: string;
  name: string;
  payload: string;
}

const json = (value: unknown): Buffer => utf8(JSON.stringify(value));
const parse = <T>(b: Buffer): T => JSON.parse(b.toString('utf8')) as T;

type Db = ClassicLevel<Buffer, Buffer>;
type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export class LevelBackend implements StateBackend {
  /**
   * The number the next block must have: read from the last block once, then
   * kept as blocks are written (this backend is the database's only writer).
   */
  private nextBlockNumber: number | undefined;

  private constructor(
    private readonly db: Db,
    readonly location: string,
    private readonly cache: StateCache,
    private readonly statusCache: TxStatusCache,
  ) {}

  /** Opens (creating if needed) the database in `dir`. Only one process may hold it open. */
  static async open(dir: string, options: LevelBackendOptions = {}): Promise<LevelBackend> {
    const bytes = options.stateCacheBytes ?? DEFAULT_STATE_CACHE_BYTES;
    const statusCache = new TxStatusCache(Math.floor(bytes / 8));
    const cache = new StateCache(bytes - statusCache.maxBytes);
    await mkdir(dir, { recursive: true });
    const db: Db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      const format = await db.get(META_FORMAT);
      if (format === undefined) {
        await db.put(META_FORMAT, utf8(FORMAT_VERSION), { sync: true });
      } else if (format.toString('utf8') !== FORMAT_VERSION) {
        throw new Error(`ledger data in ${dir} has storage format ${format.toString('utf8')}, expected ${FORMAT_VERSION}`);
      }
    } catch (err) {
      await db.close();
      throw err;
    }
    return new LevelBackend(db, dir, cache, statusCache);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the StateBackend contract is asynchronous; a thrown StoreError becomes a rejection
  async getState(key: string): Promise<VersionedValue | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const raw = storeSync('read state', () => this.db.getSync(stateKey(key)));
    const found = raw === undefined ? undefined : { version: readHeight(raw, 0), value: Buffer.from(raw.subarray(VERSION_BYTES)) };
    this.cache.set(key, found ?? null);
    return found;
  }

  /** What the caches hold (for tests and diagnostics). */
  cacheStats(): { state: { keys: number; bytes: number; maxBytes: number }; statuses: { keys: number; bytes: number; maxBytes: number } } {
    return {
      state: { ...this.cache.stats(), maxBytes: this.cache.maxBytes },
      statuses: { ...this.statusCache.stats(), maxBytes: this.statusCache.maxBytes },
    };
  }

  async rangeScan(startKey: string, endKey: string, limit?: number): Promise<StateEntry[]> {
    const rows = await store('scan state', () =>
      this.db
        .iterator({
          gte: stateKey(startKey),
          lt: endKey === '' ? Buffer.of(STATE + 1) : stateKey(endKey),
          ...(limit === undefined ? {} : { limit }),
        })
        .all(),
    );
    return rows.map(([k, v]) => ({
      key: k.subarray(1).toString('utf8'),
      version: readHeight(v, 0),
      value: Buffer.from(v.subarray(VERSION_BYTES)),
    }));
  }

  async getHistory(key: string): Promise<HistoryEntry[]> {
    const prefix = historyPrefix(key);
    const rows = await store('read key history', () =>
      this.db
        .iterator({
          gte: Buffer.concat([prefix, Buffer.alloc(VERSION_BYTES, 0x00)]),
          lte: Buffer.concat([prefix, Buffer.alloc(VERSION_BYTES, 0xff)]),
          reverse: true,
        })
        .all(),
    );
    return rows.map(([k, v]) => {
      const { blockNumber, txIndex } = readHeight(k, prefix.length);
      const h = parse<HistoryJson>(v);
      return {
        key,
        blockNumber,
        txIndex,
        txId: h.txId,
        timestamp: h.timestamp,
        isDelete: h.isDelete,
        value: Buffer.from(h.value, 'base64'),
      };
    });
  }

  /**
   * Writes the block as one LevelDB batch. A failure before the batch (a
   * read) writes nothing: a StoreError. A failure of the batch itself is a
   * StoreError with writeOutcomeUnknown: a LevelDB batch is atomic (one
   * WriteBatch, one log record), so there is never half a block, and a
   * failed batch is not applied to what this process reads; but when the
   * failure is the fsync of `sync: true`, LevelDB itself says that "the log
   * record we just added may or may not show up when the DB is re-opened"
   * (DBImpl::Write, db_impl.cc) and refuses every later write. So whether the
   * whole block is on disk is known only after a restart. A block that does
   * not follow the last one on disk stays a plain Error: the caller's view of
   * the chain is wrong, which is no store failure.
   */
  async applyBlock(commit: BlockCommit): Promise<void> {
    if (this.nextBlockNumber === undefined) {
      const last = await this.getLastBlock();
      this.nextBlockNumber = last ? last.number + 1 : 0;
    }
    const expected = this.nextBlockNumber;
    if (commit.block.number !== expected) {
      throw new Error(`block ${commit.block.number} does not follow the last block: expected ${expected}`);
    }
    const ops: BatchOp[] = [];
    for (const w of commit.writes) {
      if (w.value === null) ops.push({ type: 'del', key: stateKey(w.key) });
      else ops.push({ type: 'put', key: stateKey(w.key), value: Buffer.concat([height(w.version), w.value]) });
    }
    for (const h of commit.history) {
      const value: HistoryJson = {
        txId: h.txId,
        timestamp: { seconds: h.timestamp.seconds, nanos: h.timestamp.nanos },
        isDelete: h.isDelete,
        value: Buffer.from(h.value).toString('base64'),
      };
      ops.push({
        type: 'put',
        key: Buffer.concat([historyPrefix(h.key), height({ blockNumber: h.blockNumber, txIndex: h.txIndex })]),
        value: json(value),
      });
    }
    // The first status of a txId is kept, as in MemoryBackend and Fabric's txId index.
    // The cache knows most (the engine looked each txId up when validating).
    const known = commit.statuses.map((s) => this.statusCache.get(s.txId));
    const unknown = commit.statuses.filter((_, i) => known[i] === undefined);
    const onDisk =
      unknown.length === 0 ? [] : await store('read transaction statuses', () => this.db.getMany(unknown.map((s) => statusKey(s.txId))));
    const stored = new Set(unknown.filter((_, i) => onDisk[i] !== undefined).map((s) => s.txId));
    const firstStatuses = commit.statuses.filter((s, i) => known[i] === null || (known[i] === undefined && !stored.has(s.txId)));
    for (const s of firstStatuses) ops.push({ type: 'put', key: statusKey(s.txId), value: json(s) });
    for (const e of commit.events) {
      const value: EventJson = { txId: e.txId, name: e.name, payload: Buffer.from(e.payload).toString('base64') };
      ops.push({ type: 'put', key: eventKey(e.blockNumber, e.txIndex), value: json(value) });
    }
    ops.push({ type: 'put', key: blockKey(commit.block.number), value: json(commit.block) });
    try {
      // A chained batch: abstract-level's array form clones and re-encodes
      // every operation, which cost twice the CPU for a block of transfers.
      const batch = this.db.batch();
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      await batch.write({ sync: true });
    } catch (err) {
      // Not applied to what LevelDB answers this process; the cache did not change either.
      throw new StoreError(`write block ${commit.block.number}`, err, { writeOutcomeUnknown: true });
    }
    this.nextBlockNumber = expected + 1;
    for (const w of commit.writes) this.cache.set(w.key, w.value === null ? null : { version: w.version, value: w.value });
    for (const s of firstStatuses) this.statusCache.set(s.txId, s);
  }

  async getBlock(blockNumber: number): Promise<BlockRecord | undefined> {
    if (!Number.isSafeInteger(blockNumber) || blockNumber < 0) return undefined;
    const raw = await store('read a block', () => this.db.get(blockKey(blockNumber)));
    return raw === undefined ? undefined : parse<BlockRecord>(raw);
  }

  async getLastBlock(): Promise<BlockRecord | undefined> {
    const rows = await store('read the last block', () =>
      this.db.iterator({ gte: Buffer.of(BLOCK), lt: Buffer.of(BLOCK + 1), reverse: true, limit: 1 }).all(),
    );
    const row = rows[0];
    return row === undefined ? undefined : parse<BlockRecord>(row[1]);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as getState
  async getTxStatus(txId: string): Promise<TxStatus | undefined> {
    const cached = this.statusCache.get(txId);
    if (cached !== undefined) return cached ?? undefined;
    const raw = storeSync('read a transaction status', () => this.db.getSync(statusKey(txId)));
    const found = raw === undefined ? undefined : parse<TxStatus>(raw);
    this.statusCache.set(txId, found ?? null);
    return found;
  }

  /**
   * The sandbox clock's records, in sequence order (outside the world state:
   * the chaincode never sees them). Older data folders have none.
   */
  async getClockRecords(): Promise<unknown[]> {
    const rows = await store('read the sandbox clock', () => this.db.iterator({ gte: Buffer.of(CLOCK), lt: Buffer.of(CLOCK + 1) }).all());
    return rows.map(([, v]) => parse<unknown>(v));
  }

  /**
   * Appends the record with this sequence number, durably (`sync: true`).
   * Records are never overwritten: a sequence number already used is refused.
   */
  async appendClockRecord(sequence: number, record: object): Promise<void> {
    const key = clockKey(sequence);
    const existing = await store('read the sandbox clock', () => this.db.get(key));
    if (existing !== undefined) throw new Error(`sandbox clock record ${sequence} exists already: the record is append-only`);
    await store('write the sandbox clock', () => this.db.put(key, json(record), { sync: true }));
  }

  async getEvents(fromBlock: number, afterTxIndex?: number, limit?: number): Promise<StoredEvent[]> {
    const from = Math.max(0, fromBlock);
    const gte = afterTxIndex === undefined || fromBlock < 0 ? eventKey(from, 0) : eventKey(from, Math.max(0, afterTxIndex + 1));
    const rows = await store('read events', () =>
      this.db.iterator({ gte, lt: Buffer.of(EVENT + 1), ...(limit === undefined ? {} : { limit }) }).all(),
    );
    return rows.map(([k, v]) => {
      const { blockNumber, txIndex } = readHeight(k, 1);
      const e = parse<EventJson>(v);
      return { blockNumber, txIndex, txId: e.txId, name: e.name, payload: Buffer.from(e.payload, 'base64') };
    });
  }
}
