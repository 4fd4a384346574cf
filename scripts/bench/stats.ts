/**
 * The benchmark's arithmetic, kept apart from any timing so that it can be
 * tested: percentiles, latency summaries, throughput, CPU utilisation,
 * invalid rates, ratios and the summary of repeated runs.
 */

function assertFiniteList(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: no values`);
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${what}: ${String(v)} is not a finite number`);
  }
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value such
 * that at least p% of the values are at or below it. p = 0 gives the
 * minimum, p = 100 the maximum; no interpolation, so the answer is always
 * one of the observed values.
 */
export function percentile(values: readonly number[], p: number): number {
  assertFiniteList(values, 'percentile');
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile: p must be within 0..100, got ${String(p)}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  assertFiniteList(values, 'median');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Summary of latencies (milliseconds). */
export function summariseLatencies(ms: readonly number[]): LatencySummary {
  assertFiniteList(ms, 'latencies');
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1] as number,
  };
}

/** Operations per second over a wall time in milliseconds. */
export function throughput(operations: number, wallMs: number): number {
  if (!Number.isInteger(operations) || operations < 0) throw new RangeError(`throughput: operations must be a whole number, got ${String(operations)}`);
  if (!Number.isFinite(wallMs) || wallMs <= 0) throw new RangeError(`throughput: wall time must be positive, got ${String(wallMs)}`);
  return operations / (wallMs / 1000);
}

/**
 * CPU used per unit of wall time, from a process.cpuUsage() delta
 * (microseconds): 1.0 is one core busy for the whole interval.
 */
export function cpuCores(usage: { user: number; system: number }, wallMs: number): number {
  if (!Number.isFinite(wallMs) || wallMs <= 0) throw new RangeError(`cpuCores: wall time must be positive, got ${String(wallMs)}`);
  if (!(usage.user >= 0) || !(usage.system >= 0)) throw new RangeError('cpuCores: CPU times must be non-negative');
  return (usage.user + usage.system) / 1000 / wallMs;
}

/**
 * Share of ordered transactions that were committed invalid (MVCC or
 * phantom read conflicts). Endorsement failures never reach the orderer and
 * are not counted; with nothing ordered the rate is 0.
 */
export function invalidRate(outcomes: Readonly<Record<string, number>>): number {
  let valid = 0;
  let invalid = 0;
  for (const [code, n] of Object.entries(outcomes)) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalidRate: count of ${code} must be a whole number, got ${String(n)}`);
    if (code === 'VALID') valid += n;
    else if (code === 'MVCC_READ_CONFLICT' || code === 'PHANTOM_READ_CONFLICT' || code === 'DUPLICATE_TXID') invalid += n;
  }
  return valid + invalid === 0 ? 0 : invalid / (valid + invalid);
}

/** numerator ÷ denominator, refusing what would make a meaningless ratio. */
export function ratio(numerator: number, denominator: number): number {
  if (!Number.isFinite(numerator) || numerator < 0) throw new RangeError(`ratio: numerator must be a non-negative number, got ${String(numerator)}`);
  if (!Number.isFinite(denominator) || denominator <= 0) throw new RangeError(`ratio: denominator must be positive, got ${String(denominator)}`);
  return numerator / denominator;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** The median of repeated measurements, with their range. */
export function spread(values: readonly number[]): Spread {
  assertFiniteList(values, 'spread');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values: [...values] };
}

/**
 * A ratio measured in the same run: one ratio per repeat (numerator and
 * denominator of the same repeat, so drift between repeats cancels), then
 * their spread.
 */
export function pairedRatio(numerators: readonly number[], denominators: readonly number[]): Spread {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`pairedRatio: ${numerators.length} numerators but ${denominators.length} denominators`);
  }
  return spread(numerators.map((n, i) => ratio(n, denominators[i] as number)));
}
