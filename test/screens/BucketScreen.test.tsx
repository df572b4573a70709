import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { BucketScreen } from '../../src/screens/BucketScreen.js';
import { formatBarsCsv } from '../../src/services/bars-csv.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import type { BucketService } from '../../src/screens/console-services.js';
import {
  fakeServices,
  keys,
  memoryBucket,
  realRunController,
  renderSized,
  testConfig,
} from './console-fixtures.js';
import { waitFor } from './screen-wait.js';

afterEach(() => cleanup());

const bars = Array.from({ length: 510 }, (_, index) => ({
  time: Date.parse('2024-10-25T07:00:00Z') + index * 60_000,
  open: 100 + Math.sin(index / 40) * 5,
  high: 101 + Math.sin(index / 40) * 5,
  low: 99 + Math.sin(index / 40) * 5,
  close: 100.5 + Math.sin(index / 40) * 5,
  volume: 1000 + index,
}));

const objects = {
  'bars/20241025/BARC.csv': formatBarsCsv(bars),
  'bars/20241025/VOD.csv': formatBarsCsv(bars.slice(0, 10)),
  'manifests/20241025.json': JSON.stringify({
    version: 1,
    date: '2024-10-25',
    exchange: 'LON',
    timeZone: 'Europe/London',
    source: 'yahoo',
    simulated: false,
    tickers: [
      { ticker: 'BARC', sourceSymbol: 'BARC.L', status: 'done', bars: 510, currency: 'GBp' },
      {
        ticker: 'AMFW',
        sourceSymbol: 'AMFW.L',
        status: 'failed',
        bars: 0,
        reason: 'no data (symbol may be delisted or wrong)',
      },
    ],
  }),
  'raw/20241025/BARC.json': '{}',
};

function setup(denied: readonly string[] = [], service?: BucketService) {
  const config = testConfig();
  const bucket = memoryBucket(objects, denied);
  const services = fakeServices(
    config,
    realRunController(config, ['BARC']),
    service ?? bucket.service,
  );
  const screen = renderSized(<BucketScreen services={services} width={100} height={30} />, 100, 34);

  return { screen, bucket };
}

const frame = (screen: { lastFrame(): string | undefined }) => screen.lastFrame() ?? '';

