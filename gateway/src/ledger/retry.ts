/**
 * Bounded, jittered exponential backoff for re-running a transaction after an
 * MVCC or phantom read conflict. Both connectors use it.
 */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 500 };

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
