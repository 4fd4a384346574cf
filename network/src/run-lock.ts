import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from './processes';

/*
 * One `up` or `down` at a time per run folder: the holder creates
 * `<run folder>/lock` exclusively and writes its pid and start time there.
 * A second caller is refused at once, told who holds it. A lock whose holder
 * no longer runs (killed, machine restarted) is stale and taken over.
 *
 * Taking over is check-then-remove, so it is done holding a second lock,
 * `<run folder>/lock.takeover`: without it, of two callers that both read the
 * same stale lock, the slower could remove the lock the faster had just
 * taken, and both would run. A caller that finds a takeover under way waits
 * for it (it lasts a read and an unlink) and looks again.
 */

interface LockRecord {
  pid: number;
  startTime: string;
  what: string;
}

export const lockFile = (runDir: string): string => join(runDir, 'lock');
export const takeoverFile = (runDir: string): string => join(runDir, 'lock.takeover');

function readLock(file: string): { text: string; record: LockRecord | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return { text, record: JSON.parse(text) as LockRecord };
  } catch {
    return { text, record: undefined };
  }
}

const holderRuns = (r: LockRecord) => processStartTime(r.pid) === r.startTime;

/** A lock file with no complete record this long after it was made: its maker died before writing it. */
const UNFINISHED_LOCK_MS = 10_000;

function unfinishedLockAbandoned(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > UNFINISHED_LOCK_MS;
  } catch {
    return false;
  }
}

/** Held by a process that no longer runs, or never written and abandoned. */
const isStale = (file: string, held: { record: LockRecord | undefined }) => (held.record ? !holderRuns(held.record) : unfinishedLockAbandoned(file));

/** Creates `file` exclusively with `record` in it; false if it exists. */
function createLock(file: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(record));
  } finally {
    closeSync(fd);
  }
  return true;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** How long a caller waits for another's takeover before it gives up. */
const TAKEOVER_WAIT_MS = 15_000;
const TAKEOVER_POLL_MS = 50;

/**
 * Removes the lock `stale` was read from, if it is still that one, holding
 * the takeover lock. Returns when the caller should look at the lock again:
 * removed, replaced meanwhile, or after another's takeover ended.
 */
function takeOver(runDir: string, stale: string, mine: LockRecord): void {
  const file = lockFile(runDir);
  const guard = takeoverFile(runDir);
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  while (!createLock(guard, mine)) {
    const other = readLock(guard);
    // A takeover lock left by a process that died in the middle of one (a
    // read and an unlink long): removed so the folder does not stay locked.
    // Two callers removing the same abandoned one at once is the race this
    // lock closes for the run lock, left open one level down for a crash
    // inside a few microseconds.
    if (other !== undefined && isStale(guard, other)) {
      if (readLock(guard)?.text === other.text) rmSync(guard, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`could not take over the stale lock ${file}: ${guard} stays held`);
    sleepSync(TAKEOVER_POLL_MS);
    if (readLock(file)?.text !== stale) return; // the other took it over: look again
  }
  try {
    if (readLock(file)?.text === stale) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

function acquire(runDir: string, what: string): void {
  const file = lockFile(runDir);
  const mine: LockRecord = { pid: process.pid, startTime: processStartTime(process.pid) ?? '', what };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLock(file, mine)) return;
    const held = readLock(file);
    if (held === undefined) continue; // released meanwhile
    // A lock being written this instant reads empty: stale only once it stays so.
    if (!isStale(file, held)) {
      const who = held.record ? `pid ${held.record.pid} (${held.record.what})` : 'a process that is taking it now';
      throw new Error(`the run folder ${runDir} is in use by ${who}: wait for it to finish (lock file ${file})`);
    }
    takeOver(runDir, held.text, mine);
  }
  throw new Error(`could not take the lock ${file}: others keep taking it`);
}

function release(runDir: string): void {
  const held = readLock(lockFile(runDir));
  if (held?.record?.pid === process.pid) rmSync(lockFile(runDir), { force: true });
}

/**
 * Runs `fn` holding the run folder's lock. A run folder this call created
 * and left empty (a refused `up`) is removed again.
 */
export async function withRunLock<T>(runDir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const created = !existsSync(runDir);
  // Only its owner may look in: it holds the network's private keys and the gateway profile with its users' keys.
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  try {
    acquire(runDir, what);
  } catch (err) {
    if (created) rmdirIfEmpty(runDir);
    throw err;
  }
  try {
    return await fn();
  } finally {
    release(runDir);
    if (created) rmdirIfEmpty(runDir);
  }
}

function rmdirIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // gone (down --purge), or not ours to remove
  }
}
