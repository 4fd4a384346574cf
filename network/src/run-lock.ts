import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from './processes';

/*
 * One `up` or `down` at a time per run folder: the holder creates
 * `<run folder>/lock` exclusively and writes its pid and start time there.
 * A second caller is refused at once, told who holds it. A lock whose holder
 * no longer runs (killed, machine restarted) is stale and taken over.
 */

interface LockRecord {
  pid: number;
  startTime: string;
  what: string;
}

export const lockFile = (runDir: string): string => join(runDir, 'lock');

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

function acquire(runDir: string, what: string): void {
  const file = lockFile(runDir);
  const mine: LockRecord = { pid: process.pid, startTime: processStartTime(process.pid) ?? '', what };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLock(file);
      if (held === undefined) continue; // released meanwhile
      // A lock being written this instant reads empty: stale only once it stays so.
      const stale = held.record ? !holderRuns(held.record) : unfinishedLockAbandoned(file);
      if (!stale) {
        const who = held.record ? `pid ${held.record.pid} (${held.record.what})` : 'a process that is taking it now';
        throw new Error(`the run folder ${runDir} is in use by ${who}: wait for it to finish (lock file ${file})`);
      }
      // Take over a stale lock only if it is still the one read (another caller may have taken it over).
      if (readLock(file)?.text === held.text) rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(mine));
    } finally {
      closeSync(fd);
    }
    return;
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
  mkdirSync(runDir, { recursive: true });
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
