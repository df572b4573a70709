/**
 * Files that are either whole or absent: written to a temporary name in the same folder,
 * flushed, then renamed over the target (rename is atomic within a file system). A run killed
 * at any point leaves at most a stale temporary file, which the next run removes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError } from './errors.js';

/** Part of every temporary file's name, so a later run can find and remove leftovers. */
export const temporaryMarker = '.tmp-';

/** How hard a write tries to survive a power cut, not only a killed process. */
export interface AtomicWriteOptions {
  /**
   * Flush the file to the disk before the rename (default true). Files whose checksum is
   * verified before they are trusted again can skip it: after a power cut a torn file fails the
   * check and is fetched again, and the flush costs milliseconds per file.
   */
  readonly durable?: boolean;
}

/** Write bytes to `path` atomically, creating its folder. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const folder = dirname(path);
  const temporary = join(
    folder,
    `.${basename(path)}${temporaryMarker}${randomBytes(4).toString('hex')}`,
  );

  try {
    await mkdir(folder, { recursive: true });
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      if (options.durable ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw storageError(error, path);
  }
}

/** Remove temporary files a killed run left in a folder (not recursive). */
export async function removeStaleTemporaries(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }

  const stale = names.filter((name) => name.startsWith('.') && name.includes(temporaryMarker));
  await Promise.all(stale.map((name) => rm(join(folder, name), { force: true })));

  return stale.length;
}

/** Turn a file-system error into one line an operator can act on. */
export function storageError(error: unknown, path: string): StorageError {
  const code = (error as NodeJS.ErrnoException).code;
  const hints: Record<string, string> = {
    ENOSPC: 'the disk is full: free space or point --data-dir elsewhere',
    EDQUOT: 'the disk quota is used up: free space or point --data-dir elsewhere',
    EACCES:
      'the data directory is not writable by this user: fix its permissions or use --data-dir',
    EPERM: 'the data directory is not writable by this user: fix its permissions or use --data-dir',
    EROFS: 'the data directory is on a read-only file system: use --data-dir',
    ENOTDIR:
      'a part of the data directory path is a file, not a folder: point --data-dir at a folder',
  };
  const hint = (code && hints[code]) ?? 'check the data directory (--data-dir)';

  return new StorageError(`cannot write ${path} (${code ?? String(error)})`, {
    hint,
    cause: error,
  });
}
