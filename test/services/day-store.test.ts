import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DayStore } from '../../src/services/day-store.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-day-store-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const failed = (ticker: string) => ({
  ticker,
  sourceSymbol: `${ticker}.L`,
  status: 'failed' as const,
  bars: 0,
  reason: 'no data',
});

describe('the day folder', () => {
  it('reads all committed entries, or only the tickers asked for', async () => {
    const store = new DayStore(folder, '2024-10-25');
    for (const ticker of ['BARC', 'VOD', 'LLOY']) await store.saveEntry(failed(ticker));

    const all = await store.readEntries();
    const mine = await store.readEntries(new Set(['VOD', 'NOSUCH']));

    expect([...all.keys()].sort()).toEqual(['BARC', 'LLOY', 'VOD']);
    expect([...mine.keys()]).toEqual(['VOD']);
    expect(mine.get('VOD')).toEqual(failed('VOD'));
    expect((await readdir(join(folder, '20241025', 'entries'))).sort()).toEqual([
      'BARC.json',
      'LLOY.json',
      'VOD.json',
    ]);
  });
});
