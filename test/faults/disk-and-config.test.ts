/**
 * Fault rows that need no emulator: the data directory not writable or full, and every
 * config key given a value of the wrong type. Each is a whole run of the built binary.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configKeys } from '../../src/services/config-keys.js';
import { runTickops } from '../support/cli.js';
import { expectCleanEnd } from './fault-helpers.js';

const secret = 'disk-config-secret-never-printed';
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-disk-'));
  await writeFile(join(folder, 'tickers.txt'), 'BARC\nVOD\nLLOY\nBP\n');
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const runWith = (dataDirectory: string, list = join(folder, 'tickers.txt')) =>
  runTickops(
    [
      '--run-today',
      '--source',
      'simulated',
      '--date',
      '2024-10-25',
      '--tickers',
      list,
      '--local-sink',
      join(folder, 'sink'),
      '--data-dir',
      dataDirectory,
    ],
    { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: secret },
  );

describe('fault matrix: the data directory', () => {
  it('is not writable (a file stands where the folder should be): one line, exit 1', async () => {
    await writeFile(join(folder, 'blocked'), 'not a folder');

    const result = await runWith(join(folder, 'blocked', 'data'));

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^tickops: cannot write .*blocked\/data\/20241025\/.* \(ENOTDIR\)$/m,
    );
    await expectCleanEnd(result, join(folder, 'blocked'), secret);
  });

  it('fills up (a 96 KiB tmpfs): says the disk is full, leaves no partial file', async (context) => {
    const mountPoint = join(folder, 'tiny');
    await mkdir(mountPoint);
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mountPoint], {
      reject: false,
    });
    // Mounting needs root; elsewhere the row cannot be built, and says so.
    if (mounted.exitCode !== 0) context.skip(`cannot mount a tmpfs here: ${mounted.stderr}`);

    try {
      const result = await runWith(mountPoint);

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^tickops: cannot write .* \(ENOSPC\)$/m);
      expect(result.stderr).toMatch(
        /next: the disk is full: free space or point --data-dir elsewhere/,
      );
      await expectCleanEnd(result, mountPoint, secret);
    } finally {
      await execa('umount', [mountPoint], { reject: false });
    }
  });
});

/** A value of the wrong type for a key, as a JSON config file would hold it. */
function wrongValueFor(key: string): unknown {
  const spec = configKeys[key as keyof typeof configKeys];
  const probe = spec.schema.safeParse(42);

  return probe.success ? 'not-a-valid-value-for-this-key' : 42;
}

describe('fault matrix: configuration', () => {
  it.each(Object.keys(configKeys))(
    'rejects a wrong type for %s with one line naming it, exit 2',
    async (key) => {
      const file = join(folder, 'tickops.config.json');
      await writeFile(file, JSON.stringify({ [key]: wrongValueFor(key) }));

      const result = await runTickops(
        ['--run-today', '--config', file, '--local-sink', join(folder, 'sink')],
        {
          AWS_SECRET_ACCESS_KEY: secret,
        },
      );

      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^tickops: ${file.replace(/[.]/g, '\\.')}: ${key}: expected `, 'm'),
      );
      await expectCleanEnd(result, folder, secret);
    },
  );

  it('rejects an unknown key and an empty list', async () => {
    const file = join(folder, 'tickops.config.json');
    await writeFile(file, '{"tickerFile": "x"}');
    await writeFile(join(folder, 'empty.txt'), '# nothing yet\n');

    const unknown = await runTickops(['--run-today', '--config', file], {});
    const empty = await runWith(join(folder, 'data'), join(folder, 'empty.txt'));

    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown key 'tickerFile'/);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/^tickops: ticker list .*empty\.txt has no tickers$/m);
    expect(empty.stderr).toMatch(/next: add one symbol a line/);
  });
});
