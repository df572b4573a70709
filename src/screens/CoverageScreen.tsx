/**
 * The coverage grid: tickers down, trading days across, one character a cell. Selecting a
 * cell says why it is what it is; a key re-runs every bad cell, day by day, through the same
 * run the Run screen shows.
 */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { cellKey, type CellState, type CoverageCell } from '../services/coverage.js';
import type { ConsoleServices } from './console-services.js';
import { cell, fit } from './format.js';
import { useCoverage } from './hooks/use-coverage.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { moveSelection, windowStart } from './list-window.js';
import { useTheme, type Theme } from './theme.js';

/** Props of CoverageScreen. */
export interface CoverageScreenProps {
  readonly services: ConsoleServices;
  readonly width: number;
  readonly height: number;
  /** Called when a re-run starts, so the shell can show the Run screen. */
  readonly onRerun: () => void;
}

/** The character of each state: readable without colour too. */
export const cellMarks: Record<CellState, string> = {
  complete: '#',
  short: 's',
  empty: '-',
  failed: 'X',
  missing: '?',
};

const bad = new Set<CellState>(['short', 'failed', 'missing']);
const tickerWidth = 10;

/** The grid. */
export function CoverageScreen({ services, width, height, onRerun }: CoverageScreenProps) {
  const theme = useTheme();
  const [reload, setReload] = useState(0);
  const state = useCoverage(services, reload);
  const [row, setRow] = useState(0);
  // Start on the newest day: that is the one an operator checks after the daily run.
  const [column, setColumn] = useState(Number.MAX_SAFE_INTEGER);
  const [top, setTop] = useState(0);
  const [notice, setNotice] = useState<string>();

  const grid = state.status === 'ready' ? state.grid : undefined;
  const tickers = grid?.tickers ?? [];
  const dates = (grid?.dates ?? []).slice(-Math.max(1, Math.floor((width - tickerWidth) / 3)));
  const gridHeight = Math.max(1, height - 4);
  const start = windowStart(tickers.length, row, gridHeight, top);
  if (start !== top) setTop(start);
  const selectedColumn = Math.min(column, Math.max(0, dates.length - 1));
  const selected = grid?.cells.get(cellKey(tickers[row] ?? '', dates[selectedColumn] ?? ''));
  const rows = tickers.length;
  const columns = dates.length;

  useLatestInput((input, key) => {
    if (input === 'L') return setReload((count) => count + 1);
    if (input === 'R' && grid) {
      const cells = [...grid.cells.values()].filter((item) => bad.has(item.state));
      if (cells.length === 0) return setNotice('no bad cells to re-run');
      void rerun(services, cells);
      onRerun();
      return;
    }
    if (key.upArrow || input === 'k') setRow((index) => moveSelection(index, -1, rows));
    if (key.downArrow || input === 'j') setRow((index) => moveSelection(index, 1, rows));
    if (key.pageUp) setRow((index) => moveSelection(index, -gridHeight, rows));
    if (key.pageDown) setRow((index) => moveSelection(index, gridHeight, rows));
    if (key.leftArrow || input === 'h')
      setColumn((index) => moveSelection(Math.min(index, columns - 1), -1, columns));
    if (key.rightArrow || input === 'l')
      setColumn((index) => moveSelection(Math.min(index, columns - 1), 1, columns));
  });

  if (state.status !== 'ready') {
    return (
      <Box flexDirection="column" height={height}>
        <Text color={state.status === 'error' ? theme.bad : undefined} wrap="truncate-end">
          {fit(
            state.status === 'loading' ? 'reading the manifests in the bucket…' : state.message,
            width,
          )}
        </Text>
        {state.status === 'error' && state.hint && (
          <Text wrap="truncate-end">{fit(`next: ${state.hint}`, width)}</Text>
        )}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          `${cell('', tickerWidth)}${dates.map((date) => date.slice(8, 10).padEnd(3)).join('')}`,
          width,
        )}
      </Text>
      <Box flexDirection="column" height={gridHeight}>
        {tickers.slice(start, start + gridHeight).map((ticker, index) => (
          <Text key={ticker} wrap="truncate-end">
            <Text inverse={start + index === row}>{cell(ticker, tickerWidth)}</Text>
            {dates.map((date, dateIndex) => {
              const item = grid?.cells.get(cellKey(ticker, date));
              return (
                <Text
                  key={date}
                  inverse={start + index === row && dateIndex === selectedColumn}
                  color={colourOf(item?.state, theme)}
                >
                  {`${item ? cellMarks[item.state] : ' '}  `}
                </Text>
              );
            })}
          </Text>
        ))}
      </Box>
      <Text wrap="truncate-end">
        {fit(
          selected ? `${selected.ticker} ${selected.date}: ${selected.state}, ${selected.why}` : '',
          width,
        )}
      </Text>
      <Text wrap="truncate-end" dimColor={theme.dim}>
        {fit(
          notice ??
            `# complete  s short  - empty  X failed  ? missing · ` +
              `days ${dates[0] ?? ''} to ${dates.at(-1) ?? ''}`,
          width,
        )}
      </Text>
    </Box>
  );
}

function colourOf(state: CellState | undefined, theme: Theme): string | undefined {
  if (state === 'complete') return theme.good;
  if (state === 'short' || state === 'missing') return theme.warn;
  if (state === 'failed') return theme.bad;

  return undefined;
}

/** Re-run the bad cells one trading day after another, each as a normal run with retries. */
async function rerun(services: ConsoleServices, cells: readonly CoverageCell[]): Promise<void> {
  const byDate = new Map<string, string[]>();
  for (const item of cells) byDate.set(item.date, [...(byDate.get(item.date) ?? []), item.ticker]);

  for (const [date, tickers] of [...byDate].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await services.run.start({ date, force: false, retry: tickers });
  }
}
