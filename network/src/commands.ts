import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';

/** Runs a Fabric CLI tool; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const name = command.split('/').pop();
        reject(new Error(`${name} ${args.slice(0, 4).join(' ')} failed: ${(stderr || stdout || err.message).trim()}`, { cause: err }));
      } else {
        resolve(stdout);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Thrown by a probe when waiting longer cannot help (the process it waits for
 * has exited): `waitFor` stops at once with it.
 */
export class ProbeGaveUp extends Error {
  override readonly name = 'ProbeGaveUp';
}

/**
 * Polls `probe` until it answers true, at most `timeoutMs`; on timeout the
 * error names what was awaited and the last reason the probe gave. A probe
 * that throws ProbeGaveUp ends the wait with that error.
 */
export async function waitFor(what: string, probe: () => Promise<true | string>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = 'not tried';
  for (;;) {
    try {
      const r = await probe();
      if (r === true) return;
      last = r;
    } catch (err) {
      if (err instanceof ProbeGaveUp) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await sleep(intervalMs);
  }
}

/** GET an operations endpoint's /healthz: true on 200, else the reason. */
export async function healthz(port: number, host = '127.0.0.1'): Promise<true | string> {
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200 ? true : `healthz ${res.status}: ${(await res.text()).slice(0, 200)}`;
  } catch (err) {
    return `healthz unreachable (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Whether something accepts TCP connections on host:port: true, or the reason not. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<true | string> {
  return new Promise((resolveProbe) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe(true);
    });
    socket.once('error', (err) => resolveProbe(`${host}:${port} not accepting connections (${err.message})`));
  });
}
