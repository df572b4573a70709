import { describe, expect, it } from 'vitest';
import { allShards, parseShard, shardOf, shareOf } from '../../src/services/shard.js';

const symbols = Array.from({ length: 5000 }, (_, index) => `T${String(index).padStart(4, '0')}`);
const tickers = symbols.map((symbol) => ({ symbol }));

/** A fixed shuffle, so the test is the same on every run. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  let state = 7;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

describe('shard assignment', () => {
  it('puts every ticker in exactly one shard of N', () => {
    for (const count of [1, 2, 3, 8, 13]) {
      const shares = allShards(count).map((shard) => shareOf(tickers, shard));

      const all = shares.flat().map((ticker) => ticker.symbol);
      expect(all).toHaveLength(symbols.length);
      expect(new Set(all).size).toBe(symbols.length);
    }
  });

  it('does not depend on the order of the list or on the other tickers', () => {
    const shard = { index: 3, count: 8 };

    const inOrder = shareOf(tickers, shard).map((ticker) => ticker.symbol);
    const reordered = shareOf(shuffled(tickers), shard).map((ticker) => ticker.symbol);
    const alone = shareOf(tickers.slice(0, 10), shard).map((ticker) => ticker.symbol);

    expect([...reordered].sort()).toEqual(inOrder);
    expect(alone).toEqual(inOrder.filter((symbol) => symbols.slice(0, 10).includes(symbol)));
  });

  it('is stable: the same symbol gets the same shard on every machine', () => {
    // Pinned values: a change here moves tickers between shards of running deployments.
    expect([shardOf('BARC', 8), shardOf('BT.A', 8), shardOf('VOD', 8), shardOf('AZN', 8)]).toEqual([
      2, 5, 5, 6,
    ]);
    expect(shardOf('BARC', 1)).toBe(0);
  });

  it('spreads 5,000 tickers evenly over 8 shards', () => {
    const sizes = allShards(8).map((shard) => shareOf(tickers, shard).length);

    expect(Math.min(...sizes)).toBeGreaterThan(550);
    expect(Math.max(...sizes)).toBeLessThan(700);
  });
});

describe('parseShard', () => {
  it('reads K/N with K counted from 0 and refuses anything else', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard(' 0/1 ')).toEqual({ index: 0, count: 1 });
    for (const bad of ['8/8', '1/0', '-1/4', '3', '3/8/1', 'a/b', '1/1001', '']) {
      expect(parseShard(bad)).toBeUndefined();
    }
  });
});
