import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';
import type { BenchConfig } from './config';
import type { CheckResult, PhaseResult, RatioResult, Recorder } from './recorder';

export interface Machine {
  node: string;
  v8: string;
  platform: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  gitCommit: string | undefined;
  /**
   * Node's own command-line flags (process.execArgv: V8 and GC settings change
   * the figures) and libuv's thread pool (LevelDB's reads and writes run on it;
   * 4 unless UV_THREADPOOL_SIZE says otherwise), so a run with other runtime
   * settings is told apart from the default one. NODE_OPTIONS is not in
   * execArgv, so it is kept as given.
   */
  nodeFlags: string[];
  nodeOptions: string | undefined;
  uvThreadpoolSize: number;
}

/** The CPU as /proc/cpuinfo names it (Linux), else as os.cpus() does. */
function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const UV_DEFAULT_POOL = 4;

/**
 * The size of libuv's thread pool as libuv reads it (threadpool.c): 4 when
 * UV_THREADPOOL_SIZE is unset; else atoi of it into an unsigned int, 0 (or
 * no number) taken as 1, and at most 1024, a negative number wrapping to it.
 */
export function uvThreadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return UV_DEFAULT_POOL;
  const n = Number.parseInt(raw, 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  return n < 0 ? 1024 : Math.min(n, 1024);
}

/** Node's flags other than the ones every bench script passes (`--expose-gc`, `-r ts-node/register/transpile-only`). */
export function unusualNodeFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i += 1) {
    const flag = flags[i] as string;
    if (flag === '--expose-gc') continue;
    if (flag === '-r' && flags[i + 1] === 'ts-node/register/transpile-only') {
      i += 1;
      continue;
    }
    out.push(flag);
  }
  return out;
}

export function describeMachine(): Machine {
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    gitCommit: gitCommit(),
    nodeFlags: [...process.execArgv],
    nodeOptions: process.env.NODE_OPTIONS || undefined,
    uvThreadpoolSize: uvThreadpoolSize(),
  };
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  target: string;
  machine: Machine;
  /** 1, 5 and 15-minute load averages: other work on the machine shows here (2 cores: above 2 means contention). */
  loadAverage: { start: number[]; end: number[] };
  config: BenchConfig;
  setup: Record<string, unknown>;
  phases: PhaseResult[];
  ratios: RatioResult[];
  checks: CheckResult[];
}

export const loadAverage = (): number[] => os.loadavg().map((n) => Number(n.toFixed(2)));

export function buildReport(
  rec: Recorder,
  meta: { startedAt: Date; loadAtStart: number[]; command: string; target: string; config: BenchConfig },
): BenchReport {
  return {
    startedAt: meta.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: meta.command,
    target: meta.target,
    machine: describeMachine(),
    loadAverage: { start: meta.loadAtStart, end: loadAverage() },
    config: meta.config,
    setup: rec.setup,
    phases: rec.phases,
    ratios: rec.ratios,
    checks: rec.checks,
  };
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** A Markdown table, columns padded to their widest cell (also readable on a terminal). */
export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const fixed = (n: number, digits: number) => n.toFixed(digits);
const percent = (x: number) => `${(x * 100).toFixed(x === 0 ? 0 : 2)}%`;

/**
 * Median over repeats of each phase, as a Markdown table (also readable on a
 * terminal). A `retries/op` column (the connector's re-endorsements per
 * operation) appears when some phase counted them.
 */
export function phaseTable(report: BenchReport): string {
  const names = [...new Set(report.phases.map((p) => p.phase))];
  const withRetries = report.phases.some((p) => p.retries !== undefined);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >>> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  const rows = names.map((name) => {
    const rs = report.phases.filter((p) => p.phase === name);
    const first = rs[0] as PhaseResult;
    const m = (f: (p: PhaseResult) => number) => median(rs.map(f));
    const row = [
      name,
      String(first.operations),
      String(first.concurrency),
      String(rs.length),
      fixed(m((p) => p.tps), 0),
      fixed(m((p) => p.latencyMs.p50), 2),
      fixed(m((p) => p.latencyMs.p95), 2),
      fixed(m((p) => p.latencyMs.p99), 2),
      percent(m((p) => p.invalidRate)),
      fixed(m((p) => p.cpuCores), 2),
    ];
    if (withRetries) row.push(first.retries === undefined ? '–' : fixed(m((p) => (p.retries ?? 0) / p.operations), 2));
    return row;
  });
  const header = ['scenario', 'ops', 'clients', 'runs', 'tx/s', 'p50 ms', 'p95 ms', 'p99 ms', 'invalid', 'CPU cores'];
  if (withRetries) header.push('retries/op');
  return table(header, rows, new Set(header.map((_, i) => i).slice(1)));
}

export function ratioTable(report: BenchReport): string {
  const rows = report.ratios.map((r) => [
    r.name,
    fixed(r.value.median, 3),
    r.value.values.length > 1 ? `${fixed(r.value.min, 3)}–${fixed(r.value.max, 3)}` : '',
    r.formula,
  ]);
  return table(['ratio', 'median', 'range', 'formula'], rows, new Set([1, 2]));
}

export function checkLines(report: BenchReport): string {
  return report.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}`).join('\n');
}

export function machineLine(m: Machine): string {
  const flags = unusualNodeFlags(m.nodeFlags);
  return [
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform} (kernel ${m.kernel}), node ${m.node}`,
    flags.length > 0 ? `, node flags ${flags.join(' ')}` : '',
    m.nodeOptions ? `, NODE_OPTIONS=${m.nodeOptions}` : '',
    m.uvThreadpoolSize !== UV_DEFAULT_POOL ? `, UV_THREADPOOL_SIZE=${m.uvThreadpoolSize}` : '',
    m.gitCommit ? `, commit ${m.gitCommit}` : '',
  ].join('');
}
