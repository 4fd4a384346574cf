import type { ChaincodeStub, Iterators } from 'fabric-shim-api';
import { DomainError } from '../domain/errors';
import { marshal, unmarshal } from './codec';
import { INDEX_VALUE, type IndexSpec, type RecordSpec } from './keys';
import { batchingOf, getMultiple, writeBatch } from './peer-batch';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** The most keys one `scan` reads: far below a peer's totalQueryLimit (100,000), a few round trips of 100. */
export const MAX_SCAN_KEYS = 1000;

/** A prefix of index keys to scan: the index name and the leading attributes. */
export interface Prefix {
  readonly index: string;
  readonly attrs: readonly string[];
}

/**
 * One party's entries of a `[party, status, id]` index, one prefix per
 * status in the order given: a list by party reads its statuses in
 * lifecycle order (domain/statemachine lifecycleOrder), so a record whose
 * status moves on during a paged walk lands in a prefix still to come.
 */
export function statusPrefixes(index: string, party: string, statuses: readonly string[]): Prefix[] {
  return statuses.map((status) => ({ index, attrs: [party, status] }));
}

/**
 * One party's entries: those of one status from its `[party, status, id]`
 * index, or all of them from its `[party, id]` index (no status in the key,
 * so a record whose status changes during a paged walk, back and forth
 * included, keeps its place and is met once).
 */
export function partyPrefix(byStatus: string, all: string, party: string, status: string | undefined): Prefix {
  return status ? { index: byStatus, attrs: [party, status] } : { index: all, attrs: [party] };
}

/**
 * Whether the record, as read, is also under a prefix the walk reads before
 * prefix `p` (a member's own list names it as creditor and as the bank it is
 * assigned to, say): it is met there, not again. A record whose status moved
 * it since an earlier prefix was read is not under that prefix any more, so
 * it is met again under its new one, as lists promise.
 */
function metBefore<T>(spec: RecordSpec<T>, record: T, prefixes: readonly Prefix[], p: number): boolean {
  for (let q = 0; q < p; q++) {
    const earlier = prefixes[q] as Prefix;
    const attrs = spec.indexes.find((i) => i.name === earlier.index)?.attrs(record);
    if (attrs !== undefined && earlier.attrs.every((a, k) => attrs[k] === a)) return true;
  }
  return false;
}

export interface Page<T> {
  records: T[];
  /** Empty when there is nothing more. */
  bookmark: string;
  fetchedCount: number;
}

export interface HistoryVersion<T> {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  /** The member whose transaction wrote this version (the record's updatedBy); null for a delete. */
  actor: string | null;
  record: T | null;
}

/**
 * Writes held back until the transaction ends, per stub, when the peer takes
 * write batches (peer-batch.ts): insertion-ordered, the last write of a key
 * wins, as it would on the peer. Reads never see them either way (Fabric
 * has no read-your-writes), so holding them back changes only the number
 * of messages. `flushWrites` sends them; ScfContract calls it after every
 * transaction.
 */
const heldWrites = new WeakMap<ChaincodeStub, Map<string, Uint8Array | null>>();

/**
 * Committed values read ahead (Store.readAhead), per stub. Fabric's reads
 * see committed state only and a transaction's simulation sees it fixed, so
 * a value read ahead is the value a later read would get.
 */
const readAhead = new WeakMap<ChaincodeStub, Map<string, Uint8Array>>();

/** A record's key as the store names it: its type and attributes. */
export type RecordRef = readonly [type: string, attrs: readonly string[]];

/** Sends the writes held back for this transaction, if any (a no-op without batching). */
export async function flushWrites(stub: ChaincodeStub): Promise<void> {
  const held = heldWrites.get(stub);
  if (!held || held.size === 0) return;
  heldWrites.delete(stub);
  await writeBatch(stub, [...held]);
}

interface Bookmark {
  /** Which prefix of the list the scan is in. */
  p: number;
  /** Fabric's bookmark inside that prefix. */
  b: string;
}

