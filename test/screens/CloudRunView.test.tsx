import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { followCloudRun } from '../../src/services/cloud-run.js';
import type { RemoteObject } from '../../src/services/etag.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import { shardOf } from '../../src/services/shard.js';
import { CloudRunView } from '../../src/screens/CloudRunView.js';
import type { CloudRunService } from '../../src/screens/console-services.js';
import { fixedNow, keys, renderSized } from './console-fixtures.js';
import { doneEntry, failedEntry, partText } from '../support/shard-parts.js';
import { waitFor } from './screen-wait.js';

afterEach(() => cleanup());

const date = '2024-10-25';
const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
// Forty tickers in two shards: more than an 80x24 table holds, so the rest is summarised.
const symbols = Array.from({ length: 40 }, (_, index) => `C${String(index).padStart(2, '0')}`);
const failing = symbols.find((symbol) => shardOf(symbol, 2) === 0) as string;
const inShard = (index: number) => symbols.filter((symbol) => shardOf(symbol, 2) === index);

const entry = (ticker: string) =>
  ticker === failing
    ? failedEntry(ticker, 'no data: the source knows no such symbol')
    : doneEntry(ticker);
const part = (index: number) => partText(date, index, 2, inShard(index).map(entry));

/** The real follower over a bucket in memory that the test changes as the shards would. */
function cloudOver(objects: Map<string, string>, refuse: { list: boolean }): CloudRunService {
  return {
    intervalMs: 20,
    follow: (day, onEvent) =>
      followCloudRun(
        {
          date: day,
          layout,
          symbols,
          intervalMs: 20,
          now: () => fixedNow,
          sink: {
            list: async (prefix) => {
              if (refuse.list) {
                throw new AccessDeniedError('access denied: s3:ListBucket on s3://ftse100', {
                  hint: 'use credentials that may list the bucket',
                });
              }
              const listed = [...objects.keys()].filter((key) => key.startsWith(prefix));
              return new Map<string, RemoteObject>(
                listed.map((key) => [key, { key, size: 1, etag: `"${objects.get(key)?.length}"` }]),
              );
            },
          },
          reader: { read: async (key) => objects.get(key) },
        },
        onEvent,
      ),
  };
}

function show(objects: Map<string, string>, refuse = { list: false }) {
  const onLeave = vi.fn();
  const screen = renderSized(
    <CloudRunView
      service={cloudOver(objects, refuse)}
      date={date}
      bucket="ftse100"
      now={() => fixedNow}
      width={80}
      height={20}
      onLeave={onLeave}
    />,
    80,
    24,
  );

  return { screen, onLeave, frame: () => screen.lastFrame() ?? '' };
}

describe('CloudRunView', () => {
  it('shows finished shards from their parts, and the running one from its uploads', async () => {
    const running = inShard(1);
    const objects = new Map([
      ['manifests/20241025/parts/0-of-2.json', part(0)],
      [`bars/20241025/${running[0]}.csv`, 'csv'],
    ]);
    const { screen, frame } = show(objects);

    await waitFor(() =>
      expect(frame()).toContain(
        `cloud 2024-10-25: shards 1/2 · tickers ${inShard(0).length + 1}/40 · 1 failed · not merged yet`,
      ),
    );
    expect(frame()).toContain(`shards: 0 ✓ · 1 1/${running.length}`);
    expect(frame()).toMatch(new RegExp(`^${failing} +0/2 +failed +.*no data`, 'm'));
    expect(frame()).toMatch(new RegExp(`^${running[0]} +1/2 +uploaded`, 'm'));
    expect(frame()).toMatch(/^↓ \d+ more: /m);
    for (const line of frame().split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    // The shards finish; the last one merges. The next look shows it.
    objects.set('manifests/20241025/parts/1-of-2.json', part(1));
    objects.set('manifests/20241025.json', '{}');
    await waitFor(() =>
      expect(frame()).toContain('shards 2/2 · tickers 40/40 · 1 failed · merged: complete'),
    );
    expect(frame()).toContain('shards: 0 ✓ · 1 ✓');

    // The selected row's reason in full, under the table.
    const failingRow = symbols.indexOf(failing);
    for (let step = 0; step < failingRow; step += 1) screen.stdin.write(keys.down);
    await waitFor(() =>
      expect(frame()).toContain(`${failing}: no data: the source knows no such symbol`),
    );
  });

  it('says in place when it may not look, and goes back on c', async () => {
    const refuse = { list: true };
    const { screen, onLeave, frame } = show(new Map(), refuse);

    await waitFor(() =>
      expect(frame()).toContain(
        'look failed: access denied: s3:ListBucket on s3://ftse100; use credentials that',
      ),
    );
    expect(frame()).toContain("looking at s3://ftse100 for 2024-10-25's shards…");

    refuse.list = false;
    await waitFor(() => expect(frame()).toContain('cloud 2024-10-25: shards ? · tickers 0/40'));
    expect(frame()).toContain('c or esc: back');

    screen.stdin.write('c');
    await waitFor(() => expect(onLeave).toHaveBeenCalledTimes(1));
  });
});
