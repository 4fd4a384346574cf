/**
 * The conflict lane: where a submit goes after its transaction was
 * invalidated by a read conflict (MVCC or phantom), so that writers racing
 * for one hot key stop racing each other.
 *
 * Why: approvals against one busy credit line all read and write that line's
 * key. With independent jittered retries, 32 approvals in flight produce one
 * winner per round and the rest retry into the same race; after the bounded
 * attempts, most of them gave up with 503 (docs/BENCHMARKS.md, "Contention on
 * one credit line"). In the lane the retries of one operation run one at a
 * time, first come first served, and a retry keeps its turn until it
 * commits or its attempts run out, so each turn ends in a commit unless a
 * fresh first attempt wins the race, and every queued submit is answered
 * within its deadline instead of 503.
 *
 * Lanes are keyed by the chaincode function (`financing:Approve`,
 * `voucher:Issue`, ...): the transactions that conflict with each other are
 * overwhelmingly the same operation on the same key, and a per-function
 * lane keeps a conflict in one kind of write from queuing the retries of
 * another. Lanes are per process: two gateways still race each other, within
 * their bounded attempts. First attempts never wait for the lane: disjoint
 * writes (the common case) pay nothing.
 *
 * A small FIFO lock of our own rather than a library: we need a per-waiter
 * deadline (a queued submit gives up when its request's budget ends, and
 * leaves the queue), which the usual mutex packages only offer per lock.
 */
/** setTimeout's largest delay; a longer wait is taken as no deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ConflictLanes {
  private readonly lanes = new Map<string, Array<() => void>>();

  /**
   * Waits for the turn in lane `key`, until `deadlineMs` (epoch ms). Answers
   * the release function, or undefined when the deadline came first (the
   * waiter has left the queue). Release exactly once.
   */
  acquire(key: string, deadlineMs: number, now: () => number = Date.now): Promise<(() => void) | undefined> {
    const queue = this.lanes.get(key);
    if (queue === undefined) {
      // Free: the lane exists while someone holds it.
      this.lanes.set(key, []);
      return Promise.resolve(this.releaser(key));
    }
    const wait = deadlineMs - now();
    if (wait <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const grant = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(this.releaser(key));
      };
      // No deadline (Infinity) waits as long as it takes.
      const timer =
        wait > MAX_TIMER_MS
          ? undefined
          : setTimeout(() => {
              const at = queue.indexOf(grant);
              if (at >= 0) queue.splice(at, 1);
              resolve(undefined);
            }, wait);
      queue.push(grant);
    });
  }

  /** Submits waiting for a turn in lane `key` (not counting the holder). */
  waiting(key: string): number {
    return this.lanes.get(key)?.length ?? 0;
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.lanes.get(key);
      const next = queue?.shift();
      if (next) next();
      else this.lanes.delete(key);
    };
  }
}
