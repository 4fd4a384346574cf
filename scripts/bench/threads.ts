import { readdirSync, readFileSync } from 'node:fs';
import { table } from './report';
import { median } from './stats';

/**
 * CPU time by OS thread of this process (Linux: /proc/self/task), so that a
 * phase's cost can be split between the gateway's thread, the ledger's
 * thread, the load client's thread and the rest (libuv's pool, V8's garbage
 * collector and compiler, LevelDB's compaction). Elsewhere there is no split:
 * the functions answer undefined and the bench prints no table.
 */

/** The kernel's clock ticks are 100 per second on Linux (USER_HZ); /proc's times count them. */
const MS_PER_TICK = 10;

/** CPU milliseconds (user + system) so far, by thread id; undefined where /proc has no tasks. */
export function cpuByThread(): Map<number, number> | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const times = new Map<number, number>();
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(task), (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/**
 * CPU ms per operation between two samples, by named thread (the threads
 * not named are summed as `other threads`; threads that ended in between
 * count what they spent while sampled).
 */
export function perOperation(
  before: Map<number, number>,
  after: Map<number, number>,
  named: Readonly<Record<string, number | undefined>>,
  operations: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  const names = new Map<number, string>();
  for (const [name, tid] of Object.entries(named)) {
    if (tid !== undefined) names.set(tid, name);
    out[name] = 0;
  }
  out['other threads'] = 0;
  for (const [tid, ms] of after) {
    const key = names.get(tid) ?? 'other threads';
    out[key] = (out[key] ?? 0) + (ms - (before.get(tid) ?? 0)) / operations;
  }
  return out;
}

/**
 * CPU by thread over measured windows, kept by phase for the thread table:
 * `start` when a window opens, `stop` when it closes. Off Linux every call
 * does nothing and `repeats` stays empty.
 */
export class ThreadSampler {
  private readonly byPhase = new Map<string, Array<Record<string, number>>>();
  private before: Map<number, number> | undefined;

  start(): void {
    this.before = cpuByThread();
  }

  /** Ends the window opened by `start`: CPU ms per operation by named thread; undefined off Linux. */
  stop(phase: string, operations: number, named: Readonly<Record<string, number | undefined>>): Record<string, number> | undefined {
    const now = cpuByThread();
    if (!this.before || !now) return undefined;
    const split = perOperation(this.before, now, named, operations);
    this.byPhase.set(phase, [...this.repeats(phase), split]);
    return split;
  }

  repeats(phase: string): ReadonlyArray<Record<string, number>> {
    return this.byPhase.get(phase) ?? [];
  }

  get sampled(): boolean {
    return this.byPhase.size > 0;
  }
}

/** A Markdown table: one row per phase, one column per thread, medians over the repeats, and the total. */
export function threadTable(rows: ReadonlyArray<{ phase: string; repeats: ReadonlyArray<Record<string, number>> }>): string {
  const columns = [...new Set(rows.flatMap((r) => r.repeats.flatMap((t) => Object.keys(t))))];
  const header = ['phase', ...columns, 'all threads'];
  const lines = rows
    .filter((r) => r.repeats.length > 0)
    .map((r) => {
      const cells = columns.map((c) => median(r.repeats.map((t) => t[c] ?? 0)));
      const total = median(r.repeats.map((t) => Object.values(t).reduce((s, v) => s + v, 0)));
      return [r.phase, ...[...cells, total].map((v) => v.toFixed(3))];
    });
  return table(header, lines, new Set(header.map((_, i) => i).slice(1)));
}
