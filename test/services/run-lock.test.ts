import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, lockTimings, RunBusyError } from '../../src/services/run-lock.js';

let folder: string;
let path: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-lock-'));
  path = join(folder, '20241025', '.run.lock');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The pid of a process that has certainly ended. */
function endedPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('the run lock', () => {
  it('lets one run hold the day and tells a second who holds it and what to do', async () => {
    const first = await acquireRunLock(path, 'the run of 2024-10-25');

    const second = acquireRunLock(path, 'the run of 2024-10-25');

    await expect(second).rejects.toThrow(RunBusyError);
    await expect(second).rejects.toThrow(
      new RegExp(`^the run of 2024-10-25 is already under way \\(pid ${process.pid} on `),
    );
    await expect(second).rejects.toMatchObject({ hint: expect.stringContaining('let it finish') });
    await first.release();
    const third = await acquireRunLock(path, 'the run of 2024-10-25');
    await third.release();
    expect(await readdir(join(folder, '20241025'))).toEqual([]);
  });

  it('takes over at once a lock whose process on this host has ended (a SIGKILLed run)', async () => {
    await acquireRunLock(path, 'x').then(async (lock) => lock.release());
    const dead = JSON.stringify({ pid: endedPid(), host: hostname(), startedAt: 'then' });
    await writeFile(path, dead);

    const lock = await acquireRunLock(path, 'the run of 2024-10-25');

    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("waits out another host's lock until it has not been renewed for a minute", async () => {
    await acquireRunLock(path, 'x').then(async (lock) => lock.release());
    await writeFile(path, JSON.stringify({ pid: 1, host: 'container-a', startedAt: 'then' }));

    await expect(acquireRunLock(path, 'the run')).rejects.toThrow(/pid 1 on container-a/);

    const old = new Date(Date.now() - lockTimings.staleMs - 5_000);
    await utimes(path, old, old);
    const lock = await acquireRunLock(path, 'the run');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('treats a damaged lock as held while it is fresh, and as stale once old', async () => {
    await acquireRunLock(path, 'x').then(async (lock) => lock.release());
    await writeFile(path, '{"pi');

    await expect(acquireRunLock(path, 'the run')).rejects.toThrow(/another run/);

    const old = new Date(Date.now() - lockTimings.staleMs - 5_000);
    await utimes(path, old, old);
    await (await acquireRunLock(path, 'the run')).release();
  });

  it('leaves a lock that is no longer its own in place on release', async () => {
    const lock = await acquireRunLock(path, 'the run');
    const other = JSON.stringify({ pid: 2, host: 'elsewhere', startedAt: 'now' });
    await writeFile(path, other);

    await lock.release();

    expect(await readFile(path, 'utf8')).toBe(other);
  });

  it('is whole or absent: a run killed while taking it leaves only a draft, which blocks nothing', async () => {
    await acquireRunLock(path, 'x').then(async (lock) => lock.release());
    // What a run killed before its draft became the lock leaves behind.
    const draft = `${path}.${endedPid()}.tmp-0a1b2c3d`;
    await writeFile(draft, JSON.stringify({ pid: 1, host: hostname(), startedAt: 'x' }));

    const lock = await acquireRunLock(path, 'the run of 2024-10-25');

    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    // The draft stays for the run's own clearing of temporary files (DayStore.prepare).
    expect(await readFile(draft, 'utf8')).toContain('"pid":1');
    await lock.release();
  });
});
