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
 * Hot keys: a submit that joins a lane after a conflict names the keys its
 * transaction wrote, and while the lane is held those keys are hot. A fresh
 * first attempt of the same function whose endorsement writes a hot key
 * queues in the lane before it is ordered, instead of racing the holder's
 * retry (the Fabric connector, submit.ts). On a real network a retry is
 * endorsed after the block that invalidated it reaches the peers, the same
 * moment the clients answered by that block send their next requests, so
 * without this a holder raced the fresh writers of its key in each block,
 * and with 4 or 8 approvals in flight on one credit line a few holders lost
 * ten races in a row (503; docs/BENCHMARKS.md, "One busy credit line on the
 * real network"). The hot keys go with the lane:
 * when the last holder releases it, they are forgotten; a lane that stays
 * held under steady contention keeps at most MAX_HOT_KEYS, the newest.
 *
 * A small FIFO lock of our own rather than a library: we need a per-waiter
 * deadline (a queued submit gives up when its request's budget ends, and
 * leaves the queue), which the usual mutex packages only offer per lock.
 */
/** setTimeout's largest delay; a longer wait is taken as no deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Hot keys kept per lane. A lane held for hours under steady contention adds
 * a few keys per conflict; past this bound it starts again from the keys of
 * the newest conflict, which are the ones still fought over.
 */
export const MAX_HOT_KEYS = 4096;

function addHot(hot: Set<string>, keys: Iterable<string>): void {
  const fresh = [...keys];
  if (hot.size + fresh.length > MAX_HOT_KEYS) hot.clear();
  for (const k of fresh) hot.add(k);
}

interface Lane {
  queue: Array<() => void>;
  /** Keys written by the transactions that conflicted and joined the lane. */
  hot: Set<string>;
}

export class ConflictLanes {
  private readonly lanes = new Map<string, Lane>();

  /**
   * Waits for the turn in lane `key`, until `deadlineMs` (epoch ms). Answers
   * the release function, or undefined when the deadline came first (the
   * waiter has left the queue). Release exactly once. `hotKeys`: what the
   * conflicted transaction wrote, hot from now on while the lane is held.
   */
  acquire(key: string, deadlineMs: number, now: () => number = Date.now, hotKeys: Iterable<string> = []): Promise<(() => void) | undefined> {
    const lane = this.lanes.get(key);
    if (lane === undefined) {
      // Free: the lane exists while someone holds it.
      const lane: Lane = { queue: [], hot: new Set() };
      addHot(lane.hot, hotKeys);
      this.lanes.set(key, lane);
      return Promise.resolve(this.releaser(key));
    }
    addHot(lane.hot, hotKeys);
    const { queue } = lane;
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
    return this.lanes.get(key)?.queue.length ?? 0;
  }

  /** Whether lane `key` is held with hot keys: only then is a fresh attempt's write set worth reading. */
  hasHotKeys(key: string): boolean {
    return (this.lanes.get(key)?.hot.size ?? 0) > 0;
  }

  /** Adds keys a holder's transaction wrote when it conflicted again (a lane not held has none). */
  markHot(key: string, hotKeys: Iterable<string>): void {
    const lane = this.lanes.get(key);
    if (lane) addHot(lane.hot, hotKeys);
  }

  /** Whether a transaction of lane `key` writing `writes` would race the lane's holder: it writes one of its hot keys. */
  contended(key: string, writes: Iterable<string>): boolean {
    const hot = this.lanes.get(key)?.hot;
    if (!hot || hot.size === 0) return false;
    for (const w of writes) if (hot.has(w)) return true;
    return false;
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const lane = this.lanes.get(key);
      const next = lane?.queue.shift();
      if (next) next();
      else this.lanes.delete(key);
    };
  }
}
