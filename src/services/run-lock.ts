/**
 * One run of a day (or of one shard of it) at a time per day folder. Two runs of the same day
 * on one disk (the timer's container and an operator's console, say) would not only do the
 * work twice: each clears the folder's temporary files as it starts, which are the other's
 * files in progress.
 *
 * The lock is a file created exclusively, naming its holder, whose modification time the holder
 * renews every few seconds. A lock is stale, and taken over, when its holder is a process of
 * this host that has ended, or when it has not been renewed for a minute (a holder on another
 * host, a container that was killed). Taking over renames the stale file away first: a rename
 * succeeds once, so two runs finding the same stale lock cannot both take it.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { storageError, temporaryMarker } from './atomic-file.js';
import { TickopsError } from './errors.js';
import { shardFileName, shardLabel, type Shard } from './shard.js';

/** Who holds a lock. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** A lock held by this process; release it when the run ends, however it ends. */
export interface RunLock {
  release(): Promise<void>;
}

/** The whole day's lock, in the day folder; a shard's is `.run.K-of-N.lock` beside it. */
const dayLockFile = '.run.lock';
const shardLockFile = (shard: Shard) => `.run.${shardFileName(shard)}.lock`;
const shardLockName = /^\.run\.\d+-of-\d+\.lock$/;

/** How often the holder renews the lock, and how long without renewal makes it stale. */
export const lockTimings = { renewMs: 10_000, staleMs: 60_000 };

/** The run of the day is already under way elsewhere. */
export class RunBusyError extends TickopsError {}

/**
 * Take the lock at `path`, or throw RunBusyError naming who holds it. The real clock, never a
 * configured one (TICKOPS_NOW): renewals are judged against the file's modification time.
 */
export async function acquireRunLock(path: string, what: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw storageError(error, path);
  });
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };

  for (let attempt = 1; ; attempt += 1) {
    if (await createExclusively(path, me)) return heldLock(path, me);

    const found = await readHolder(path);
    if (!found) continue;
    if (attempt > 2 || !isStale(found.holder, found.renewedAt)) {
      throw busy(what, found.holder, found.renewedAt);
    }
    await takeOver(path, found.text);
  }
}

/** Throw RunBusyError when a live holder other than `allowedPid` holds the lock at `path`. */
async function assertNotHeld(path: string, what: string, allowedPid?: number): Promise<void> {
  const found = await readHolder(path);
  if (!found || isStale(found.holder, found.renewedAt)) return;
  if (found.holder && found.holder.pid === allowedPid && found.holder.host === hostname()) return;

  throw busy(what, found.holder, found.renewedAt);
}

/**
 * The whole day's lock for a run of every ticker, or for the `--shards N --local` parent on
 * behalf of its children: no shard of the day may be at work in the folder meanwhile.
 */
export async function lockWholeDay(folder: string, date: string): Promise<RunLock> {
  const lock = await acquireRunLock(join(folder, dayLockFile), `the run of ${date}`);
  try {
    for (const path of await shardLockPaths(folder)) {
      await assertNotHeld(path, `a shard of the run of ${date}`);
    }
  } catch (error) {
    await lock.release();
    throw error;
  }

  return lock;
}

/**
 * A shard's lock (shards of one run share a folder on a big host). No whole run may be at
 * work, except the `--shards N --local` parent that started this shard, which holds the day's
 * lock on behalf of its children.
 */
export async function lockShard(folder: string, shard: Shard, date: string): Promise<RunLock> {
  await assertNotHeld(join(folder, dayLockFile), `the run of ${date}`, process.ppid);

  return acquireRunLock(
    join(folder, shardLockFile(shard)),
    `shard ${shardLabel(shard)} of the run of ${date}`,
  );
}

/** The shard locks in a day folder (`.run.K-of-N.lock`), which a whole run must not overlap. */
async function shardLockPaths(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);

  return names.filter((name) => shardLockName.test(name)).map((name) => join(folder, name));
}

/**
 * Create the lock with its holder already in it: written to a file of its own, then linked to
 * the lock's name, which fails if the name exists. Creating the lock file and then writing it
 * left an empty lock when a run was killed between the two, which blocked the rerun for a
 * minute.
 */
async function createExclusively(path: string, me: Holder): Promise<boolean> {
  const draft = `${path}.${process.pid}${temporaryMarker}${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(draft, JSON.stringify(me), { flag: 'wx' });
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storageError(error, path);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** The lock's holder and when it was last renewed; undefined when it vanished meanwhile. */
async function readHolder(path: string) {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), renewedAt: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return { pid: value.pid, host: value.host, startedAt: String(value.startedAt ?? '') };
  } catch {
    // A damaged file (the lock is always created whole): only its age can tell.
    return undefined;
  }
}

function isStale(holder: Holder | undefined, renewedAt: number): boolean {
  if (Date.now() - renewedAt > lockTimings.staleMs) return true;
  if (!holder || holder.host !== hostname()) return false;

  return !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function takeOver(path: string, seen: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }

  // Another run may have taken the stale lock over between our read and our rename: then the
  // file moved aside is its fresh lock, and goes back.
  const moved = await readFile(aside, 'utf8').catch(() => seen);
  if (moved !== seen) await rename(aside, path).catch(() => undefined);
  else await unlink(aside).catch(() => undefined);
}

function heldLock(path: string, me: Holder): RunLock {
  const renew = setInterval(() => {
    const at = new Date();
    void utimes(path, at, at).catch(() => undefined);
  }, lockTimings.renewMs);
  // Renewing must never keep the process alive once the run is over.
  renew.unref();

  return {
    async release() {
      clearInterval(renew);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === JSON.stringify(me)) await unlink(path).catch(() => undefined);
    },
  };
}

function busy(what: string, holder: Holder | undefined, renewedAt: number) {
  const who = holder ? `pid ${holder.pid} on ${holder.host}` : 'another run';
  const since = holder?.startedAt ? `, since ${holder.startedAt.slice(0, 19)}Z` : '';
  const seen = Math.max(0, Math.round((Date.now() - renewedAt) / 1000));
  const staleAfter = lockTimings.staleMs / 1000;

  return new RunBusyError(`${what} is already under way (${who}${since}, seen ${seen} s ago)`, {
    hint:
      'let it finish, or stop it; a lock left by a run that died is taken over once its ' +
      `process is gone or ${staleAfter} s after it was last seen`,
  });
}
