import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/*
 * Files holding credential material (token hashes, CA keys): readable by
 * their owner only, replaced whole by write-then-rename with fsync of the
 * file and its folder, so a crash leaves the old file or the new one.
 */

/** The file's text, or undefined when it does not exist. */
export async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeSecretFile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  // From here the new file is the one read: a failure to sync its folder is
  // told apart, so the caller can serve what the file now says.
  try {
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (err) {
    throw new ReplacedNotSyncedError(path, err);
  }
}

/** The file was replaced (its new text is what is read from now on), but its folder could not be synced. */
export class ReplacedNotSyncedError extends Error {
  constructor(path: string, cause: unknown) {
    super(`${path} was replaced, but its folder could not be synced: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ReplacedNotSyncedError';
  }
}
