import type { OrdererOptions } from '../../gateway/src/ledger/embedded/orderer';

export type Mode = 'full' | 'quick' | 'profile';
export const GROUPS = ['throughput', 'gateway', 'conflicts', 'scale', 'creditlines'] as const;
export type Group = (typeof GROUPS)[number];

export interface PhaseSize {
  /** Measured operations per repeat. */
  count: number;
  warmup: number;
  concurrency: number;
}

export interface BenchConfig {
  mode: Mode;
  /** Each throughput phase runs this many times, interleaved, and ratios are paired per repeat. */
  repeats: number;
  /**
   * The block cutter while measuring. Fabric's default BatchSize is 10
   * transactions; the timeout is short because the closed-loop clients are
   * waiting for it (Fabric's 2 s default would only measure the timeout).
   */
  cutter: OrdererOptions;
  /** While populating state: bigger blocks, fewer commits. */
  setupCutter: OrdererOptions;
  /** Ledger overhead and durable-vs-memory phases. */
  throughput: PhaseSize;
  /** REST vs direct phases (HTTP costs more per call, so fewer). */
  gateway: PhaseSize;
  /** Our HTTP code against a bare handler, both over a ledger that answers at once (many cheap calls). */
  httpAlone: PhaseSize;
  conflicts: { clients: number; rounds: number };
  scale: { sizes: number[]; tiers: number[]; reads: number; warmup: number };
  /**
   * Financing approvals racing for one bank's FINANCING line to one obligor,
   * then the same spread over `concurrency` lines (one per client). Count
   * and warm-up are multiples of the concurrency.
   */
  creditLines: PhaseSize;
}

const CUTTER: OrdererOptions = { batchMaxTx: 10, batchTimeoutMs: 2 };
const SETUP_CUTTER: OrdererOptions = { batchMaxTx: 100, batchTimeoutMs: 5 };

export function configFor(mode: Mode): BenchConfig {
  switch (mode) {
    case 'full':
      return {
        mode,
        repeats: 3,
        cutter: CUTTER,
        setupCutter: SETUP_CUTTER,
        throughput: { count: 3000, warmup: 300, concurrency: 16 },
        gateway: { count: 1500, warmup: 200, concurrency: 16 },
        httpAlone: { count: 8000, warmup: 1000, concurrency: 16 },
        // Ten whole transfers take a root piece from tier 0 to the maximum tier 10.
        conflicts: { clients: 64, rounds: 10 },
        scale: { sizes: [1_000, 100_000], tiers: [1, 5, 10], reads: 1000, warmup: 100 },
        creditLines: { count: 640, warmup: 64, concurrency: 32 },
      };
    case 'quick':
      return {
        mode,
        repeats: 1,
        cutter: CUTTER,
        setupCutter: SETUP_CUTTER,
        throughput: { count: 200, warmup: 40, concurrency: 8 },
        gateway: { count: 100, warmup: 20, concurrency: 8 },
        httpAlone: { count: 400, warmup: 100, concurrency: 8 },
        conflicts: { clients: 64, rounds: 2 },
        scale: { sizes: [300, 3_000], tiers: [1, 5, 10], reads: 50, warmup: 10 },
        creditLines: { count: 64, warmup: 16, concurrency: 16 },
      };
    case 'profile':
      return {
        mode,
        repeats: 1,
        cutter: CUTTER,
        setupCutter: SETUP_CUTTER,
        throughput: { count: 6000, warmup: 500, concurrency: 16 },
        gateway: { count: 1, warmup: 0, concurrency: 1 },
        httpAlone: { count: 1, warmup: 0, concurrency: 1 },
        conflicts: { clients: 64, rounds: 1 },
        scale: { sizes: [], tiers: [], reads: 1, warmup: 0 },
        creditLines: { count: 1, warmup: 0, concurrency: 1 },
      };
  }
}
