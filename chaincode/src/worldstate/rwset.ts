import { compareKeys } from './keys';
import type { RangeQueryRecord, ReadRecord, ReadWriteSet, Version, WriteRecord } from './types';

/** A range query being recorded while its iterator is read. */
export interface MutableRangeQuery {
  startKey: string;
  endKey: string;
  itrExhausted: boolean;
  results: ReadRecord[];
}

export interface RecordedEvent {
  readonly name: string;
  /** A string is what the chaincode passed; it becomes bytes as fabric-shim sends it (chaincodeEvent in world-state.ts). */
  readonly payload: Uint8Array | string;
}

/**
 * Collects what one simulation read and wrote, with Fabric's rules: reads
 * keep the committed version seen, writes keep the last value per key, an
 * empty value is a delete, and paginated queries exclude writes (both ways).
 */
export class RwsetBuilder {
  private readonly reads = new Map<string, Version | null>();
  private readonly rangeQueries: MutableRangeQuery[] = [];
  private readonly writes = new Map<string, WriteRecord>();
  private writePerformed = false;
  private paginatedQueryPerformed = false;
  event: RecordedEvent | undefined;

  constructor(private readonly txId: string) {}

  addRead(key: string, version: Version | null): void {
    this.reads.set(key, version);
  }

  openRangeQuery(startKey: string): MutableRangeQuery {
    const record: MutableRangeQuery = { startKey, endKey: '', itrExhausted: false, results: [] };
    this.rangeQueries.push(record);
    return record;
  }

  /** Fabric's txSimulator.checkWritePrecondition: a write after a paginated query fails. */
  checkWrite(): void {
    if (this.paginatedQueryPerformed) {
      throw new Error(
        `txid [${this.txId}]: unsupported transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    this.writePerformed = true;
  }

  /** Fabric's txSimulator.checkBeforePaginatedQueries: a paginated query after a write fails. */
  checkPaginatedQuery(): void {
    if (this.writePerformed) {
      throw new Error(
        `txid [${this.txId}]: unsupported transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    this.paginatedQueryPerformed = true;
  }

  addWrite(key: string, value: Uint8Array): void {
    // Fabric's rwset builder marks a write with an empty value as a delete.
    const isDelete = value.length === 0;
    this.writes.set(key, { key, isDelete, value: isDelete ? Buffer.alloc(0) : Buffer.from(value) });
  }

  build(): ReadWriteSet {
    const reads = [...this.reads.entries()]
      .map(([key, version]) => ({ key, version }))
      .sort((a, b) => compareKeys(a.key, b.key));
    // A query whose iterator gave nothing and was not exhausted covered no key:
    // there is nothing for a phantom to appear in.
    const rangeQueries: RangeQueryRecord[] = this.rangeQueries
      .filter((q) => q.itrExhausted || q.results.length > 0)
      .map((q) => ({ startKey: q.startKey, endKey: q.endKey, itrExhausted: q.itrExhausted, results: [...q.results] }));
    const writes = [...this.writes.values()].sort((a, b) => compareKeys(a.key, b.key));
    return { reads, rangeQueries, writes };
  }
}
