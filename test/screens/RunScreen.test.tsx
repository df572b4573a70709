import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import { RunController } from '../../src/services/run-controller.js';
import type { RunEvent } from '../../src/services/run-day.js';
import type { TickerOutcome } from '../../src/services/run-summary.js';
import {
  fakeServices,
  keys,
  realRunController,
  renderSized,
  testConfig,
} from './console-fixtures.js';
import { sendWhenDrawn, waitFor } from './screen-wait.js';

afterEach(() => cleanup());

const symbols = ['BARC', 'VOD', 'AMFW', 'LLOY'];

function setup(failing: readonly string[] = ['AMFW']) {
  const config = testConfig();
  const run = realRunController(config, symbols, failing);
  const services = fakeServices(config, run);
  const screen = renderSized(<RunScreen services={services} width={80} height={20} />, 80, 24);

  return { run, screen };
}

const sixty = Array.from({ length: 60 }, (_, index) => `T${String(index).padStart(2, '0')}`);

/** 60 tickers under way: T00-T11 done, T12 on fetched until the run is cancelled. */
async function heldRun() {
  const config = testConfig();
  const run = realRunController(config, sixty, [], sixty.slice(12));
  const screen = renderSized(
    <RunScreen services={fakeServices(config, run)} width={80} height={20} />,
    80,
    24,
  );
  screen.stdin.write(keys.enter);
  await waitFor(() => expect(screen.lastFrame()).toMatch(/^T11 +done/m));

  return { run, screen };
}

const frame = (screen: ReturnType<typeof setup>['screen']) => screen.lastFrame() ?? '';

/** The four tickers run to the end: three done, AMFW failed. */
async function finishedRun() {
  const started = setup();
  started.screen.stdin.write(keys.enter);
  await waitFor(() => expect(frame(started.screen)).toMatch(/finished/));
  await started.run.settled();

  return started;
}

