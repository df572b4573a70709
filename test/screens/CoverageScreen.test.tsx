import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { CoverageScreen } from '../../src/screens/CoverageScreen.js';
import type { Manifest } from '../../src/services/manifest.js';
import {
  fakeServices,
  keys,
  realRunController,
  renderSized,
  testConfig,
} from './console-fixtures.js';
import { londonManifest } from '../support/shard-parts.js';
import { waitFor } from './screen-wait.js';

afterEach(() => cleanup());

const manifest = londonManifest;

const manifests = new Map<string, Manifest | undefined>([
  [
    '2024-10-23',
    manifest('2024-10-23', [
      { ticker: 'BARC', sourceSymbol: 'BARC.L', status: 'done', bars: 510 },
      { ticker: 'VOD', sourceSymbol: 'VOD.L', status: 'done', bars: 300 },
    ]),
  ],
  ['2024-10-24', undefined],
  [
    '2024-10-25',
    manifest('2024-10-25', [
      { ticker: 'BARC', sourceSymbol: 'BARC.L', status: 'done', bars: 510 },
      {
        ticker: 'VOD',
        sourceSymbol: 'VOD.L',
        status: 'failed',
        bars: 0,
        reason: 'rate limited after 5 attempts',
      },
    ]),
  ],
]);

function setup() {
  const config = testConfig();
  const run = realRunController(config, ['BARC', 'VOD']);
  const start = vi.spyOn(run, 'start');
  const onRerun = vi.fn();
  const services = fakeServices(config, run, undefined, manifests, ['BARC', 'VOD']);
  const screen = renderSized(
    <CoverageScreen services={services} width={80} height={20} onRerun={onRerun} />,
    80,
    24,
  );

  return { screen, start, onRerun, run };
}

const frame = (screen: { lastFrame(): string | undefined }) => screen.lastFrame() ?? '';

describe('CoverageScreen', () => {
  it('draws one mark per ticker and day: complete, short, failed, missing', async () => {
    const { screen } = setup();

    await waitFor(() => expect(frame(screen)).toMatch(/^BARC +# +\? +#/m));
    expect(frame(screen)).toMatch(/^VOD +s +\? +X/m);
  });

  it('says why the selected cell is what it is', async () => {
    const { screen } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^VOD/m));

    screen.stdin.write('j');
    screen.stdin.write('l');
    screen.stdin.write('l');

    await waitFor(() =>
      expect(frame(screen)).toContain('VOD 2024-10-25: failed, rate limited after 5 attempts'),
    );
    screen.stdin.write('h');
    await waitFor(() =>
      expect(frame(screen)).toContain('VOD 2024-10-24: missing, no manifest for 2024-10-24'),
    );
  });

  it('re-runs exactly the bad cells, day by day, with R', async () => {
    const { screen, start, onRerun, run } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^VOD/m));

    screen.stdin.write('R');
    await waitFor(() => expect(start).toHaveBeenCalledTimes(3));
    await run.settled();

    expect(onRerun).toHaveBeenCalledOnce();
    expect(start.mock.calls.map(([request]) => [request.date, request.retry])).toEqual([
      ['2024-10-23', ['VOD']],
      ['2024-10-24', ['BARC', 'VOD']],
      ['2024-10-25', ['VOD']],
    ]);
  });

  it('pages through a long ticker list with PgDn and PgUp', async () => {
    const config = testConfig();
    const tickers = Array.from({ length: 30 }, (_, index) => `T${String(index).padStart(2, '0')}`);
    const services = fakeServices(
      config,
      realRunController(config, tickers),
      undefined,
      new Map([['2024-10-25', undefined]]),
      tickers,
    );
    const screen = renderSized(
      <CoverageScreen services={services} width={80} height={20} onRerun={vi.fn()} />,
      80,
      24,
    );
    await waitFor(() => expect(frame(screen)).toMatch(/^T00 /m));

    screen.stdin.write(keys.pageDown);
    await waitFor(() => expect(frame(screen)).toContain('T16 2024-10-25: missing'));
    expect(frame(screen)).not.toMatch(/^T00 /m);
    screen.stdin.write(keys.pageUp);

    await waitFor(() => expect(frame(screen)).toContain('T00 2024-10-25: missing'));
    expect(frame(screen)).toMatch(/^T00 /m);
  });
});