/**
 * Typed access to the world state of one transaction. Reads see committed
 * state only (Fabric has no read-your-writes), so callers read every record
 * they need first and write each at most once.
 */
export class Store {
  /**
   * A dry-run store reads as usual and discards every write: dual control
   * runs the operation this way to validate a maker's request before it
   * records the approval.
   */
  constructor(
    private readonly stub: ChaincodeStub,
    private readonly options: { dryRun?: boolean } = {},
  ) {}

  private async write(key: string, value: Uint8Array | null): Promise<void> {
    if (this.options.dryRun) return;
    if (batchingOf(this.stub)?.maxWrites) {
      let held = heldWrites.get(this.stub);
      if (!held) heldWrites.set(this.stub, (held = new Map<string, Uint8Array | null>()));
      held.set(key, value);
      return;
    }
    if (value === null) await this.stub.deleteState(key);
    else await this.stub.putState(key, value);
  }

  /**
   * The composite key of a record or index entry. Every part is checked here,
   * in our code, because the Node shim does not: fabric-shim accepts U+0000
   * (the part separator) and U+10FFFF (the end of a prefix range) inside a
   * part, so `['a\u0000b']` and `['a', 'b']` would be one key on a peer.
   */
  key(type: string, attrs: readonly string[]): string {
    assertKeyPart(type);
    for (const part of attrs) assertKeyPart(part);
    return this.stub.createCompositeKey(type, [...attrs]);
  }

  async get<T>(type: string, attrs: readonly string[]): Promise<T | undefined> {
    const key = this.key(type, attrs);
    const bytes = readAhead.get(this.stub)?.get(key) ?? (await this.stub.getState(key));
    return bytes && bytes.length > 0 ? unmarshal<T>(bytes) : undefined;
  }

  /**
   * Several records of one type, in the order asked (undefined where absent):
   * one message to a peer that takes multi-key reads, the keys side by side
   * otherwise (the Node shim still sends those one after another).
   */
  async getMany<T>(type: string, attrsList: readonly (readonly string[])[]): Promise<Array<T | undefined>> {
    const values = await this.valuesOf(attrsList.map((attrs) => this.key(type, attrs)));
    return values.map((bytes) => (bytes && bytes.length > 0 ? unmarshal<T>(bytes) : undefined));
  }

  /**
   * On a peer that takes multi-key reads, reads in one message the records
   * an operation is about to read one after another (the caller's request
   * record, the piece, the recipient, the freeze keys of both), so that its
   * later `get`s and `getMany`s are answered without another round trip. It
   * changes no answer and no check's order: only when the keys are read.
   * Elsewhere it does nothing and each key is read when asked for, as
   * before. A key read ahead joins the transaction's read set even if no
   * check needs it after all (a refusal on an earlier check), so name only
   * keys the operation reads on its way to success. A ref with a part that
   * is not a valid key part is skipped: the read that needs it fails with
   * the usual error at its usual place.
   */
  async readAheadOf(refs: readonly RecordRef[]): Promise<void> {
    if (!batchingOf(this.stub)?.maxReads) return;
    const keys: string[] = [];
    for (const [type, attrs] of refs) {
      if (![type, ...attrs].every(isKeyPart)) continue;
      keys.push(this.key(type, attrs));
    }
    await this.readMany(keys);
  }

  /**
   * The committed values of `keys`, in order (empty where absent): one
   * message to a peer that takes multi-key reads, the keys side by side
   * otherwise (the Node shim still sends those one after another).
   */
  private async valuesOf(keys: readonly string[]): Promise<Uint8Array[]> {
    return batchingOf(this.stub)?.maxReads ? this.readMany(keys) : Promise.all(keys.map((key) => this.stub.getState(key)));
  }

