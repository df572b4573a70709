import { describe, expect, it } from 'vitest';
import { formatManifest, type ManifestEntry } from '../../src/services/manifest.js';
import { mergeParts } from '../../src/services/merge-manifest.js';
import { allShards, shardOf, type Shard } from '../../src/services/shard.js';
import type { ManifestPart } from '../../src/services/shard-part.js';

const header = {
  version: 1 as const,
  date: '2024-10-25',
  exchange: 'LON',
  timeZone: 'Europe/London',
  source: 'yahoo',
  simulated: false,
};
const symbols = Array.from({ length: 40 }, (_, index) => `S${String(index).padStart(2, '0')}`);

function entry(ticker: string): ManifestEntry {
  return { ticker, sourceSymbol: `${ticker}.L`, status: 'done', bars: 510 };
}

function partOf(shard: Shard, extra: Partial<ManifestPart> = {}): ManifestPart {
  const tickers = symbols.filter((symbol) => shardOf(symbol, shard.count) === shard.index);

  return { ...header, shard, tickers: tickers.map(entry), ...extra };
}

const whole = formatManifest({ ...header, tickers: symbols.map(entry) });

describe('mergeParts', () => {
  it('gives the manifest of a whole-list run, byte for byte, from parts in any order', () => {
    const parts = allShards(4).map((shard) => partOf(shard));

    const merged = mergeParts(parts, 4);
    const reversed = mergeParts([...parts].reverse(), 4);

    expect(merged.complete).toBe(true);
    expect(merged.present).toEqual([0, 1, 2, 3]);
    expect(merged.missing).toEqual([]);
    expect(formatManifest(merged.manifest!)).toBe(whole);
    expect(formatManifest(reversed.manifest!)).toBe(whole);
  });

  it('is idempotent: merging again, or with a shard handed in twice, changes nothing', () => {
    const parts = allShards(4).map((shard) => partOf(shard));

    const once = mergeParts(parts, 4);
    const withDuplicate = mergeParts([...parts, partOf({ index: 2, count: 4 })], 4);

    expect(withDuplicate).toEqual(once);
  });

  it('reports missing shards and is not complete without them', () => {
    const parts = allShards(4)
      .filter((shard) => shard.index !== 1 && shard.index !== 3)
      .map((shard) => partOf(shard));

    const merged = mergeParts(parts, 4);

    expect(merged.complete).toBe(false);
    expect(merged.present).toEqual([0, 2]);
    expect(merged.missing).toEqual([1, 3]);
    expect(merged.manifest?.tickers.map((item) => item.ticker)).toEqual(
      [...partOf({ index: 0, count: 4 }).tickers, ...partOf({ index: 2, count: 4 }).tickers].map(
        (item) => item.ticker,
      ),
    );
  });

  it('finds nothing to merge in no parts', () => {
    const merged = mergeParts([], 3);

    expect(merged).toMatchObject({ complete: false, missing: [0, 1, 2], manifest: undefined });
  });

  it('ignores parts of another shard count', () => {
    const parts = [...allShards(4).map((shard) => partOf(shard)), partOf({ index: 0, count: 2 })];

    expect(formatManifest(mergeParts(parts, 4).manifest!)).toBe(whole);
  });

  it('refuses two different parts for one shard, a foreign header and stray tickers', () => {
    const parts = allShards(4).map((shard) => partOf(shard));
    const other = partOf({ index: 1, count: 4 }, { tickers: [] });
    const google = partOf({ index: 2, count: 4 }, { source: 'google' });
    const stray = partOf({ index: 3, count: 4 }, { tickers: [entry('S00'), entry('S01')] });

    const twice = mergeParts([...parts, other], 4);
    const mixed = mergeParts([parts[0]!, parts[1]!, google, stray], 4);

    expect(twice.complete).toBe(false);
    expect(twice.conflicts).toEqual([
      { shard: 1, reason: 'two different parts for the same shard' },
    ]);
    expect(twice.missing).toEqual([]);
    expect(mixed.complete).toBe(false);
    expect(mixed.conflicts.map((conflict) => conflict.shard)).toEqual([2, 3]);
    expect(mixed.conflicts[0]?.reason).toBe("its source is google, the others' yahoo");
    expect(mixed.conflicts[1]?.reason).toMatch(/^holds .* of other shards$/);
  });
});
