import type { Group } from './config';
import type { LoadResult } from './load';
import { pairedRatio, type Spread, spread } from './stats';

export interface PhaseResult extends LoadResult {
  group: Group;
  phase: string;
  repeat: number;
  /** What it ran on (chaincode, backend, path). */
  on: string;
  /** Paths through the gateway's connector: its re-endorsements after read conflicts over the measured operations. */
  retries?: number;
  /** The gateway group (Linux): CPU ms per measured transaction by thread (gateway, ledger, REST client, other threads). */
  cpuMsPerTxByThread?: Record<string, number> | undefined;
}

export interface RatioResult {
  name: string;
  /** How the ratio is formed, e.g. `tps(voucher transfer) ÷ tps(baseline move)`. */
  formula: string;
  /** One ratio per repeat, then median and range. */
  value: Spread;
  /** What the figure should look like, when the design says. */
  expectation?: string;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

/** Collects phases, ratios, checks and setup facts as the scenarios run. */
export class Recorder {
  readonly phases: PhaseResult[] = [];
  readonly ratios: RatioResult[] = [];
  readonly checks: CheckResult[] = [];
  readonly setup: Record<string, unknown> = {};

  phase(
    group: Group,
    phase: string,
    repeat: number,
    on: string,
    result: LoadResult & Pick<PhaseResult, 'retries' | 'cpuMsPerTxByThread'>,
  ): PhaseResult {
    const row = { group, phase, repeat, on, ...result };
    this.phases.push(row);
    return row;
  }

  /** The phase's results across repeats, in repeat order. */
  series(phase: string): PhaseResult[] {
    return this.phases.filter((p) => p.phase === phase).sort((a, b) => a.repeat - b.repeat);
  }

  /** Same-run ratio of a metric of two phases, paired repeat by repeat. */
  ratio(name: string, numerator: string, denominator: string, metric: (p: PhaseResult) => number, metricName: string, expectation?: string): RatioResult {
    const num = this.series(numerator);
    const den = this.series(denominator);
    if (num.length === 0 || den.length === 0) throw new Error(`ratio ${name}: no measurements of ${num.length === 0 ? numerator : denominator}`);
    const row: RatioResult = {
      name,
      formula: `${metricName}(${numerator}) ÷ ${metricName}(${denominator})`,
      value: pairedRatio(num.map(metric), den.map(metric)),
      ...(expectation ? { expectation } : {}),
    };
    this.ratios.push(row);
    return row;
  }

  check(name: string, passed: boolean, detail: string): void {
    this.checks.push({ name, passed, detail });
  }

  /** Median of a metric over a phase's repeats. */
  median(phase: string, metric: (p: PhaseResult) => number): number {
    return spread(this.series(phase).map(metric)).median;
  }
}
