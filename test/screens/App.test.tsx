import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../../src/screens/App.js';
import { globalKeys, runKeys } from '../../src/screens/keys.js';
import type { CloudRunEvent, CloudRunView } from '../../src/services/cloud-run.js';
import {
  fakeServices,
  fixedNow,
  keys,
  memoryBucket,
  realRunController,
  renderSized,
  resize,
  testConfig,
} from './console-fixtures.js';
import { waitFor } from './screen-wait.js';

afterEach(() => cleanup());

function setup(
  symbols: readonly string[] = ['BARC', 'VOD'],
  columns = 80,
  rows = 24,
  failing: readonly string[] = [],
) {
  const config = testConfig();
  const run = realRunController(config, symbols, failing);
  const onQuit = vi.fn();
  const screen = renderSized(
    <App services={fakeServices(config, run)} onQuit={onQuit} noColor />,
    columns,
    rows,
  );

  return { screen, run, onQuit };
}

const frame = (screen: { lastFrame(): string | undefined }) => screen.lastFrame() ?? '';
const lines = (text: string) => text.split('\n');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('App (the console shell)', () => {
  it('shows who and where: identity, region, bucket, trading date and market state', async () => {
    const { screen } = setup();

    await waitFor(() => expect(frame(screen)).toContain('arn:aws:iam::111122223333:user'));
    expect(frame(screen)).toContain('2024-10-25 LON open · eu-west-1 · s3://ftse100');
    expect(lines(frame(screen))[0]).toMatch(/tickops +1 Run +2 Bucket +3 Coverage +4 IAM +5 EC2/);
  });

  it('switches screens with number keys and tab', async () => {
    const { screen } = setup();

    screen.stdin.write('2');
    await waitFor(() => expect(frame(screen)).toContain('s3://ftse100/'));
    screen.stdin.write(keys.tab);
    await waitFor(() => expect(frame(screen)).toContain('# complete'));
    screen.stdin.write('4');
    await waitFor(() => expect(frame(screen)).toContain('PIECE     STATE'));
    screen.stdin.write('5');
    await waitFor(() =>
      expect(frame(screen)).toContain('no machine tagged tickops:role=downloader'),
    );
    screen.stdin.write('1');

    await waitFor(() => expect(frame(screen)).toContain('no run yet'));
  });

  it('opens the help overlay with ? and closes it with any key', async () => {
    const { screen } = setup();

    screen.stdin.write('?');
    await waitFor(() => expect(frame(screen)).toContain('Run keys'));
    expect(frame(screen)).toMatch(/retry failed/);
    screen.stdin.write('x');

    await waitFor(() => expect(frame(screen)).not.toContain('Run keys'));
  });

  it("fits the Run screen's help at 80×24: every key and how to close it", async () => {
    const { screen } = setup();

    screen.stdin.write('?');

    await waitFor(() => expect(frame(screen)).toContain('Run keys'));
    for (const key of [...runKeys, ...globalKeys]) {
      expect(frame(screen)).toMatch(
        new RegExp(`^  ${escape(key.keys)} +${escape(key.does)}$`, 'm'),
      );
    }
    expect(frame(screen)).toMatch(/^  enter +open \/ confirm$/m);
    expect(frame(screen)).toMatch(/^press any key to close$/m);
  });

  it('pages the help when it does not fit (60×15): space shows the rest, then any key closes', async () => {
    const { screen } = setup(['BARC', 'VOD'], 60, 15);
    screen.stdin.write('?');
    await waitFor(() => expect(frame(screen)).toContain('Run keys'));
    const first = frame(screen);
    expect(first).toMatch(/^page 1\/2 · space or pgdn: more · any other key closes$/m);

    screen.stdin.write(' ');
    await waitFor(() => expect(frame(screen)).toMatch(/^page 2\/2 · any key closes$/m));
    const both = `${first}\n${frame(screen)}`;
    for (const key of [...runKeys, ...globalKeys]) {
      expect(both).toMatch(new RegExp(`^  ${escape(key.keys)} +${escape(key.does)}$`, 'm'));
    }
    expect(both).toMatch(/^  esc\/backspace +back \/ cancel$/m);
    screen.stdin.write(' ');

    await waitFor(() => expect(frame(screen)).toContain('no run yet'));
  });

  it('leaves on q, through onQuit', async () => {
    const { screen, onQuit } = setup();

    screen.stdin.write('q');

    await waitFor(() => expect(onQuit).toHaveBeenCalledOnce());
  });

  it('does not quit on q while a filter is being typed', async () => {
    const { screen, onQuit } = setup();

    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('q');

    await waitFor(() => expect(frame(screen)).toContain('filter: q'));
    expect(onQuit).not.toHaveBeenCalled();
  });

  it('keeps 60 tickers within rows - 1 and the width, before and after a resize (case B02)', async () => {
    const symbols = Array.from({ length: 60 }, (_, index) => `T${String(index).padStart(2, '0')}`);
    const { screen, run } = setup(symbols);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/finished/));
    await run.settled();

    const before = lines(frame(screen));
    resize(screen.stdout, 60, 15);
    await waitFor(() => expect(lines(frame(screen)).length).toBeLessThanOrEqual(14));
    const after = lines(frame(screen));

    expect(before.length).toBeLessThanOrEqual(23);
    expect(Math.max(...before.map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(Math.max(...after.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(screen.frames.join('')).not.toMatch(/\u001b\[[23]J/);
  });

  it('scrolls the table with the selection instead of growing', async () => {
    const symbols = Array.from({ length: 60 }, (_, index) => `T${String(index).padStart(2, '0')}`);
    const { screen, run } = setup(symbols);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/finished/));
    await run.settled();

    screen.stdin.write('G');

    await waitFor(() => expect(frame(screen)).toMatch(/^T59 /m));
    expect(frame(screen)).not.toMatch(/^T00 /m);
  });

  it('summarises the off-screen tickers in one line at 80x24 and in a small terminal', async () => {
    const symbols = Array.from({ length: 60 }, (_, index) => `T${String(index).padStart(2, '0')}`);
    const { screen, run } = setup(symbols, 80, 24, ['T58', 'T59']);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/finished/));
    await run.settled();

    await waitFor(() => expect(frame(screen)).toMatch(/^↓ 45 more: 43 done, 2 failed$/m));
    resize(screen.stdout, 40, 12);
    await waitFor(() => expect(frame(screen)).toMatch(/^↓ 57 more: 55 done, 2 failed$/m));
    expect(lines(frame(screen)).length).toBeLessThanOrEqual(11);
    expect(Math.max(...lines(frame(screen)).map((line) => line.length))).toBeLessThanOrEqual(40);
    resize(screen.stdout, 24, 10);

    await waitFor(() => expect(frame(screen)).toMatch(/^↓ 59 more: 57 done, 2 f…$/m));
    expect(lines(frame(screen)).length).toBeLessThanOrEqual(9);
    expect(Math.max(...lines(frame(screen)).map((line) => line.length))).toBeLessThanOrEqual(24);
  });

  it.each([
    ['1', 'Run keys', ['pgup/pgdn', 'home/end g/G', 'esc/bksp       clear filter']],
    ['2', 'Bucket keys', ['enter/→', 'esc/bksp/←', 'pgup/pgdn', 'home/end g/G']],
    ['3', 'Coverage keys', ['pgup/pgdn']],
  ])('lists every key screen %s handles in its help, and shift-tab', async (tab, title, wanted) => {
    const { screen } = setup();
    screen.stdin.write(tab);
    await waitFor(() => expect(frame(screen)).toMatch(/\? help +q quit/));

    screen.stdin.write('?');

    await waitFor(() => expect(frame(screen)).toContain(title));
    for (const text of [...wanted, '1-5 tab S-tab']) expect(frame(screen)).toContain(text);
  });

  it("lists the setup wizard's j/k in its help", async () => {
    const { screen } = setup();
    screen.stdin.write('4');
    await waitFor(() => expect(frame(screen)).toContain('PIECE     STATE'));
    screen.stdin.write('w');
    await waitFor(() => expect(frame(screen)).toMatch(/setup +1 identity/));

    screen.stdin.write('?');

    await waitFor(() => expect(frame(screen)).toContain('Setup wizard keys'));
    expect(frame(screen)).toContain('↑↓ j/k l/o');
  });

  it('goes to the previous screen with shift-tab', async () => {
    const { screen } = setup();
    await waitFor(() => expect(frame(screen)).toContain('no run yet'));

    screen.stdin.write(keys.shiftTab);

    await waitFor(() =>
      expect(frame(screen)).toContain('no machine tagged tickops:role=downloader'),
    );
  });

  it('follows the cloud run of the chosen date on c, and comes back on esc', async () => {
    const config = testConfig();
    const run = realRunController(config, ['BARC', 'VOD'], []);
    const followed: string[] = [];
    const stopped = vi.fn();
    const view: CloudRunView = {
      date: '2024-10-25',
      count: 2,
      shards: [
        { index: 0, state: 'finished', tickers: 1, through: 1 },
        { index: 1, state: 'unfinished', tickers: 1, through: 0 },
      ],
      tickers: [
        { ticker: 'BARC', shard: 0, state: 'done', bars: 510, bytes: 49_800 },
        { ticker: 'VOD', shard: 1, state: 'pending' },
      ],
      merged: false,
      lookedAt: fixedNow,
    };
    const services = {
      ...fakeServices(config, run),
      cloud: {
        intervalMs: 5000,
        follow: (date: string, onEvent: (event: CloudRunEvent) => void) => {
          followed.push(date);
          onEvent({ type: 'view', view });
          return stopped;
        },
      },
    };
    const screen = renderSized(<App services={services} noColor />, 80, 24);
    await waitFor(() => expect(frame(screen)).toContain('no run yet'));

    screen.stdin.write('c');
    await waitFor(() =>
      expect(frame(screen)).toContain('cloud 2024-10-25: shards 1/2 · tickers 1/2 · 0 failed'),
    );
    expect(followed).toEqual(['2024-10-25']);
    expect(frame(screen)).toMatch(/^VOD +1\/2 +pending/m);
    expect(frame(screen)).toContain("c / esc back to this host's run");

    screen.stdin.write('?');
    await waitFor(() => expect(frame(screen)).toContain('Cloud run'));
    screen.stdin.write('?');
    await waitFor(() => expect(frame(screen)).toContain('cloud 2024-10-25'));

    screen.stdin.write(keys.escape);
    await waitFor(() => expect(frame(screen)).toContain('no run yet'));
    expect(stopped).toHaveBeenCalled();
  });

  it('keeps the screen as it was under the help: the folder stays open, keys move nothing', async () => {
    const config = testConfig();
    const bucket = memoryBucket({
      'bars/20241025/BARC.csv': 'time,open,high,low,close,volume\n',
      'bars/20241025/VOD.csv': 'time,open,high,low,close,volume\n',
      'raw/20241025/BARC.json': '{}',
    });
    const services = fakeServices(config, realRunController(config, ['BARC']), bucket.service);
    const screen = renderSized(<App services={services} noColor />, 80, 24);

    screen.stdin.write('2');
    await waitFor(() => expect(frame(screen)).toMatch(/^bars\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^20241025\//m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^VOD\.csv/m));
    const before = frame(screen);

    screen.stdin.write('?');
    await waitFor(() => expect(frame(screen)).toContain('Bucket keys'));
    screen.stdin.write('j');
    await waitFor(() => expect(frame(screen)).not.toContain('Bucket keys'));

    expect(frame(screen)).toBe(before);
  });
});
