import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeGaveUp } from './commands';

/**
 * Background processes with a pid file, stopped by that pid only (never by
 * name). A pid file is trusted only while that pid is alive AND is still the
 * process we started: same start time (field 22 of /proc/<pid>/stat) and a
 * command line naming the program. Pids wrap around quickly on a busy
 * machine (pid_max is 32768 here), so a stale pid file, or a pid the system
 * gave to another process since, is removed, never signalled.
 */
export interface ProcessSpec {
  /** Folder holding `pid` and `log`. */
  dir: string;
  command: string;
  args: string[];
  /**
   * The program the process runs once started, when `command` execs into
   * another (`ip netns exec <ns> orderer`): the pid file names it, since the
   * process's command line is the program's, no longer the command's.
   */
  program?: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

const pidFile = (dir: string) => join(dir, 'pid');
export const logFile = (dir: string): string => join(dir, 'log');

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Start time of `pid` in clock ticks since boot, and its state letter. */
function procStat(pid: number): { startTime: string; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

interface PidRecord {
  pid: number;
  command: string;
  startTime: string;
}

/** The live pid recorded in `dir`, or undefined (a stale pid file is removed). */
export function runningPid(dir: string): number | undefined {
  let recorded: PidRecord | undefined;
  try {
    recorded = JSON.parse(readFileSync(pidFile(dir), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
  const stat = procStat(recorded.pid);
  const line = cmdline(recorded.pid);
  if (stat && stat.state !== 'Z' && stat.startTime === recorded.startTime && line?.includes(recorded.command)) return recorded.pid;
  rmSync(pidFile(dir), { force: true });
  return undefined;
}

/**
 * The start time of `pid` (clock ticks since boot), or undefined when it no
 * longer runs (an unreaped zombie counts as gone). With the start time a
 * recorded pid is known to be the same process, not a reused number.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = procStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : undefined;
}

/**
 * A pid file that is not a complete record: claimed by a starter that has not
 * written it yet (a moment), or left by one that died in that moment. After
 * this long it is the latter and is removed.
 */
const UNFINISHED_PID_FILE_MS = 10_000;

/**
 * Claims `dir`'s pid file (created exclusively) before anything is spawned,
 * so two starters of one node never both spawn it: the second finds the
 * first's process, or is told another start is under way.
 */
function claimPidFile(dir: string): number | { pid: number } {
  for (;;) {
    try {
      return openSync(pidFile(dir), 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = runningPid(dir);
    if (pid !== undefined) return { pid };
    let age: number;
    try {
      age = Date.now() - statSync(pidFile(dir)).mtimeMs;
    } catch {
      continue; // removed meanwhile (runningPid removes a stale record): claim again
    }
    if (age < UNFINISHED_PID_FILE_MS) throw new Error(`another process is starting the node in ${dir} (its pid file is not written yet)`);
    rmSync(pidFile(dir), { force: true });
  }
}

/** Starts the process in the background unless it already runs; returns its pid. */
export function startProcess(spec: ProcessSpec): { pid: number; started: boolean } {
  const existing = runningPid(spec.dir);
  if (existing !== undefined) return { pid: existing, started: false };
  mkdirSync(spec.dir, { recursive: true });
  const claim = claimPidFile(spec.dir);
  if (typeof claim !== 'number') return { pid: claim.pid, started: false };
  let written = false;
  const out = openSync(logFile(spec.dir), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // its own process group: a Ctrl-C in the caller's terminal does not reach it
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    const record: PidRecord = { pid: child.pid, command: spec.program ?? spec.command, startTime: procStat(child.pid)?.startTime ?? '' };
    writeFileSync(claim, JSON.stringify(record));
    written = true;
    return { pid: child.pid, started: true };
  } finally {
    closeSync(out);
    closeSync(claim);
    if (!written) rmSync(pidFile(spec.dir), { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether `pid` still runs. A killed process whose parent has not reaped it
 * yet (a zombie, state Z in /proc) has exited: it holds no port and no file.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** TERM, up to `graceMs` for it to exit, then KILL. Returns whether anything ran. */
export async function stopProcess(dir: string, graceMs = 5_000): Promise<boolean> {
  const pid = runningPid(dir);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (alive(pid) && Date.now() < end) await sleep(50);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(20);
  }
  rmSync(pidFile(dir), { force: true });
  return true;
}

/** Sends a signal to the recorded pid (fault tests: SIGKILL, SIGSTOP, SIGCONT). */
export function signalProcess(dir: string, signal: NodeJS.Signals): number {
  const pid = runningPid(dir);
  if (pid === undefined) throw new Error(`no running process recorded in ${dir}`);
  process.kill(pid, signal);
  return pid;
}

/** Resolves once `pid` has exited (after a SIGKILL, say), bounded. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > end) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The last `lines` lines of the log in `dir` (what a process said before it died). */
export function logTail(dir: string, lines = 15): string {
  try {
    return readFileSync(logFile(dir), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * `probe`, guarded by the process in `dir`: once that process no longer runs,
 * waiting cannot help, and the probe gives up at once, quoting the end of the
 * process's log and naming the log file.
 */
export function whileRunning(dir: string, name: string, probe: () => Promise<true | string>): () => Promise<true | string> {
  return async () => {
    if (runningPid(dir) === undefined) {
      throw new ProbeGaveUp(`${name} is not running: it exited while starting. The end of its log (${logFile(dir)}):\n${logTail(dir)}`);
    }
    return probe();
  };
}
