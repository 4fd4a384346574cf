import { compareKeys } from './keys';
import type {
  BlockCommit,
  BlockRecord,
  HistoryEntry,
  StateBackend,
  StateEntry,
  StoredEvent,
  TxStatus,
  VersionedValue,
} from './types';

const copy = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

/**
 * A StateBackend held in memory: for contract tests and evaluation. Keys are
 * kept in a sorted array (UTF-8 byte order) beside a map; applyBlock makes all
 * its changes without yielding, so it is atomic for every reader.
 */
export class MemoryBackend implements StateBackend {
  private readonly state = new Map<string, VersionedValue>();
  private sortedKeys: string[] = [];
  private readonly history = new Map<string, HistoryEntry[]>();
  private readonly blocks: BlockRecord[] = [];
  private readonly statuses = new Map<string, TxStatus>();
  private readonly events: StoredEvent[] = [];

  getState(key: string): Promise<VersionedValue | undefined> {
    const found = this.state.get(key);
    return Promise.resolve(found && { value: copy(found.value), version: found.version });
  }

  rangeScan(startKey: string, endKey: string, limit?: number): Promise<StateEntry[]> {
    const out: StateEntry[] = [];
    const max = limit ?? Number.POSITIVE_INFINITY;
    for (let i = this.lowerBound(startKey); i < this.sortedKeys.length && out.length < max; i++) {
      const key = this.sortedKeys[i] as string;
      if (endKey !== '' && compareKeys(key, endKey) >= 0) break;
      const entry = this.state.get(key) as VersionedValue;
      out.push({ key, value: copy(entry.value), version: entry.version });
    }
    return Promise.resolve(out);
  }

  getHistory(key: string): Promise<HistoryEntry[]> {
    const entries = this.history.get(key) ?? [];
    return Promise.resolve(entries.map((e) => ({ ...e, value: copy(e.value) })).reverse());
  }

  applyBlock(commit: BlockCommit): Promise<void> {
    const expected = this.blocks.length;
    if (commit.block.number !== expected) {
      return Promise.reject(new Error(`block ${commit.block.number} does not follow the last block: expected ${expected}`));
    }
    // Everything below is synchronous: no reader can observe half a block.
    const added: string[] = [];
    const removed = new Set<string>();
    for (const w of commit.writes) {
      if (w.value === null) {
        if (this.state.delete(w.key)) removed.add(w.key);
      } else {
        if (!this.state.has(w.key)) added.push(w.key);
        this.state.set(w.key, { value: copy(w.value), version: w.version });
      }
    }
    this.reindex(added, removed);
    for (const h of commit.history) {
      const list = this.history.get(h.key) ?? [];
      list.push({ ...h, value: copy(h.value) });
      this.history.set(h.key, list);
    }
    for (const s of commit.statuses) {
      if (!this.statuses.has(s.txId)) this.statuses.set(s.txId, s);
    }
    for (const e of commit.events) this.events.push({ ...e, payload: copy(e.payload) });
    this.blocks.push(structuredClone(commit.block));
    return Promise.resolve();
  }

  getBlock(blockNumber: number): Promise<BlockRecord | undefined> {
    const block = this.blocks[blockNumber];
    return Promise.resolve(block && structuredClone(block));
  }

  getLastBlock(): Promise<BlockRecord | undefined> {
    const block = this.blocks[this.blocks.length - 1];
    return Promise.resolve(block && structuredClone(block));
  }

  getTxStatus(txId: string): Promise<TxStatus | undefined> {
    return Promise.resolve(this.statuses.get(txId));
  }

  getEvents(fromBlock: number, afterTxIndex?: number, limit?: number): Promise<StoredEvent[]> {
    const max = limit ?? Number.POSITIVE_INFINITY;
    const out: StoredEvent[] = [];
    for (const e of this.events) {
      if (out.length >= max) break;
      const after =
        e.blockNumber > fromBlock || (e.blockNumber === fromBlock && (afterTxIndex === undefined || e.txIndex > afterTxIndex));
      if (after) out.push({ ...e, payload: copy(e.payload) });
    }
    return Promise.resolve(out);
  }

  private lowerBound(key: string): number {
    return lowerBound(this.sortedKeys, key);
  }

  /**
   * Brings the sorted key list up to date once per block: one pass that
   * copies the untouched runs, instead of one splice (a shift of the whole
   * tail) per key.
   */
  private reindex(added: string[], removed: ReadonlySet<string>): void {
    if (added.length === 0 && removed.size === 0) return;
    const kept = removed.size === 0 ? this.sortedKeys : withoutKeys(this.sortedKeys, removed);
    if (added.length === 0) {
      this.sortedKeys = kept;
      return;
    }
    added.sort(compareKeys);
    const runs: string[][] = [];
    let from = 0;
    for (const key of added) {
      const at = lowerBound(kept, key);
      runs.push(kept.slice(from, at), [key]);
      from = at;
    }
    runs.push(kept.slice(from));
    this.sortedKeys = ([] as string[]).concat(...runs);
  }
}

/** Index of the first key >= `key` in a byte-ordered list. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The list without the given keys (each present in it), copied run by run between them. */
function withoutKeys(keys: readonly string[], removed: ReadonlySet<string>): string[] {
  const at = [...removed].map((key) => lowerBound(keys, key)).sort((a, b) => a - b);
  const runs: string[][] = [];
  let from = 0;
  for (const i of at) {
    runs.push(keys.slice(from, i));
    from = i + 1;
  }
  runs.push(keys.slice(from));
  return ([] as string[]).concat(...runs);
}
