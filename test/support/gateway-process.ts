import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/*
 * The gateway as its own process (`gateway/src/main.ts` through ts-node), as
 * an operator starts it: for what only a process shows (exit status, what it
 * prints, signals, locks, ports).
 */

export const ROOT = resolve(__dirname, '../..');

export interface SpawnOptions {
  /** Run as this user and group (a test running as root uses it to meet permission errors). */
  uid?: number;
  gid?: number;
}

/** Spawns the gateway on the embedded ledger in `dataDir` (port 0 unless `env` says otherwise). */
export function spawnGateway(dataDir: string, env: Record<string, string> = {}, options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'gateway/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SCF_LEDGER: 'embedded',
      SCF_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      SCF_LOG_LEVEL: 'warn',
      SCF_BATCH_TIMEOUT_MS: '5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

/** A child's stdout and stderr as they arrive, each and together. */
export function captured(child: ChildProcess): { stdout: () => string; stderr: () => string; all: () => string } {
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    all += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    all += c.toString('utf8');
  });
  return { stdout: () => stdout, stderr: () => stderr, all: () => all };
}

export interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Resolves once `child` prints `LISTENING <port>`; rejects if it exits first or takes over a minute. */
export function untilListening(child: ChildProcess, output = captured(child)): Promise<Running> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output.all()}`)), 60_000);
    const onData = () => {
      const m = /LISTENING (\d+)/.exec(output.stdout());
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolvePromise({ child, base: `http://127.0.0.1:${m[1]}`, output: output.all });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output.all()}`));
    });
  });
}

/** Starts the gateway in `dataDir` and waits until it listens. */
export function startProcess(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  return untilListening(spawnGateway(dataDir, env));
}

/** Resolves with the exit code (null when a signal ended it) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r(child.exitCode);
    child.once('exit', (code) => r(code));
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

/** Spawns the gateway and waits for it to exit (killed with SIGKILL after `timeoutMs`, which the result shows as the signal). */
export function runToExit(dataDir: string, env: Record<string, string> = {}, options: SpawnOptions & { timeoutMs?: number } = {}): Promise<Finished> {
  const { timeoutMs = 60_000, ...spawnOptions } = options;
  const started = Date.now();
  const child = spawnGateway(dataDir, env, spawnOptions);
  const output = captured(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((r) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      r({ code, signal, stdout: output.stdout(), stderr: output.stderr(), ms: Date.now() - started });
    });
  });
}
