import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `npm start`: build what the gateway runs (gateway and chaincode, not the
 * tests or scripts), incrementally, showing progress; then run the gateway
 * in this very process.
 *
 * npm runs the script with `sh -c "exec node … start.ts"`, so this process is
 * the one npm started and forwards signals to, and the gateway runs in it:
 * a SIGTERM from a supervisor to npm, or to this process, reaches the
 * gateway's own handlers (graceful shutdown). No child is left behind to be
 * re-parented.
 *
 * The build is `tsc -b tsconfig.build.json`, with its build info in
 * `dist/gateway.tsbuildinfo`: up to date, it takes about a second; after a
 * change, only what the change affects is checked again.
 */

const ROOT = resolve(__dirname, '../..');
const BUILD_CONFIG = 'tsconfig.build.json';
const BUILD_INFO = join(ROOT, 'dist', 'gateway.tsbuildinfo');
const MAIN = join(ROOT, 'dist', 'gateway', 'src', 'main.js');
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const mtimeOf = (path: string): number | undefined => (existsSync(path) ? statSync(path).mtimeMs : undefined);
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Runs tsc; a signal meanwhile stops tsc and then this process, with the signal's status. */
function build(): Promise<number> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // A build whose output was deleted is redone in full (`--force`): tsc -b trusts its build info.
  const args = [tsc, '-b', BUILD_CONFIG, ...(existsSync(MAIN) ? [] : ['--force'])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  let signalled: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    signalled = signal;
    child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (signalled) {
        say(`build stopped (${signalled})`);
        process.kill(process.pid, signalled);
        return;
      }
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}

async function start(): Promise<void> {
  const started = Date.now();
  const before = mtimeOf(BUILD_INFO);
  say(`building gateway and chaincode (tsc -b ${BUILD_CONFIG})…`);
  const code = await build();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    say(`build failed after ${seconds} s (tsc exit status ${code}); the gateway was not started`);
    process.exit(code);
  }
  say(before !== undefined && mtimeOf(BUILD_INFO) === before ? `up to date (checked in ${seconds} s)` : `built in ${seconds} s`);
  // The web console's bundle (esbuild; well under a second), served by the gateway at / and /docs.
  const bundled = Date.now();
  try {
    const { buildConsole, WEB_DIR } = await import('../../scripts/build-console');
    await buildConsole();
    say(`console built in ${((Date.now() - bundled) / 1000).toFixed(1)} s (${WEB_DIR})`);
  } catch (err) {
    say(`console build failed: ${err instanceof Error ? err.message : String(err)}; the gateway was not started`);
    process.exit(1);
  }
  // The gateway, in this process: from here on its own SIGINT/SIGTERM handlers apply.
  await import(MAIN);
}

start().catch((err: unknown) => {
  say(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
