/**
 * The Run screen following a day's run on AWS Batch or ECS: where each shard and each ticker
 * stands, as the bucket shows it (a shard's part once it has finished, the objects uploaded so
 * far before that). Nothing here runs anything; it only looks.
 */
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import type { CloudRunView as View, CloudTicker, CloudTickerState } from '../services/cloud-run.js';
import type { CloudRunService } from './console-services.js';
import { cell, fit, formatBytes, formatDuration } from './format.js';
import { useCloudRun } from './hooks/use-cloud-run.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { useListCursor } from './hooks/use-list-cursor.js';
import { moveByKey } from './list-keys.js';
import { windowStart } from './list-window.js';
import { useTheme, type Theme } from './theme.js';

/** Props of CloudRunView. */
export interface CloudRunViewProps {
  readonly service: CloudRunService;
  readonly date: string;
  readonly bucket: string;
  readonly now: () => number;
  readonly width: number;
  readonly height: number;
  /** Back to the local run. */
  readonly onLeave: () => void;
}

// Summary, shards, column header, detail line and status line around the table.
const fixedRows = 5;

/** The cloud run of one date, looked at every few seconds. */
export function CloudRunView(props: CloudRunViewProps) {
  const { service, date, width, height } = props;
  const theme = useTheme();
  const { view, failure } = useCloudRun(service, date, true);
  const cursor = useListCursor();
  const [top, setTop] = useState(0);
  const tickers = view?.tickers ?? [];
  const drawn = useRef(tickers);
  drawn.current = tickers;

  const tableHeight = Math.max(1, height - fixedRows);
  const windowed = tickers.length > tableHeight && tableHeight > 1;
  const bodyHeight = windowed ? tableHeight - 1 : tableHeight;
  const start = windowStart(tickers.length, cursor.index, bodyHeight, top);
  if (start !== top) setTop(start);
  const current = tickers[cursor.index];

  useLatestInput((input, key) => {
    if (input === 'c' || key.escape || key.backspace || key.delete) return props.onLeave();
    moveByKey(input, key, cursor, drawn.current.length, bodyHeight);
  });

  const body = tickers.slice(start, start + bodyHeight);
  const failedLater = failure && (!view || failure.at >= view.lookedAt);

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          view ? summaryLine(view) : `looking at s3://${props.bucket} for ${date}'s shards…`,
          width,
        )}
      </Text>
      <Text wrap="truncate-end" dimColor={theme.dim}>
        {fit(view ? shardsLine(view) : '', width)}
      </Text>
      <Text bold wrap="truncate-end">
        {fit(
          `${cell('TICKER', 10)}${cell('SHARD', 7)}${cell('STATE', 10)}` +
            `${cell('BARS', 6, 'right')}${cell('BYTES', 10, 'right')}  REASON`,
          width,
        )}
      </Text>
      <Box flexDirection="column" height={tableHeight}>
        {body.map((ticker, index) => (
          <TickerLine
            key={ticker.ticker}
            ticker={ticker}
            count={view?.count}
            width={width}
            theme={theme}
            selected={start + index === cursor.index}
          />
        ))}
        {windowed && (
          <Text wrap="truncate-end" dimColor={theme.dim}>
            {fit(hiddenLine(tickers, start, bodyHeight), width)}
          </Text>
        )}
      </Box>
      <Text wrap="truncate-end" color={current?.state === 'failed' ? theme.bad : undefined}>
        {fit(current?.reason ? `${current.ticker}: ${current.reason}` : '', width)}
      </Text>
      <Text wrap="truncate-end" color={failedLater ? theme.warn : undefined}>
        {fit(
          failedLater
            ? `look failed: ${failure.reason} · trying again every ${seconds(service.intervalMs)}`
            : `${view ? `looked ${ago(props.now(), view.lookedAt)} ago, ` : ''}` +
                `every ${seconds(service.intervalMs)} · c or esc: back to this host's run`,
          width,
        )}
      </Text>
    </Box>
  );
}

function TickerLine({
  ticker,
  count,
  width,
  selected,
  theme,
}: {
  readonly ticker: CloudTicker;
  readonly count: number | undefined;
  readonly width: number;
  readonly selected: boolean;
  readonly theme: Theme;
}) {
  const colour =
    ticker.state === 'failed' ? theme.bad : ticker.state === 'done' ? theme.good : undefined;
  const shard = ticker.shard === undefined ? '?' : `${ticker.shard}/${count ?? '?'}`;
  const text =
    `${cell(ticker.ticker, 10)}${cell(shard, 7)}${cell(ticker.state, 10)}` +
    `${cell(ticker.bars ? String(ticker.bars) : '', 6, 'right')}` +
    `${cell(ticker.bytes ? formatBytes(ticker.bytes) : '', 10, 'right')}  ${ticker.reason ?? ''}`;

  return (
    <Text wrap="truncate-end" inverse={selected} color={colour}>
      {fit(text, width)}
    </Text>
  );
}

const stateOrder: readonly CloudTickerState[] = ['pending', 'uploaded', 'done', 'empty', 'failed'];

function countStates(tickers: readonly CloudTicker[]): Map<CloudTickerState, number> {
  const counts = new Map<CloudTickerState, number>();
  for (const ticker of tickers) counts.set(ticker.state, (counts.get(ticker.state) ?? 0) + 1);

  return counts;
}

function describeCounts(counts: ReadonlyMap<CloudTickerState, number>): string {
  return stateOrder
    .filter((state) => counts.has(state))
    .map((state) => `${counts.get(state)} ${state}`)
    .join(', ');
}

/** `cloud 2024-10-25: shards 5/8 · tickers 3120/5000 · 12 failed · not merged`: fits 80. */
export function summaryLine(view: View): string {
  const through = view.tickers.filter((ticker) => ticker.state !== 'pending').length;
  const failed = view.tickers.filter((ticker) => ticker.state === 'failed').length;
  const finished = view.shards.filter((shard) => shard.state === 'finished').length;
  const shards = view.count === undefined ? 'shards ?' : `shards ${finished}/${view.count}`;
  const merged = view.merged ? 'merged: complete' : 'not merged yet';

  return (
    `cloud ${view.date}: ${shards} · tickers ${through}/${view.tickers.length} · ` +
    `${failed} failed · ${merged}`
  );
}

/** `shards: 0 ✓ · 1 412/625 · 2 unreadable`, finished ones marked, the rest with progress. */
export function shardsLine(view: View): string {
  if (view.shards.length === 0) return 'shards: unknown until a part lands (or set shardCount)';

  const each = view.shards.map((shard) =>
    shard.state === 'finished'
      ? `${shard.index} ✓`
      : shard.state === 'unreadable'
        ? `${shard.index} unreadable`
        : `${shard.index} ${shard.through}/${shard.tickers}`,
  );

  return `shards: ${each.join(' · ')}`;
}

function hiddenLine(tickers: readonly CloudTicker[], start: number, shown: number): string {
  const hidden = [...tickers.slice(0, start), ...tickers.slice(start + shown)];
  const below = tickers.length - start - shown;
  const where = [start > 0 ? `↑ ${start}` : '', below > 0 ? `↓ ${below}` : ''];

  return `${where.filter(Boolean).join(' ')} more: ${describeCounts(countStates(hidden))}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function ago(now: number, then: number): string {
  return formatDuration(Math.max(0, now - then));
}
