/** What every fault-matrix row asserts besides its own expectations. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliResult } from '../support/cli.js';

/** Every file under a folder, however deep; none when it does not exist. */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);

  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * No stack trace, no half-written file, no credential anywhere in what the run printed, and
 * every error line followed by what to do next.
 */
export async function expectCleanEnd(result: CliResult, dataDirectory: string, secret: string) {
  const output = `${result.stdout}\n${result.stderr}`;

  expect(output).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
  expect(output).not.toContain(secret);
  expect((await filesUnder(dataDirectory)).filter((path) => path.includes('.tmp-'))).toEqual([]);
  for (const line of result.stderr.split('\n').filter((text) => text.startsWith('tickops: '))) {
    if (/stopping:/.test(line)) continue;
    expect(result.stderr).toContain('next: ');
    expect(line.length).toBeLessThan(300);
  }
}
