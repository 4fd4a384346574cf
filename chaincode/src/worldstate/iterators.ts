/**
 * Iterators with the shape fabric-shim gives chaincode: `next()` resolves to
 * `{value, done: false}` per result and then to `{done: true}`; `close()`
 * releases the query. The promise returned by a query method is also async
 * iterable (`for await (const kv of stub.getStateByRange(a, b))`), closing the
 * iterator when the loop ends or breaks.
 */

export interface QueryIterator<T> {
  next(): Promise<{ value: T; done: false } | { value?: undefined; done: true }>;
  close(): Promise<void>;
}

/** A result from a state query, as fabric-shim builds it: only key and value. */
export interface QueryKV {
  key: string;
  value: Buffer;
}

/** A history result; the timestamp is a plain-number object, as fabric-shim's `toObject()` gives. */
export interface QueryKeyModification {
  txId: string;
  value: Buffer;
  isDelete: boolean;
  timestamp: { seconds: number; nanos: number };
}

/** Pulls results in batches from `fetch` until it reports the end. */
export class BatchedIterator<T> implements QueryIterator<T> {
  private buffer: T[];
  private position = 0;
  private closed = false;

  /**
   * @param first the batch already fetched when the query was opened
   * @param more fetches the next batch; `undefined` when there is nothing more
   * @param guard throws when the transaction this iterator belongs to is over
   */
  constructor(
    first: T[],
    private readonly more: () => Promise<T[] | undefined>,
    private readonly guard: () => void,
  ) {
    this.buffer = first;
  }

  async next(): Promise<{ value: T; done: false } | { value?: undefined; done: true }> {
    this.guard();
    if (this.closed) return { done: true };
    while (this.position >= this.buffer.length) {
      const batch = await this.more();
      if (batch === undefined) return { done: true };
      this.buffer = batch;
      this.position = 0;
    }
    const value = this.buffer[this.position++] as T;
    return { value, done: false };
  }

  close(): Promise<void> {
    this.closed = true;
    this.buffer = [];
    return Promise.resolve();
  }
}

/**
 * Makes a promise of an iterator (or of `{iterator, …}`) usable with
 * `for await`, the way fabric-shim's query methods are.
 */
export function asyncIterablePromise<R extends QueryIterator<T> | { iterator: QueryIterator<T> }, T>(
  promise: Promise<R>,
): Promise<R> & AsyncIterable<T> {
  const iterable = promise as Promise<R> & AsyncIterable<T>;
  iterable[Symbol.asyncIterator] = () => {
    let iterator: QueryIterator<T> | undefined;
    const resolve = async (): Promise<QueryIterator<T>> => {
      if (!iterator) {
        const resolved = await promise;
        iterator = 'iterator' in resolved ? resolved.iterator : resolved;
      }
      return iterator;
    };
    return {
      next: async (): Promise<IteratorResult<T>> => {
        const it = await resolve();
        const result = await it.next();
        if (result.done) {
          await it.close();
          return { done: true, value: undefined };
        }
        return { done: false, value: result.value };
      },
      return: async (): Promise<IteratorResult<T>> => {
        if (iterator) await iterator.close();
        return { done: true, value: undefined };
      },
    };
  };
  return iterable;
}

/** A rejected query promise that still fails inside `for await` with its own error. */
export function rejectedQuery<T>(error: Error): Promise<never> & AsyncIterable<T> {
  const promise = Promise.reject(error) as Promise<never> & AsyncIterable<T>;
  // Mark as handled for callers that only iterate; iteration rethrows below.
  promise.catch(() => undefined);
  promise[Symbol.asyncIterator] = () => ({
    next: () => Promise.reject(error),
  });
  return promise;
}
