import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/*
 * What can stop the gateway from starting that the operator can fix, said in
 * one line that names the setting and the path, instead of a stack trace.
 */

/** A start-up failure the operator can act on: printed as one line, exit status non-zero. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has too many symbolic links',
  // mkdir of a folder whose parent exists fails with ENOENT only where the
  // file system takes no new folders (/proc, /sys).
  ENOENT: 'the file system does not let a folder be created there',
};

const reason = (err: NodeJS.ErrnoException): string => (err.code && REASONS[err.code]) ?? err.message;

/** `SCF_DATA_DIR=<as set>`, with the absolute path when it was relative. */
const named = (dataDir: string): string => `SCF_DATA_DIR=${dataDir}${resolve(dataDir) === dataDir ? '' : ` (${resolve(dataDir)})`}`;

const dataDirError = (dataDir: string, what: string): StartupError => new StartupError(`${named(dataDir)} cannot be used as the data folder: ${what}`);

/**
 * Makes sure the embedded ledger's data folder exists and takes files, before
 * anything else touches it. Creates the missing folders one level at a time:
 * Node's `mkdir(…, {recursive: true})` loops for ever where the file system
 * refuses new folders with ENOENT (`SCF_DATA_DIR=/proc/x`).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const path = resolve(dataDir);
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      if (!(await stat(at)).isDirectory()) throw dataDirError(dataDir, `${at} is a file, not a folder`);
      break;
    } catch (err) {
      if (err instanceof StartupError) throw err;
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT' || dirname(at) === at) throw dataDirError(dataDir, `cannot look at ${at}: ${reason(e)}`);
      missing.unshift(at);
    }
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') throw dataDirError(dataDir, `cannot create ${folder}: ${reason(e)}`);
    }
  }
  // Permission bits do not tell (root ignores them, a read-only mount keeps
  // them): write a file and remove it.
  const probe = join(path, `.write-test-${process.pid}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw dataDirError(dataDir, `cannot write in it: ${reason(err as NodeJS.ErrnoException)}`);
  }
  await rm(probe, { force: true });
}

/**
 * Makes `folder` (created if missing) readable by the gateway's user alone,
 * mode 0700, also when an earlier version made it 0755: the embedded
 * ledger's files hold every member's records, and LevelDB writes them with
 * the process's umask.
 */
export async function privateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
}

function causes(err: unknown): Array<Error & { code?: unknown; path?: unknown; syscall?: unknown }> {
  const out: Array<Error & { code?: unknown; path?: unknown; syscall?: unknown }> = [];
  for (let e: unknown = err; e instanceof Error && out.length < 10; e = e.cause) out.push(e);
  return out;
}

/**
 * The operator's version of an error that stopped the embedded ledger from
 * opening in `dataDir`, or undefined when it is not one we can explain.
 */
export function explainDataDirFailure(err: unknown, dataDir: string): StartupError | undefined {
  const chain = causes(err);
  const ledger = join(resolve(dataDir), 'ledger');
  if (chain.some((e) => e.code === 'LEVEL_LOCKED')) {
    return new StartupError(
      `another gateway is using the data folder ${named(dataDir)}: its ledger ${ledger} is locked. ` +
        'Stop that gateway, or give this one its own SCF_DATA_DIR',
    );
  }
  const io = chain.find((e) => typeof e.code === 'string' && typeof e.syscall === 'string');
  if (io) {
    const where = typeof io.path === 'string' ? ` ${io.path}` : '';
    return dataDirError(dataDir, `cannot ${String(io.syscall)}${where}: ${reason(io as NodeJS.ErrnoException)}`);
  }
  if (chain.some((e) => e.code === 'LEVEL_DATABASE_NOT_OPEN')) {
    const detail = chain.map((e) => e.message).join(': ');
    return new StartupError(`the ledger ${ledger} in ${named(dataDir)} failed to open: ${detail}`);
  }
  return undefined;
}

/**
 * The operator's version of an error that stopped the webhook outbox
 * (`<dataDir>/webhooks`, on either ledger) from opening, or undefined.
 */
export function explainOutboxFailure(err: unknown, dataDir: string): StartupError | undefined {
  const chain = causes(err);
  const outbox = join(resolve(dataDir), 'webhooks');
  if (chain.some((e) => e.code === 'LEVEL_LOCKED')) {
    return new StartupError(
      `another gateway is using the data folder ${named(dataDir)}: its webhook outbox ${outbox} is locked. ` + 'Stop that gateway, or give this one its own SCF_DATA_DIR',
    );
  }
  const wrongLedger = chain.find((e) => e.name === 'OutboxOfAnotherLedger');
  return wrongLedger ? new StartupError(wrongLedger.message) : undefined;
}

/** How a client reaches host:port (IPv6 literals in brackets). */
/** Whether `host` is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** What the operator is told at start, besides the LISTENING line; '' when there is nothing new to say. */
export function startBanner(
  start: {
    kind: 'embedded' | 'fabric';
    firstStart: boolean;
    /** What the demo set-up did at this start; undefined when SCF_DEMO=false. */
    demo: { bootstrapped: boolean; bound: readonly string[] } | undefined;
    /** Whether any member exists on the ledger (the operator's identity is bound). */
    bootstrapped: boolean;
    /** Without the demo: the operator's member this start bootstrapped (SCF_OPERATOR_ID), or found. */
    operator?: { bootstrapped: boolean; memberId: string; label: string } | undefined;
  },
  /** The embedded ledger's data folder, or the Fabric connector's profile. */
  dataDir: string,
  url: string,
  tokenTable: () => string,
): string {
  if (start.operator?.bootstrapped) {
    // Its token is never printed: it stays where the gateway keeps it.
    const where = start.kind === 'fabric' ? `the profile ${dataDir}` : join(dataDir, 'identities.json');
    return (
      `\nSCF Ledger: bootstrapped the platform operator's member ${start.operator.memberId}; its first ADMIN is the identity ` +
      `${start.operator.label}, whose token is in ${where}.\n` +
      `  Sign in with it, then register the members and issue their credentials (docs/API.md, "Credentials: members who can sign in").\n\n`
    );
  }
  if (start.kind === 'fabric') {
    // The tokens live in the profile (npm run network:up writes it): shown at every start.
    return start.demo
      ? `\nSCF Ledger on the Fabric network of ${dataDir}.\nDemo identities (tokens from that profile):\n${tokenTable()}\n\n` +
          `  curl -H "Authorization: Bearer <token>" ${url}/me\n\n`
      : '';
  }
  const identities = join(dataDir, 'identities.json');
  // The table only when its tokens were just made or just became usable: it is true then.
  if (start.demo && (start.firstStart || start.demo.bootstrapped || start.demo.bound.length > 0)) {
    return (
      `\nSCF Ledger: ${start.firstStart ? 'first start' : 'demo members set up'} on the embedded ledger in ${dataDir}.\n` +
      `Demo identities (tokens are kept in ${identities}):\n${tokenTable()}\n\n` +
      `  curl -H "Authorization: Bearer <token>" ${url}/me\n\n`
    );
  }
  if (!start.demo && !start.bootstrapped) {
    return (
      `\nSCF Ledger: the embedded ledger in ${dataDir} has no members (SCF_DEMO=false), so every call made with a token is refused (403).\n` +
      `  To try it with the demo members, start it once with SCF_DEMO=true: it sets them up (once) and prints their tokens,\n` +
      `  which are kept in ${identities}. For your own operator instead, set SCF_OPERATOR_ID and SCF_OPERATOR_NAME.\n\n`
    );
  }
  return '';
}
