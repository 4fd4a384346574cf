/**
 * Read-your-writes across organisations. The gateway talks to one peer per
 * org; a submit returns once the submitting identity's own peer has
 * committed the block. Another org's peer may commit it a moment later, so a
 * supplier (PlatformMSP) transferring a voucher the core enterprise (CoreMSP)
 * has just issued could be told 404 NOT_FOUND by its own peer: measured under
 * load on the reference network. The fault suite found it.
 *
 * So the connector remembers the newest block any of its submits committed
 * in, and what it knows of each org's peer height; before a call through an
 * org's peer that may lag behind that block, it waits (bounded) until that
 * peer has committed it. A peer that does not catch up in time is asked
 * anyway: the call then sees the state it sees, as before.
 */
export interface HeightTrackerOptions {
  /** How long to wait for a lagging peer, ms. */
  maxWaitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class HeightTracker {
  /** Height the gateway's own writes require: newest committed block + 1. */
  private required = 0;
  private readonly known = new Map<string, number>();
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(opts: HeightTrackerOptions = {}) {
    // 15 s, not the 3 s first chosen: a peer whose block source is an
    // orderer that stopped or lost its link gets no block until it switches
    // orderers or the fault heals, and the fault suite (faults 2 and 3, 10 s
    // each) saw such a peer still behind after 3 s, which turned a valid
    // confirm and split into 404 NOT_FOUND. A healthy peer catches up in
    // milliseconds, so the bound only matters when one lags.
    this.maxWaitMs = opts.maxWaitMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 25;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  /** A submit through `mspId`'s peer committed in `blockNumber`: that peer has it. */
  committed(mspId: string, blockNumber: number): void {
    const height = blockNumber + 1;
    this.required = Math.max(this.required, height);
    this.known.set(mspId, Math.max(this.known.get(mspId) ?? 0, height));
  }

  /**
   * Resolves once `mspId`'s peer has every block the gateway's writes
   * committed in (or the wait is up); `height` asks that peer its channel
   * height (blocks: last block number + 1). Answers the height the peer last
   * reported, or undefined when it was not asked (known to be caught up) or
   * could not answer.
   */
  async caughtUp(mspId: string, height: () => Promise<number>): Promise<number | undefined> {
    if ((this.known.get(mspId) ?? 0) >= this.required) return undefined;
    const end = this.now() + this.maxWaitMs;
    for (;;) {
      const target = this.required;
      let h: number;
      try {
        h = await height();
      } catch {
        return undefined; // the call itself will report an unreachable peer
      }
      this.known.set(mspId, Math.max(this.known.get(mspId) ?? 0, h));
      if (h >= target || this.now() >= end) return h;
      await this.sleep(this.pollMs);
    }
  }

  /**
   * A submit is endorsed by other orgs' peers too (MAJORITY), and `caughtUp`
   * waits for the caller's own peer only. Another endorser may still lack
   * the gateway's writes (its block source was an orderer cut off the
   * network: the fault suite's fault 3), and its chaincode then refuses from
   * older state: 404 for a piece the caller was just given. So when `call`
   * is refused on state (`refusedOnState`) while one of `peers` may be
   * behind, wait until they have the gateway's writes (bounded, as
   * `caughtUp`) and run it once more. A refused endorsement ordered
   * nothing, so running it again is safe; a refusal that stands is answered
   * as before. Costs nothing while calls succeed.
   */
  async withEndorsersCaughtUp<T>(
    call: () => Promise<T>,
    peers: ReadonlyMap<string, () => Promise<number>>,
    refusedOnState: (err: unknown) => boolean,
  ): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!refusedOnState(err)) throw err;
      const behind = [...peers].filter(([mspId]) => (this.known.get(mspId) ?? 0) < this.required);
      if (behind.length === 0) throw err;
      await Promise.all(behind.map(([mspId, height]) => this.caughtUp(mspId, height)));
      return call();
    }
  }
}
