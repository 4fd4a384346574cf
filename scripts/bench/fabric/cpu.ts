import { readFileSync } from 'node:fs';

/**
 * CPU seconds of processes, read from /proc/<pid>/stat (utime + stime, in
 * clock ticks of 1/100 s on Linux), so a phase's cost can be split by process:
 * orderers, peers, chaincode servers, the REST gateway and the load client.
 */
const TICKS_PER_SECOND = 100;

export interface Watched {
  name: string;
  pid: number;
}

/** utime + stime of `pid` in seconds, or undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the stat line are utime and stime: indices 11 and 12 once pid and comm are dropped.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat: ${stat.slice(0, 120)}`);
  return (utime + stime) / TICKS_PER_SECOND;
}

export type CpuSnapshot = Map<string, number>;

export function snapshot(processes: readonly Watched[]): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const p of processes) {
    const s = cpuSecondsOf(p.pid);
    if (s !== undefined) out.set(p.name, s);
  }
  return out;
}

/** CPU seconds each process used between two snapshots (processes missing from either are left out). */
export function used(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined) out[name] = Number((end - start).toFixed(2));
  }
  return out;
}

/** The process that used the most CPU, and its share of all the CPU used. */
export function heaviest(cpu: Record<string, number>): { name: string; share: number } | undefined {
  const entries = Object.entries(cpu);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const top = entries.sort((a, b) => b[1] - a[1])[0];
  return top && total > 0 ? { name: top[0], share: top[1] / total } : undefined;
}
