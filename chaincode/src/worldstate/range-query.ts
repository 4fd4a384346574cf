import { keySuccessor } from './keys';
import type { MutableRangeQuery } from './rwset';
import type { StateBackend, StateEntry } from './types';

/**
 * How many results the peer hands the chaincode per round trip: Fabric's
 * QueryResponseGenerator.MaxResultLimit (core/chaincode/chaincode_support.go).
 */
export const QUERY_BATCH_SIZE = 100;

/**
 * The most results one query gives the chaincode: core.yaml
 * `ledger.state.totalQueryLimit`, 100000 in every Fabric sample configuration.
 * The peer ends a range or history query there without an error
 * (core/chaincode/handler.go calculateTotalReturnLimit, then
 * query_response_generator.go BuildQueryResponse), and caps a paginated
 * query's pageSize by it.
 */
export const TOTAL_QUERY_LIMIT = 100_000;

/**
 * Records rows the peer's iterator returned (txmgr resultsItr.updateRangeQueryInfo):
 * each key joins the results and becomes the end key; an iterator that ran
 * out (`exhausted`) is marked so, with the queried end key.
 */
export function recordFetched(record: MutableRangeQuery, rows: readonly StateEntry[], exhausted: boolean, endKey: string): void {
  for (const r of rows) record.results.push({ key: r.key, version: r.version });
  const last = rows[rows.length - 1];
  if (exhausted) {
    record.itrExhausted = true;
    record.endKey = endKey;
  } else if (last) {
    record.endKey = last.key;
  }
}

/**
 * A range query without pagination as the peer runs it, batch by batch
 * (BuildQueryResponse): for each batch it calls its iterator's Next() until
 * QUERY_BATCH_SIZE results are pending and one more has arrived, which opens
 * the next batch, or until Next() gives nothing (the iterator is exhausted),
 * or until TOTAL_QUERY_LIMIT results were returned (then Next() is not called
 * again). Every Next() is recorded for phantom validation, so the record
 * covers the results fetched, one ahead of the chaincode's batches. Each
 * batch is one scan of the backend.
 */
export class PeerRangeQuery {
  private pending: StateEntry[] = [];
  private returned = 0;
  private cursor: string;
  private finished = false;

  constructor(
    private readonly backend: StateBackend,
    private readonly record: MutableRangeQuery,
    startKey: string,
    private readonly endKey: string,
    private readonly limit = TOTAL_QUERY_LIMIT,
  ) {
    this.cursor = startKey;
  }

  /** The next batch for the chaincode; `undefined` once the peer said there is no more. */
  async nextBatch(): Promise<StateEntry[] | undefined> {
    if (this.finished) return undefined;
    // Next() calls this batch makes: until a result overflows the batch, within the limit.
    const wanted = Math.min(this.limit - this.returned, QUERY_BATCH_SIZE - this.pending.length + 1);
    const rows = wanted > 0 ? await this.backend.rangeScan(this.cursor, this.endKey, wanted) : [];
    const exhausted = rows.length < wanted;
    recordFetched(this.record, rows, exhausted, this.endKey);
    this.returned += rows.length;
    const last = rows[rows.length - 1];
    if (last) this.cursor = keySuccessor(last.key);
    const all = this.pending.length === 0 ? rows : this.pending.concat(rows);
    if (all.length > QUERY_BATCH_SIZE) {
      // The result past a full batch waits for the chaincode's next request (HasMore).
      this.pending = all.slice(QUERY_BATCH_SIZE);
      return all.slice(0, QUERY_BATCH_SIZE);
    }
    this.pending = [];
    this.finished = true;
    return all;
  }
}