  /** `keys` through the read-ahead values, the missing ones in one multi-key read (which keeps them). */
  private async readMany(keys: readonly string[]): Promise<Uint8Array[]> {
    let known = readAhead.get(this.stub);
    if (!known) readAhead.set(this.stub, (known = new Map<string, Uint8Array>()));
    const missing = [...new Set(keys.filter((key) => !known.has(key)))];
    if (missing.length > 0) {
      const values = await getMultiple(this.stub, missing);
      missing.forEach((key, i) => known.set(key, values[i] ?? new Uint8Array(0)));
    }
    return keys.map((key) => known.get(key) ?? new Uint8Array(0));
  }

  async put(type: string, attrs: readonly string[], record: unknown): Promise<void> {
    await this.write(this.key(type, attrs), marshal(record));
  }

  async delete(type: string, attrs: readonly string[]): Promise<void> {
    await this.write(this.key(type, attrs), null);
  }

  /**
   * Writes a record and brings its index entries from `before` to `after`:
   * stale entries are deleted, new ones written, unchanged ones left alone.
   */
  async save<T>(spec: RecordSpec<T>, before: T | undefined, after: T): Promise<void> {
    await this.put(spec.type, spec.key(after), after);
    for (const index of spec.indexes) {
      const oldKey = this.indexKey(index, before);
      const newKey = this.indexKey(index, after);
      if (oldKey === newKey) continue;
      if (oldKey !== undefined) await this.write(oldKey, null);
      if (newKey !== undefined) await this.write(newKey, INDEX_VALUE);
    }
  }

  /**
   * Writes the index entries `records` should have and do not (a ledger
   * written before an index existed), and returns, per index, the keys of the
   * records whose entry was written. Entries present are left alone (not
   * rewritten, so no other transaction's read of them is disturbed), and
   * the records themselves are not written: their key history is unchanged.
   * An entry the record no longer matches is not looked for (the id is the
   * last key part, so it cannot be found from the record); readers filter
   * on the record itself.
   */
  async repairIndexes<T>(spec: RecordSpec<T>, records: readonly T[]): Promise<Record<string, string[][]>> {
    const wanted: Array<{ index: string; id: string[]; key: string }> = [];
    for (const record of records) {
      const id = spec.key(record);
      for (const index of spec.indexes) {
        const key = this.indexKey(index, record);
        if (key !== undefined) wanted.push({ index: index.name, id, key });
      }
    }
    const keys = wanted.map((w) => w.key);
    const values = await this.valuesOf(keys);
    const repaired: Record<string, string[][]> = {};
    for (const [i, entry] of wanted.entries()) {
      const present = values[i];
      if (present && present.length > 0) continue;
      await this.write(entry.key, INDEX_VALUE);
      (repaired[entry.index] ??= []).push(entry.id);
    }
    return repaired;
  }

  /** Deletes a record and its index entries. */
  async remove<T>(spec: RecordSpec<T>, record: T): Promise<void> {
    await this.delete(spec.type, spec.key(record));
    for (const index of spec.indexes) {
      const key = this.indexKey(index, record);
      if (key !== undefined) await this.write(key, null);
    }
  }

  private indexKey<T>(index: IndexSpec<T>, record: T | undefined): string | undefined {
    if (record === undefined) return undefined;
    const attrs = index.attrs(record);
    return attrs === undefined ? undefined : this.key(index.name, attrs);
  }

  /** The first id under a prefix (index order), reading one entry only. */
  async firstId(prefix: Prefix): Promise<string | undefined> {
    const iterator = await this.stub.getStateByPartialCompositeKey(prefix.index, [...prefix.attrs]);
    try {
      const next = await iterator.next();
      return next.value ? this.lastAttribute(next.value.key) : undefined;
    } finally {
      await iterator.close();
    }
  }