describe('BucketScreen', () => {
  it('lists the top level as folders', async () => {
    const { screen } = setup();

    await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));
    expect(frame(screen)).toMatch(/^manifests\//m);
    expect(frame(screen)).toMatch(/^raw\//m);
    expect(frame(screen)).toContain('3 entries');
  });

  it('walks into a date and previews a CSV with its chart, high, low and bar count', async () => {
    const { screen } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));

    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.csv +\d/m));
    screen.stdin.write(keys.enter);

    await waitFor(() => expect(frame(screen)).toMatch(/510 bars · high 105\.9\d* · low 94\.0/));
    expect(frame(screen)).toContain('time,open,high,low,close,volume');
    expect(frame(screen)).toContain('2024-10-25T07:00:00Z');
    expect(frame(screen)).toMatch(/[╭╮╰╯│─]/);
  });

  it('shows a manifest as its per-ticker summary', async () => {
    const { screen } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^manifests\//m));

    screen.stdin.write('j');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\.json/m));
    screen.stdin.write(keys.enter);

    await waitFor(() => expect(frame(screen)).toContain('2 tickers: 1 done, 0 empty, 1 failed'));
    expect(frame(screen)).toMatch(/AMFW +failed .*no data/);
  });

  it('shows a denied read in place, with what to do', async () => {
    const { screen } = setup(['raw/20241025/BARC.json']);
    await waitFor(() => expect(frame(screen)).toMatch(/^raw\//m));

    screen.stdin.write('j');
    screen.stdin.write('j');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.json/m));
    screen.stdin.write(keys.enter);

    await waitFor(() =>
      expect(frame(screen)).toContain(
        'access denied: s3:GetObject on s3://ftse100/raw/20241025/BARC.json',
      ),
    );
    expect(frame(screen)).toContain('next: run with credentials that allow s3:GetObject');
  });

  it('goes back up with escape and downloads the selected object with d', async () => {
    const { screen, bucket } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.csv/m));

    screen.stdin.write('d');
    await waitFor(() =>
      expect(frame(screen)).toContain('saved /data/downloads/bars/20241025/BARC.csv'),
    );
    screen.stdin.write(keys.escape);

    await waitFor(() => expect(frame(screen)).toContain('s3://ftse100/bars/'));
    expect(bucket.downloads).toEqual(['bars/20241025/BARC.csv']);
  });

  it('says d is for objects on a folder, in place of the last saved line', async () => {
    const { screen, bucket } = setup();
    await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.csv/m));
    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('saved /data/downloads/'));
    screen.stdin.write(keys.escape);
    await waitFor(() => expect(frame(screen)).toContain('s3://ftse100/bars/'));

    screen.stdin.write('d');

    await waitFor(() =>
      expect(frame(screen)).toContain(
        'd downloads objects; 20241025/ is a folder (enter opens it)',
      ),
    );
    expect(frame(screen)).not.toContain('saved');
    expect(bucket.downloads).toEqual(['bars/20241025/BARC.csv']);

    // The answer belongs to that folder's row: opening the folder clears it.
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.csv/m));
    expect(frame(screen)).not.toContain('is a folder');
  });

  it('clears an applied filter with esc before going up, and says it is applied', async () => {
    const { screen } = setup();
    await openDay(screen);
    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('vod');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('filtered "vod": 1 of 2 · esc clears'));
    expect(frame(screen)).not.toMatch(/^BARC\.csv/m);

    screen.stdin.write(keys.escape);
    await waitFor(() => expect(frame(screen)).toMatch(/^BARC\.csv/m));
    expect(frame(screen)).toContain('s3://ftse100/bars/20241025/');
    expect(frame(screen)).toContain('2 entries');
    expect(frame(screen)).not.toContain('filtered');
    screen.stdin.write(keys.escape);

    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    expect(frame(screen)).toMatch(/^s3:\/\/ftse100\/bars\/$/m);
  });

  it('clears an applied filter with backspace before going up', async () => {
    const { screen } = setup();
    await openDay(screen);
    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('barc');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('filtered "barc": 1 of 2'));

    screen.stdin.write(keys.backspace);

    await waitFor(() => expect(frame(screen)).toMatch(/^VOD\.csv/m));
    expect(frame(screen)).toContain('s3://ftse100/bars/20241025/');
  });

  it('downloads the previewed object with d, as the listing row does', async () => {
    const { screen, bucket } = setup();
    await openDay(screen);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/510 bars · high/));

    screen.stdin.write('d');

    await waitFor(() =>
      expect(frame(screen)).toContain('saved /data/downloads/bars/20241025/BARC.csv'),
    );
    expect(frame(screen)).toMatch(/510 bars · high/);
    expect(bucket.downloads).toEqual(['bars/20241025/BARC.csv']);
  });

  it('shows a refused download from the preview in place, with what to do', async () => {
    const refusing: BucketService = {
      ...memoryBucket(objects).service,
      download: async (key) => {
        throw new AccessDeniedError(`access denied: s3:GetObject on s3://ftse100/${key}`, {
          hint: 'run with credentials that allow s3:GetObject',
        });
      },
    };
    const { screen } = setup([], refusing);
    await openDay(screen);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/510 bars · high/));

    screen.stdin.write('d');

    await waitFor(() =>
      expect(frame(screen)).toContain(
        'access denied: s3:GetObject on s3://ftse100/bars/20241025/BARC.csv — run with',
      ),
    );
  });
});

/** Walk into bars/20241025/ and wait for its two CSVs. */
async function openDay(screen: ReturnType<typeof setup>['screen']) {
  await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));
  screen.stdin.write(keys.enter);
  await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
  screen.stdin.write(keys.enter);
  await waitFor(() => expect(frame(screen)).toMatch(/^VOD\.csv/m));
}
