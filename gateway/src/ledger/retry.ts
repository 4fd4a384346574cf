/**
 * Bounded, jittered exponential backoff for re-running a transaction after an
 * MVCC or phantom read conflict. Both connectors use it. With a conflict lane
 * (conflict-lane.ts) the attempts after the first run in the lane, one
 * submit of a function at a time: the Fabric connector pauses only the first
 * step's delay there (its peers catch up with the invalidating block), the
 * embedded one not at all (that block is committed when it learns of it).
 */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Ten attempts: one outside the lane and up to nine holding it. In the lane a
 * retry only races fresh first attempts, so it seldom needs more than two;
 * the bound is for a key that every fresh writer hits (measured in
 * docs/BENCHMARKS.md, "Contention on one credit line").
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 500 };

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): "full jitter",
 * uniform in [cap/2, cap] where cap = min(max, base * 2^(attempt-1)), so
 * racing writers spread out but every retry still waits a little.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