  /** Ids (the last attribute) of every index entry under a prefix, in key order. */
  async ids(prefix: Prefix): Promise<string[]> {
    const out: string[] = [];
    const iterator = await this.stub.getStateByPartialCompositeKey(prefix.index, [...prefix.attrs]);
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.value) out.push(this.lastAttribute(next.value.key));
        if (next.done) break;
      }
    } finally {
      await iterator.close();
    }
    return out;
  }

  /**
   * One page of records found through index prefixes scanned in order,
   * keeping those `accept` lets through (it is told which prefix the record
   * was found under). Paginated queries are allowed in read-only
   * transactions only, as on Fabric.
   */
  async page<T>(
    spec: RecordSpec<T>,
    prefixes: readonly Prefix[],
    pageSizeArg: number | undefined,
    bookmarkArg: string | undefined,
    accept: (record: T, prefix: Prefix) => boolean | Promise<boolean>,
  ): Promise<Page<T>> {
    return this.walk(spec, prefixes, checkedPageSize(pageSizeArg, MAX_PAGE_SIZE), bookmarkArg, accept, { byIndex: true, countKeys: false });
  }

  /**
   * Like `page`, but bounded by the keys read rather than the records kept:
   * at most `keys` keys per call, whatever `accept` lets through, so one
   * evaluation's work (and a Fabric peer's range query) stays bounded even
   * when few keys match. With `records: true` the prefix is of the record
   * keys themselves (`{index: spec.type, attrs: []}` is every record of the
   * type) and each record comes with its key, in one range query, instead
   * of an index entry followed by a read of the record. A page may then
   * hold no record and still have a bookmark.
   */
  async scan<T>(
    spec: RecordSpec<T>,
    source: { records: true; prefix: Prefix } | { records: false; prefixes: readonly Prefix[] },
    keys: number,
    bookmarkArg: string | undefined,
    accept: (record: T, prefix: Prefix) => boolean | Promise<boolean>,
  ): Promise<Page<T>> {
    const prefixes = source.records ? [source.prefix] : source.prefixes;
    return this.walk(spec, prefixes, checkedPageSize(keys, MAX_SCAN_KEYS), bookmarkArg, accept, { byIndex: !source.records, countKeys: true });
  }

  private async walk<T>(
    spec: RecordSpec<T>,
    prefixes: readonly Prefix[],
    pageSize: number,
    bookmarkArg: string | undefined,
    accept: (record: T, prefix: Prefix) => boolean | Promise<boolean>,
    how: { byIndex: boolean; countKeys: boolean },
  ): Promise<Page<T>> {
    let cursor = decodeBookmark(bookmarkArg, prefixes.length);
    const records: T[] = [];
    let counted = 0;
    while (cursor && counted < pageSize) {
      const prefix = prefixes[cursor.p];
      if (!prefix) break;
      // Fabric starts the page at the bookmark and ends it at the prefix's end:
      // a bookmark from outside the prefix would list another index's (or
      // another member's) entries as if they matched this query.
      if (cursor.b !== '' && (!cursor.b.startsWith(this.key(prefix.index, prefix.attrs)) || !isWellFormed(cursor.b))) throw notOurBookmark();
      const { iterator, metadata } = await this.stub.getStateByPartialCompositeKeyWithPagination(
        prefix.index,
        [...prefix.attrs],
        pageSize - counted,
        cursor.b,
      );
      const found = await this.collect(iterator);
      // Through an index, the batch's records are asked for together (getMany):
      // one message to a peer that takes multi-key reads. Order is kept.
      const batch = how.byIndex
        ? await this.getMany<T>(spec.type, found.map(({ key }) => this.recordKeyOf(spec, key)))
        : found.map(({ value }) => (value.length > 0 ? unmarshal<T>(value) : undefined));
      for (const record of batch) {
        if (record === undefined || metBefore(spec, record, prefixes, cursor.p) || !(await accept(record, prefix))) continue;
        records.push(record);
        if (!how.countKeys) counted += 1;
      }
      if (how.countKeys) counted += found.length;
      const exhausted = found.length === 0 || !metadata.bookmark;
      cursor = exhausted
        ? cursor.p + 1 < prefixes.length
          ? { p: cursor.p + 1, b: '' }
          : undefined
        : { p: cursor.p, b: metadata.bookmark };
    }
    // Only what the caller may see is counted: a count of hidden rows would tell
    // a non-party how many records another member holds.
    return { records, bookmark: cursor ? encodeBookmark(cursor) : '', fetchedCount: records.length };
  }

  /** Every committed version of a record, newest first (Fabric key history). */
  async history<T>(type: string, attrs: readonly string[]): Promise<HistoryVersion<T>[]> {
    const iterator = await this.stub.getHistoryForKey(this.key(type, attrs));
    const out: HistoryVersion<T>[] = [];
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.value) {
          const mod = next.value;
          const record = mod.isDelete || !mod.value || mod.value.length === 0 ? null : unmarshal<T>(mod.value);
          const actor = (record as { updatedBy?: unknown } | null)?.updatedBy;
          out.push({
            txId: mod.txId,
            timestamp: timestampToIso(mod.timestamp),
            isDelete: mod.isDelete,
            actor: typeof actor === 'string' ? actor : null,
            record,
          });
        }
        if (next.done) break;
      }
    } finally {
      await iterator.close();
    }
    return out;
  }

  private async collect(iterator: Iterators.StateQueryIterator): Promise<Array<{ key: string; value: Uint8Array }>> {
    const rows: Array<{ key: string; value: Uint8Array }> = [];
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.value) rows.push({ key: next.value.key, value: next.value.value });
        if (next.done) break;
      }
    } finally {
      await iterator.close();
    }
    return rows;
  }

  /** The record's key an index entry ends with (its last `keyParts` attributes). */
  private recordKeyOf<T>(spec: RecordSpec<T>, compositeKey: string): string[] {
    const { attributes } = this.stub.splitCompositeKey(compositeKey);
    const parts = spec.keyParts ?? 1;
    if (attributes.length < parts) throw new Error(`index key without a record key: ${JSON.stringify(compositeKey)}`);
    return attributes.slice(attributes.length - parts);
  }

  private lastAttribute(compositeKey: string): string {
    const { attributes } = this.stub.splitCompositeKey(compositeKey);
    const last = attributes[attributes.length - 1];
    if (last === undefined) throw new Error(`index key without attributes: ${JSON.stringify(compositeKey)}`);
    return last;
  }
}

