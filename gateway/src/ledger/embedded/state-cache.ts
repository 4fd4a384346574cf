import type { TxStatus, VersionedValue } from '../../../../chaincode/src/worldstate';

/**
 * What the embedded ledger keeps in memory in front of LevelDB, bounded in
 * bytes: committed world state (StateCache) and transaction statuses
 * (TxStatusCache).
 *
 * Committed state: a Fabric peer keeps the same in front of CouchDB (core.yaml
 * `ledger.state.couchDBConfig.cacheSize`, 64 MB by default). A full voucher
 * transfer reads about ten keys (the caller's binding and member, the piece,
 * the recipient, a freeze key per ancestor: mostly absent keys, so absence is
 * cached too), and a hit costs no call into LevelDB at all. Transaction
 * statuses: every transaction's txId is looked up before its simulation and
 * again when its block is validated (DUPLICATE_TXID); the second lookup, made
 * under the commit lock, is answered here (absence included).
 *
 * Eviction is by two generations rather than an exact LRU list: entries are
 * added to the young generation; when it fills half the bound, the old one is
 * dropped and the young one becomes old; a hit in the old generation moves
 * the entry back to the young one. So what was used within the last half of
 * the bound's worth of traffic stays, every operation is O(1), and nothing is
 * reordered on a hit in the young generation (moving each hit to the end of
 * one Map, the textbook LRU, cost more than the LevelDB reads it saved:
 * deleted slots pile up at the front of the Map and every eviction walks them).
 *
 * The cache only ever holds what LevelDB holds: LevelBackend fills it from
 * its synchronous reads and from each block it has written (see
 * `LevelBackend`). Values are copied in and out, so no caller can change
 * what it holds.
 */
export class BoundedCache<V> {
  private young = new Generation<V>();
  private old = new Generation<V>();
  private readonly generationBytes: number;

  /**
   * @param maxBytes the bound on the keys and values held; 0 holds nothing.
   * @param sizeOfValue what a value is charged, beyond its key and ENTRY_OVERHEAD.
   * @param copy how a value is copied in and out.
   */
  constructor(
    readonly maxBytes: number,
    private readonly sizeOfValue: (value: V) => number,
    private readonly copy: (value: V) => V,
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache size must be a whole number of bytes >= 0, got ${maxBytes}`);
    this.generationBytes = Math.floor(maxBytes / 2);
  }

  /** The value (null: known to be absent), or undefined when the cache does not know. */
  get(key: string): V | null | undefined {
    let found = this.young.entries.get(key);
    if (found === undefined) {
      found = this.old.entries.get(key);
      if (found === undefined) return undefined;
      this.old.remove(key, found);
      this.admit(key, found);
    }
    return found.entry === null ? null : this.copy(found.entry);
  }

  /** Records the value of `key` (null: absent). */
  set(key: string, entry: V | null): void {
    this.delete(key);
    const size = ENTRY_OVERHEAD + 2 * key.length + (entry === null ? 0 : this.sizeOfValue(entry));
    if (size > this.generationBytes) return;
    this.admit(key, { entry: entry === null ? null : this.copy(entry), size });
  }

  delete(key: string): void {
    const young = this.young.entries.get(key);
    if (young !== undefined) this.young.remove(key, young);
    const old = this.old.entries.get(key);
    if (old !== undefined) this.old.remove(key, old);
  }

  /** Keys held and their accounted bytes (for tests and diagnostics). */
  stats(): { keys: number; bytes: number } {
    return { keys: this.young.entries.size + this.old.entries.size, bytes: this.young.bytes + this.old.bytes };
  }

  private admit(key: string, held: Held<V>): void {
    if (this.young.bytes + held.size > this.generationBytes) {
      this.old = this.young;
      this.young = new Generation<V>();
    }
    this.young.entries.set(key, held);
    this.young.bytes += held.size;
  }
}

interface Held<V> {
  readonly entry: V | null;
  readonly size: number;
}

class Generation<V> {
  readonly entries = new Map<string, Held<V>>();
  bytes = 0;

  remove(key: string, held: Held<V>): void {
    this.entries.delete(key);
    this.bytes -= held.size;
  }
}

/**
 * What an entry is charged: the key (UTF-16 in a JS string), the value bytes
 * and a fixed allowance for the Map entry and the objects around it.
 */
const ENTRY_OVERHEAD = 96;

/** Committed state by key: a version and the value's bytes. */
export class StateCache extends BoundedCache<VersionedValue> {
  constructor(maxBytes: number) {
    super(maxBytes, (entry) => entry.value.length, copyVersionedValue);
  }
}

/** Transaction statuses by txId. */
export class TxStatusCache extends BoundedCache<TxStatus> {
  constructor(maxBytes: number) {
    super(maxBytes, (status) => 2 * (status.txId.length + status.validationCode.length) + 16, (status) => ({ ...status }));
  }
}

function copyVersionedValue(entry: VersionedValue): VersionedValue {
  const value = Buffer.allocUnsafe(entry.value.length);
  value.set(entry.value);
  return { version: { blockNumber: entry.version.blockNumber, txIndex: entry.version.txIndex }, value };
}
