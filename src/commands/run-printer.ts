/**
 * Line output of a run, for logs and terminals without the console: one line per finished
 * ticker and a summary, or JSON lines with `--json`. No colour and no cursor movement, so the
 * output reads the same in a journal, a pipe or a CI log.
 */
// Plain text helpers, no Ink: the console's and the line printer's sizes read the same.
import { formatBytes } from '../screens/format.js';
import type { RunEvent, RunSummary, TickerOutcome } from '../services/run-day.js';

/** Where the printer writes and how. */
export interface RunPrinterOptions {
  readonly write: (text: string) => void;
  readonly json: boolean;
}

const jsonEvents = new Set([
  'run-started',
  'retry',
  'ticker-finished',
  'upload-failed',
  'manifest',
  'run-finished',
]);

/** An event handler that prints the run. */
export function createRunPrinter(options: RunPrinterOptions): (event: RunEvent) => void {
  const line = (text: string) => options.write(`${text}\n`);
  let dryRun = false;

  if (options.json) {
    return (event) => {
      if (event.type === 'run-started') dryRun = event.dryRun;
      if (jsonEvents.has(event.type) || (dryRun && event.type === 'planned')) {
        line(JSON.stringify({ event: event.type, ...withoutType(event) }));
      }
    };
  }

  return (event) => {
    switch (event.type) {
      case 'run-started':
        dryRun = event.dryRun;
        if (event.sessionOpen && !event.dryRun) {
          line(
            `the ${event.date} session has not closed yet: the bars so far are stored as ` +
              'provisional, and a run after the close fetches the whole day',
          );
        }
        if (event.simulated)
          line('SIMULATED DATA: generated prices for a demonstration, not market data');
        line(
          `${dryRun ? 'dry run: ' : ''}${event.date}: ${event.total} tickers, ` +
            `${event.toDownload} to ` +
            `download, ${event.resumed} stored earlier; source ${event.source} -> ${event.sink}`,
        );
        break;
      case 'planned':
        if (dryRun) line(`  would ${describePlan(event.action)} ${event.ticker}`);
        break;
      case 'ticker-finished':
        line(formatOutcome(event.outcome));
        break;
      case 'upload-failed':
        line(`upload failed ${event.key}: ${event.reason}`);
        break;
      case 'manifest':
        line(`manifest ${event.key} ${describeManifest(event.result)}`);
        break;
      case 'run-finished':
        for (const text of formatSummary(event.summary, dryRun)) line(text);
        break;
      default:
        break;
    }
  };
}

function withoutType(event: RunEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event;

  return rest;
}

function describePlan(action: 'download' | 'resume' | 'skip-failed'): string {
  if (action === 'download') return 'download';
  if (action === 'resume') return 'upload (stored earlier, if the bucket lacks it)';

  return 'skip (no data earlier today; --force retries)';
}

function describeManifest(result: string): string {
  if (result === 'held-back') return 'not uploaded: some objects failed to upload; rerun to finish';

  return result;
}

/** One line for a finished ticker, columns aligned for a 100-ticker list. */
export function formatOutcome(outcome: TickerOutcome): string {
  const status =
    outcome.status === 'failed' ? 'failed' : outcome.fromEarlierRun ? 'stored' : outcome.status;
  const head = `${status.padEnd(7)} ${outcome.ticker.padEnd(9)}`;
  if (outcome.status === 'failed') {
    return `${head} ${outcome.reason ?? 'failed'}${outcome.fromEarlierRun ? ' (earlier run)' : ''}`;
  }

  const bars = outcome.status === 'empty' ? 'no bars' : `${outcome.bars} bars`;
  const uploads = `uploaded ${outcome.uploaded}, unchanged ${outcome.unchanged}`;

  const currency = (outcome.currency ?? '').padEnd(4);
  const size = formatBytes(outcome.bytes).padStart(8);

  const time = formatSeconds(outcome.durationMs);

  return `${head} ${bars.padStart(9)}  ${currency} ${size}  ${uploads}  ${time}`;
}

/** The closing lines of a run. */
export function formatSummary(summary: RunSummary, dryRun: boolean): string[] {
  if (summary.closed) return [`${summary.date}: ${summary.closed}; nothing to download.`];
  if (dryRun) return ['dry run: nothing was downloaded, written or uploaded.'];

  const lines = [
    `${summary.date}: ${summary.total} tickers: ${summary.done} done, ${summary.empty} empty, ` +
      `${summary.failed.length} failed; downloaded ${summary.downloaded}, stored earlier ` +
      `${summary.resumed}; uploaded ${summary.uploaded}, unchanged ${summary.unchanged}; ` +
      `${formatBytes(summary.bytes)} in ${formatSeconds(summary.durationMs)}`,
  ];
  const traded = summary.done + summary.failed.length;
  if (summary.empty > 0 && traded === 0) {
    lines.push('no bars for any ticker: a market holiday, or the source has nothing for this date');
  }
  if (summary.failed.length > 0) {
    lines.push(`failed: ${summary.failed.map((item) => item.ticker).join(', ')}`);
  }

  return lines;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