function checkedPageSize(value: number | undefined, max: number): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new DomainError('VALIDATION_FAILED', `pageSize must be an integer from 1 to ${max}`);
  }
  return size;
}

function encodeBookmark(b: Bookmark): string {
  return Buffer.from(JSON.stringify(b), 'utf8').toString('base64url');
}

function decodeBookmark(raw: string | undefined, prefixCount: number): Bookmark | undefined {
  if (raw === undefined || raw === '') return prefixCount > 0 ? { p: 0, b: '' } : undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Bookmark;
    if (Number.isInteger(parsed.p) && parsed.p >= 0 && parsed.p < prefixCount && typeof parsed.b === 'string') {
      return parsed;
    }
  } catch {
    // fall through to the error below
  }
  throw notOurBookmark();
}

/** No lone surrogate (a key is UTF-8 on the peer; one that cannot be encoded is no key this query returned). */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function notOurBookmark(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'bookmark is not one this query returned');
}

function isKeyPart(part: string): boolean {
  return !part.includes('\u0000') && !part.includes('\u{10FFFF}');
}

function assertKeyPart(part: string): void {
  if (!isKeyPart(part)) {
    throw new DomainError('VALIDATION_FAILED', `a key part may not contain U+0000 or U+10FFFF: ${JSON.stringify(part)}`);
  }
}

/** Fabric timestamps carry seconds as a number or a protobuf Long. */
export function timestampToIso(ts: { seconds: number | { toString(): string }; nanos: number }): string {
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : Number(ts.seconds.toString());
  return new Date(seconds * 1000 + Math.floor(ts.nanos / 1e6)).toISOString();
}
