/**
 * The Run screen: start (or attach to) the day's run and watch each ticker. An overall bar
 * with throughput and ETA sits above a windowed table; the selected row's full reason is shown
 * beneath it. Failed tickers can be retried without starting over.
 */
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import { parseTradingDate, tradingDateAt } from '../services/trading-day.js';
import type { TickerRow } from '../services/run-model.js';
import type { ConsoleServices } from './console-services.js';
import { cell, fit, formatBytes, formatDuration } from './format.js';
import { runRates, useRun } from './hooks/use-run.js';
import { useKeyCapture } from './hooks/use-key-capture.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { useListCursor } from './hooks/use-list-cursor.js';
import { moveByKey } from './list-keys.js';
import { windowStart } from './list-window.js';
import { ProgressBar } from './ProgressBar.js';
import { hiddenSummary } from './run-lines.js';
import { TextPrompt } from './TextPrompt.js';
import { useTheme, type Theme } from './theme.js';

/** Props of RunScreen. */
export interface RunScreenProps {
  readonly services: ConsoleServices;
  readonly width: number;
  readonly height: number;
  /** Follow the shards of this date on AWS Batch or ECS instead (the `c` key). */
  readonly onFollowCloud?: (date: string) => void;
}

type Mode = 'browse' | 'date' | 'filter' | 'confirm-force' | 'confirm-cancel';

// Progress line, column header, detail line and status line around the table.
const fixedRows = 4;

/** The Run screen. */
export function RunScreen({ services, width, height, onFollowCloud }: RunScreenProps) {
  const theme = useTheme();
  const run = useRun(services.run);
  const [date, setDate] = useState(
    () => services.startDate ?? tradingDateAt(services.now(), services.config.timeZone),
  );
  const [mode, setMode] = useState<Mode>('browse');
  const [filter, setFilter] = useState('');
  const cursor = useListCursor();
  const selected = cursor.index;
  const [top, setTop] = useState(0);
  const [notice, setNotice] = useState<string>();
  useKeyCapture(mode === 'confirm-force' || mode === 'confirm-cancel');

  const rows = filter ? run.rows.filter((row) => matches(row, filter)) : run.rows;
  const tableHeight = Math.max(1, height - fixedRows);
  // Rows that do not fit are summarised on the table's last line instead of being drawn.
  const windowed = rows.length > tableHeight && tableHeight > 1;
  const bodyHeight = windowed ? tableHeight - 1 : tableHeight;
  const start = windowStart(rows.length, selected, bodyHeight, top);
  if (start !== top) setTop(start);
  const current = rows[selected];
  // Several keys can arrive between two renders (a paste): each sees what the last one did.
  const drawn = useRef({ filter, rows });
  drawn.current = { filter, rows };

  const changeFilter = (value: string) => {
    drawn.current.filter = value;
    setFilter(value);
    cursor.set(0);
  };
  // Clearing keeps the selected ticker selected, now at its place in the whole list.
  const clearFilter = () => {
    const ticker = drawn.current.rows[cursor.current()]?.ticker;
    const index = services.run.getSnapshot().rows.findIndex((row) => row.ticker === ticker);
    changeFilter('');
    cursor.set(Math.max(0, index));
  };

  // The date a key acts on: the run under way, else the one chosen. Questions name the same
  // date that the answer starts.
  const runDate = run.phase === 'running' || run.phase === 'starting' ? (run.date ?? date) : date;
  const startRun = (force: boolean) => {
    setNotice(undefined);
    void services.run.start({ date: runDate, force });
  };
  // A notice answers the action before; left up, an old date error read as the next one's.
  const begin = (next: Mode) => {
    setNotice(undefined);
    setMode(next);
  };

  useLatestInput((input, key) => {
    // The open prompt takes the keys; this handler runs first and leaves them to it.
    if (mode === 'date' || mode === 'filter') return;
    if (mode === 'confirm-force' || mode === 'confirm-cancel') {
      if (input === 'y' && mode === 'confirm-force') startRun(true);
      if (input === 'y' && mode === 'confirm-cancel') services.run.cancel();
      setMode('browse');
      return;
    }

    if ((key.escape || key.backspace || key.delete) && drawn.current.filter) return clearFilter();
    if (key.return) return startRun(false);
    if (input === 'F' && !services.run.busy) return begin('confirm-force');
    if (input === 'x' && services.run.busy) return begin('confirm-cancel');
    if (input === 'd' && !services.run.busy) return begin('date');
    if (input === '/') return begin('filter');
    if (input === 'c' && onFollowCloud) return onFollowCloud(runDate);
    if (input === 'r') {
      setNotice(
        services.run.retryFailed() ? undefined : 'nothing to retry (or a run is under way)',
      );
      return;
    }
    moveByKey(input, key, cursor, drawn.current.rows.length, bodyHeight);
  });

  const body = rows.slice(start, start + bodyHeight);
  const filtered = filter
    ? `filtered "${filter}": ${rows.length} of ${run.rows.length} · esc clears`
    : undefined;

  return (
    <Box flexDirection="column" height={height}>
      <ProgressBar snapshot={run} rates={runRates(run, services.run.now())} width={width} />
      <Text bold wrap="truncate-end">
        {fit(
          `${cell('TICKER', 10)}${cell('STATUS', 12)}${cell('BARS', 6, 'right')}` +
            `${cell('BYTES', 10, 'right')}${cell('TIME', 8, 'right')}  REASON`,
          width,
        )}
      </Text>
      <Box flexDirection="column" height={tableHeight}>
        {run.rows.length === 0 ? (
          <Text wrap="truncate-end">{fit(idleText(run.phase, date), width)}</Text>
        ) : (
          body.map((row, index) => (
            <RowLine
              key={row.ticker}
              row={row}
              width={width}
              theme={theme}
              selected={start + index === selected}
            />
          ))
        )}
        {windowed && (
          <Text wrap="truncate-end" dimColor={theme.dim}>
            {fit(hiddenSummary(rows, start, bodyHeight), width)}
          </Text>
        )}
      </Box>
      {/* A run that stopped on an error says so here, and what to do on the line below. */}
      <Text
        wrap="truncate-end"
        color={run.error || current?.status === 'failed' ? theme.bad : undefined}
      >
        {fit(
          run.error?.message ?? (current?.reason ? `${current.ticker}: ${current.reason}` : ''),
          width,
        )}
      </Text>
      {mode === 'date' ? (
        <TextPrompt
          label="date (YYYY-MM-DD): "
          initial={date}
          onCancel={() => setMode('browse')}
          onSubmit={(value) => {
            const parsed = parseTradingDate(value.trim());
            if (parsed) setDate(parsed);
            setNotice(parsed ? `date set to ${parsed}` : `'${value}' is not a date as YYYY-MM-DD`);
            setMode('browse');
          }}
        />
      ) : mode === 'filter' ? (
        <TextPrompt
          label="filter: "
          initial={filter}
          onChange={changeFilter}
          onSubmit={() => setMode('browse')}
          onCancel={() => {
            changeFilter('');
            setMode('browse');
          }}
        />
      ) : (
        <Text wrap="truncate-end" color={mode === 'browse' ? undefined : theme.warn}>
          {fit(statusLine(mode, runDate, notice, run.error, filtered), width)}
        </Text>
      )}
    </Box>
  );
}