describe('RunScreen', () => {
  it('invites a run of today before anything has started', () => {
    const { screen } = setup();

    expect(frame(screen)).toContain('no run yet: enter starts the run for 2024-10-25');
  });

  it('starts a run on enter and shows each ticker done, the failure in full on its row', async () => {
    const { screen, run } = setup();

    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/finished/));
    await run.settled();

    const text = frame(screen);
    expect(text).toMatch(/\[#+\] 4\/4 · 1 failed/);
    expect(text).toMatch(/^BARC +done +510 +\d+\.\d kB/m);
    expect(text).toMatch(/^AMFW +failed .*no data \(symbol may be delisted/m);
  });

  it("times a run under way by the run's clock, not the console's fixed one", async () => {
    // The console's clock is fixed at 2024-10-25 11:00 (as TICKOPS_NOW fixes it) and the run
    // is stamped with the real one. Mixed, the elapsed time of a run under way was negative.
    const config = testConfig();
    const run = realRunController(config, sixty, [], sixty.slice(12));
    const screen = renderSized(
      <RunScreen services={fakeServices(config, run)} width={160} height={20} />,
      160,
      24,
    );
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/^T11 +done/m));

    const progress = frame(screen).split('\n')[0] ?? '';
    expect(progress).toMatch(/ · \d+(\.\d)?s$/);
    expect(progress).not.toMatch(/· -/);

    run.cancel();
    await run.settled();
  });

  it('rates a resumed run by the tickers it fetched, not those an earlier run stored', async () => {
    // 12 stored by the run that was cancelled, 2 fetched in the first 2 s of this one, 6 to go.
    const stored = sixty.slice(0, 12);
    const fetched = sixty.slice(12, 14);
    const left = sixty.slice(14, 20);
    let clock = 0;
    const outcome = (ticker: string, fromEarlierRun: boolean): TickerOutcome => ({
      ticker,
      status: 'done',
      bars: 510,
      bytes: 1000,
      currency: 'GBp',
      reason: undefined,
      permanent: false,
      fromEarlierRun,
      uploaded: 2,
      unchanged: 0,
      uploadFailed: false,
      durationMs: 100,
    });
    const run = new RunController({
      now: () => clock,
      launch: (request, onEvent, signal) => {
        const events: RunEvent[] = [
          {
            type: 'run-started',
            date: request.date,
            total: 20,
            toDownload: 8,
            resumed: 12,
            sink: 'folder',
            source: 'scripted',
            simulated: false,
            dryRun: false,
            sessionOpen: false,
          },
          ...stored.map((ticker) => ({ type: 'planned', ticker, action: 'resume' }) as const),
          ...[...fetched, ...left].map(
            (ticker) => ({ type: 'planned', ticker, action: 'download' }) as const,
          ),
          ...stored.map((ticker) => ({
            type: 'ticker-finished' as const,
            outcome: outcome(ticker, true),
          })),
        ];
        for (const event of events) onEvent(event);
        clock = 2000;
        for (const ticker of fetched) {
          onEvent({ type: 'done', ticker, bars: 510, bytes: 1000, durationMs: 100, attempts: 1 });
          onEvent({ type: 'ticker-finished', outcome: outcome(ticker, false) });
        }
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        );
      },
    });
    const screen = renderSized(
      <RunScreen services={fakeServices(testConfig(), run)} width={120} height={20} />,
      120,
      24,
    );

    screen.stdin.write(keys.enter);

    await waitFor(() => expect(frame(screen)).toMatch(/ 14\/20 · ETA 6\.0s · 1\.0 tickers\/s /));
    run.cancel();
    await run.settled();
  });

  it('shows a run that stopped on an error in full: what failed, then what to do', async () => {
    const config = testConfig();
    const run = new RunController({
      launch: async () => {
        throw new AccessDeniedError(
          'access denied: s3:PutObject on s3://ftse100/manifests/20241025.json',
          { hint: 'the run needs s3:PutObject on the bucket (the s3_upload policy)' },
        );
      },
    });
    const screen = renderSized(
      <RunScreen services={fakeServices(config, run)} width={80} height={20} />,
      80,
      24,
    );

    screen.stdin.write(keys.enter);

    await waitFor(() =>
      expect(frame(screen)).toMatch(
        /^access denied: s3:PutObject on s3:\/\/ftse100\/manifests\/20241025\.json$/m,
      ),
    );
    expect(frame(screen)).toMatch(
      /^next: the run needs s3:PutObject on the bucket \(the s3_upload policy\)$/m,
    );
  });

  it("shows the selected failed row's reason beneath the table", async () => {
    const { screen } = await finishedRun();

    screen.stdin.write('j');
    screen.stdin.write('j');

    await waitFor(() =>
      expect(frame(screen)).toMatch(/^AMFW: no data \(symbol may be delisted or wrong\)$/m),
    );
  });

  it('moves once per key when several arrive in one read (tmux send-keys j j j)', async () => {
    const started = setup(['LLOY']);
    started.screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(started.screen)).toMatch(/finished/));
    await started.run.settled();

    started.screen.stdin.write('jjj');

    await waitFor(() =>
      expect(frame(started.screen)).toMatch(/^LLOY: no data \(symbol may be delisted or wrong\)$/m),
    );
  });

  it('retries the failed tickers with r, without starting over', async () => {
    const { screen, run } = await finishedRun();

    screen.stdin.write('r');
    await waitFor(() => expect(run.busy).toBe(true));
    await run.settled();

    await waitFor(() => expect(frame(screen)).toMatch(/^BARC +stored/m));
    expect(frame(screen)).toMatch(/^AMFW +failed/m);
  });

  it('counts a ticker that failed for good in an earlier run as failed, as the CLI does', async () => {
    const { screen, run } = await finishedRun();

    screen.stdin.write(keys.enter);
    await waitFor(() => expect(run.busy).toBe(true));
    await run.settled();

    await waitFor(() => expect(frame(screen)).toMatch(/^BARC +stored/m));
    expect(frame(screen)).toMatch(/\[#+\] 4\/4 · 1 failed/);
    expect(frame(screen)).toMatch(/^AMFW +failed /m);
    screen.stdin.write('jj');
    await waitFor(() =>
      expect(frame(screen)).toMatch(
        /^AMFW: no data \(symbol may be delisted or wrong\) \(earlier run; not asked again/m,
      ),
    );
  });

  it('asks before a forced rerun and does nothing on anything but y', async () => {
    const { screen, run } = setup([]);

    screen.stdin.write('F');
    await waitFor(() =>
      expect(frame(screen)).toContain('download and upload everything for 2024-10-25 again? y/N'),
    );
    screen.stdin.write('n');

    await waitFor(() => expect(frame(screen)).toContain('date 2024-10-25'));
    expect(run.busy).toBe(false);
  });

  it('asks about the date it will rerun, after a finished run of another date', async () => {
    const { screen, run } = setup([]);
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toMatch(/finished/));
    await run.settled();

    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD)'));
    for (let index = 0; index < 10; index += 1) screen.stdin.write(keys.backspace);
    screen.stdin.write('2024-10-24');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('date set to 2024-10-24'));
    screen.stdin.write('F');

    await waitFor(() =>
      expect(frame(screen)).toContain('download and upload everything for 2024-10-24 again? y/N'),
    );
  });

  it('filters rows with /', async () => {
    const { screen } = await finishedRun();

    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('fail');

    await waitFor(() => expect(frame(screen)).not.toMatch(/^BARC/m));
    expect(frame(screen)).toMatch(/^AMFW/m);
  });

  it('starts on the date the console was given with --date', async () => {
    const config = testConfig();
    const services = {
      ...fakeServices(config, realRunController(config, symbols)),
      startDate: '2024-10-21',
    };

    const screen = renderSized(<RunScreen services={services} width={80} height={20} />, 80, 24);

    await waitFor(() =>
      expect(frame(screen)).toContain('no run yet: enter starts the run for 2024-10-21'),
    );
  });

  it('takes another date with d, and rejects one that is not a date', async () => {
    const { screen } = setup();

    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD): 2024-10-25'));
    for (let index = 0; index < 10; index += 1) screen.stdin.write(keys.backspace);
    screen.stdin.write('2024-10-24');
    screen.stdin.write(keys.enter);

    await waitFor(() => expect(frame(screen)).toContain('date set to 2024-10-24'));
  });

  it('takes two backspaces that arrive in one read as two', async () => {
    const { screen } = setup();
    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD): 2024-10-25'));

    screen.stdin.write(`${keys.backspace}${keys.backspace}`);
    await waitFor(() => expect(frame(screen)).toMatch(/date \(YYYY-MM-DD\): 2024-10-\s*$/m));
    screen.stdin.write('24');
    screen.stdin.write(keys.enter);

    await waitFor(() => expect(frame(screen)).toContain('date set to 2024-10-24'));
  });

  it('takes a quick edit and Enter that arrive in one read as typed (backspace, 3, enter)', async () => {
    const { screen } = setup();
    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD): 2024-10-25'));

    screen.stdin.write(`${keys.backspace}3${keys.enter}`);

    await waitFor(() => expect(frame(screen)).toContain('date set to 2024-10-23'));
  });

  it('keeps a pasted block of lines whole, so a paste cannot submit a prompt', async () => {
    const { screen } = setup();
    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));

    screen.stdin.write(`BA${keys.enter}d${keys.enter}`);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(frame(screen)).toContain('filter:');
    expect(frame(screen)).not.toContain('date (YYYY-MM-DD)');
  });

  it('clears a notice when the next action starts', async () => {
    const { screen, run } = setup([]);
    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD)'));
    screen.stdin.write('x');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('is not a date as YYYY-MM-DD'));

    screen.stdin.write('F');
    await waitFor(() => expect(frame(screen)).toContain('again? y/N'));
    screen.stdin.write('n');
    await waitFor(() => expect(frame(screen)).toMatch(/^date 2024-10-25$/m));

    screen.stdin.write('d');
    await waitFor(() => expect(frame(screen)).toContain('date (YYYY-MM-DD)'));
    screen.stdin.write('x');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('is not a date as YYYY-MM-DD'));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(run.busy).toBe(true));
    await run.settled();
    screen.stdin.write('r');

    await waitFor(() => expect(frame(screen)).toContain('nothing to retry'));
    expect(frame(screen)).not.toContain('is not a date');
  });

  it('clears an applied filter with esc first, keeping the selected ticker', async () => {
    const { screen } = await finishedRun();
    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('fail');
    await waitFor(() => expect(frame(screen)).not.toMatch(/^BARC/m));
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('filtered "fail": 1 of 4 · esc clears'));

    screen.stdin.write(keys.escape);

    await waitFor(() => expect(frame(screen)).toMatch(/^BARC/m));
    expect(frame(screen)).not.toContain('filtered');
    expect(frame(screen)).toMatch(/^AMFW: no data/m);
    expect(frame(screen)).toContain('date 2024-10-25');
  });

  it('clears an applied filter with backspace too', async () => {
    const { screen } = await finishedRun();
    screen.stdin.write('/');
    await waitFor(() => expect(frame(screen)).toContain('filter:'));
    screen.stdin.write('vod');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('filtered "vod": 1 of 4'));

    screen.stdin.write(keys.backspace);

    await waitFor(() => expect(frame(screen)).toMatch(/^LLOY/m));
    expect(frame(screen)).not.toContain('filtered');
  });

  it('sums up the tickers that do not fit on the last line of the table (case B02)', async () => {
    const { screen, run } = await heldRun();

    await waitFor(() => expect(frame(screen)).toMatch(/^↓ 45 more: 1 running, 44 queued$/m));
    const lines = frame(screen).split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[16]).toMatch(/^T14 /);
    expect(lines[17]).toMatch(/^↓ 45 more/);
    screen.stdin.write(keys.end);
    await waitFor(() => expect(frame(screen)).toMatch(/^T59 /m));
    expect(frame(screen)).toMatch(/^↑ 45 more: 4 running, 29 queued, 12 done$/m);

    run.cancel();
    await run.settled();
  });

  it('shows the tickers a cancel kept from starting as not started, not queued', async () => {
    const { screen, run } = await heldRun();
    screen.stdin.write('x');
    await waitFor(() => expect(frame(screen)).toContain('cancel the run?'));
    screen.stdin.write('y');
    await run.settled();

    await waitFor(() => expect(frame(screen)).toMatch(/2024-10-25 cancelled/));
    expect(frame(screen)).toMatch(/^T14 +cancelled/m);
    expect(frame(screen)).toMatch(/^↓ 45 more: 1 cancelled, 44 not started$/m);
    screen.stdin.write(keys.end);
    await waitFor(() => expect(frame(screen)).toMatch(/^T59 +not started +the run stopped/m));
    expect(frame(screen)).not.toContain('queued');
  });

  it('pages with PgDn and PgUp and jumps with End and Home', async () => {
    const { screen, run } = await heldRun();
    await waitFor(() => expect(frame(screen)).toMatch(/^↓ 45 more/m));

    screen.stdin.write(keys.pageDown);
    await waitFor(() => expect(frame(screen)).toMatch(/^T15 /m));
    expect(frame(screen)).not.toMatch(/^T00 /m);
    screen.stdin.write(keys.end);
    await waitFor(() => expect(frame(screen)).toMatch(/^T59 /m));
    screen.stdin.write(keys.pageUp);
    await waitFor(() => expect(frame(screen)).toMatch(/^T44 /m));
    expect(frame(screen)).not.toMatch(/^T59 /m);
    screen.stdin.write(keys.home);

    await waitFor(() => expect(frame(screen)).toMatch(/^T00 /m));
    run.cancel();
    await run.settled();
  });

  it('clears the cancel question once it is answered, either way, however quick the answer', async () => {
    const { screen, run } = await heldRun();
    const question = /cancel the run\? finished tickers are kept\. y\/N/;

    const answered = sendWhenDrawn(screen, question, 'n');
    screen.stdin.write('x');
    await answered;
    await waitFor(() => expect(frame(screen)).not.toMatch(question));
    expect(frame(screen)).toContain('date 2024-10-25');
    expect(run.busy).toBe(true);
    const confirmed = sendWhenDrawn(screen, question, 'y');
    screen.stdin.write('x');
    await confirmed;
    await run.settled();

    await waitFor(() => expect(frame(screen)).toMatch(/2024-10-25 cancelled/));
    expect(frame(screen)).not.toMatch(question);
  });
});
