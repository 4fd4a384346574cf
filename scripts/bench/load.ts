import { performance } from 'node:perf_hooks';
import { cpuCores, invalidRate, type LatencySummary, summariseLatencies, throughput } from './stats';

/**
 * The load generator: a fixed number of operations run by a bounded pool of
 * closed-loop clients (each starts its next operation when the previous one
 * has answered), after an unmeasured warm-up with the same pool.
 */

/**
 * How one operation ended. `VALID` and the Fabric validation codes for
 * committed transactions, `REJECTED` when endorsement failed (the chaincode
 * refused), `OK` for a read, `HTTP_<status>` for an unexpected HTTP answer.
 */
export type OutcomeCode = string;

export interface LoadSpec {
  /** Measured operations. */
  count: number;
  /** Unmeasured operations run first, with the same concurrency. */
  warmup: number;
  /** Clients running at once. */
  concurrency: number;
  /**
   * One operation. `index` runs over 0 … warmup + count - 1 (warm-up first),
   * each exactly once, so an operation can own a distinct key or piece.
   */
  op: (index: number) => Promise<OutcomeCode>;
  /**
   * `shared` (default): each free client takes the next index. `partitioned`:
   * client c runs the indices ≡ c (mod concurrency) in order, so a client can
   * own a key across several operations.
   */
  schedule?: 'shared' | 'partitioned';
  /** Called after the warm-up, just before the measured interval starts. */
  beforeMeasure?: () => void | Promise<void>;
}

export interface LoadResult {
  operations: number;
  concurrency: number;
  wallMs: number;
  /** Successful operations (VALID commits, or OK reads) per second. */
  tps: number;
  /** Every finished operation per second, whatever its outcome. */
  attemptedPerSecond: number;
  latencyMs: LatencySummary;
  outcomes: Record<OutcomeCode, number>;
  /** Committed-invalid ÷ committed (see stats.invalidRate). */
  invalidRate: number;
  /** CPU of this process over the measured interval, in cores (1.0 = one core busy). */
  cpuCores: number;
}

const SUCCESS = new Set(['VALID', 'OK']);

function assertCount(n: number, what: string, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${what} must be a whole number >= ${min}, got ${String(n)}`);
}

async function pool(
  from: number,
  to: number,
  concurrency: number,
  schedule: 'shared' | 'partitioned',
  each: (index: number) => Promise<void>,
): Promise<void> {
  if (schedule === 'partitioned') {
    const client = async (c: number): Promise<void> => {
      // The first index of [from, to) that belongs to client c.
      for (let i = from + ((((c - from) % concurrency) + concurrency) % concurrency); i < to; i += concurrency) await each(i);
    };
    await Promise.all(Array.from({ length: concurrency }, (_, c) => client(c)));
    return;
  }
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next++;
      await each(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, to - from)) }, worker));
}

/** Collects garbage between phases when node runs with --expose-gc, so one phase's garbage does not bill the next. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  assertCount(spec.count, 'count', 1);
  assertCount(spec.warmup, 'warmup', 0);
  assertCount(spec.concurrency, 'concurrency', 1);

  const schedule = spec.schedule ?? 'shared';
  if (spec.warmup > 0) await pool(0, spec.warmup, spec.concurrency, schedule, async (i) => void (await spec.op(i)));
  collectGarbage();
  await spec.beforeMeasure?.();

  const latencies: number[] = [];
  const outcomes: Record<OutcomeCode, number> = {};
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await pool(spec.warmup, spec.warmup + spec.count, spec.concurrency, schedule, async (i) => {
    const t0 = performance.now();
    const code = await spec.op(i);
    latencies.push(performance.now() - t0);
    outcomes[code] = (outcomes[code] ?? 0) + 1;
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);

  const succeeded = Object.entries(outcomes).reduce((s, [code, n]) => s + (SUCCESS.has(code) ? n : 0), 0);
  return {
    operations: spec.count,
    concurrency: spec.concurrency,
    wallMs,
    tps: throughput(succeeded, wallMs),
    attemptedPerSecond: throughput(spec.count, wallMs),
    latencyMs: summariseLatencies(latencies),
    outcomes,
    invalidRate: invalidRate(outcomes),
    cpuCores: cpuCores(cpu, wallMs),
  };
}