function RowLine({
  row,
  width,
  selected,
  theme,
}: {
  readonly row: TickerRow;
  readonly width: number;
  readonly selected: boolean;
  readonly theme: Theme;
}) {
  const status = row.status === 'retry' ? `retry ${row.attempt}` : row.status;
  const colour =
    row.status === 'failed'
      ? theme.bad
      : row.status === 'retry'
        ? theme.warn
        : row.status === 'done'
          ? theme.good
          : undefined;
  const bars = row.bars ? String(row.bars) : '';
  const text =
    `${cell(row.ticker, 10)}${cell(status, 12)}${cell(bars, 6, 'right')}` +
    `${cell(row.bytes ? formatBytes(row.bytes) : '', 10, 'right')}` +
    `${cell(formatDuration(row.durationMs), 8, 'right')}  ${row.reason ?? ''}`;

  return (
    <Text wrap="truncate-end" inverse={selected} color={colour}>
      {fit(text, width)}
    </Text>
  );
}

function matches(row: TickerRow, filter: string): boolean {
  const needle = filter.toLowerCase();

  return row.ticker.toLowerCase().includes(needle) || row.status.includes(needle);
}

function idleText(phase: string, date: string): string {
  if (phase === 'starting') return `starting the run for ${date}…`;

  return `no run yet: enter starts the run for ${date}, d picks another date`;
}

function statusLine(
  mode: Mode,
  date: string,
  notice: string | undefined,
  error: { message: string; hint: string | undefined } | undefined,
  filtered: string | undefined,
): string {
  if (mode === 'confirm-force') return `download and upload everything for ${date} again? y/N`;
  if (mode === 'confirm-cancel') return 'cancel the run? finished tickers are kept. y/N';

  // An applied filter stays in view after the last result: it is why rows are missing.
  const result = error?.hint ? `next: ${error.hint}` : notice;
  if (!filtered) return result ?? `date ${date}`;

  return result ? `${result} · ${filtered}` : filtered;
}
