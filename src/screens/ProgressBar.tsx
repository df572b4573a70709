/** The run's overall line: a bar, done/total, failures, throughput and time left. */
import { Text } from 'ink';
import type { RunSnapshot } from '../services/run-model.js';
import { fit, formatBytes, formatDuration } from './format.js';
import { useTheme } from './theme.js';

/** Props of ProgressBar. */
export interface ProgressBarProps {
  readonly snapshot: RunSnapshot;
  readonly rates: {
    readonly elapsedMs: number;
    readonly tickersPerSecond: number;
    readonly bytesPerSecond: number;
    readonly etaMs: number | undefined;
  };
  readonly width: number;
}

/** One line, whatever the width. */
export function ProgressBar({ snapshot, rates, width }: ProgressBarProps) {
  const theme = useTheme();
  const total = snapshot.rows.length;
  const label = describe(snapshot);
  const facts =
    ` ${snapshot.finished}/${total}` +
    (snapshot.failed ? ` · ${snapshot.failed} failed` : '') +
    (rates.etaMs !== undefined && snapshot.phase === 'running'
      ? ` · ETA ${formatDuration(rates.etaMs)}`
      : '') +
    ` · ${rates.tickersPerSecond.toFixed(1)} tickers/s` +
    ` · ${formatBytes(Math.round(rates.bytesPerSecond))}/s · ${formatDuration(rates.elapsedMs)}`;
  // The bar keeps at least ten cells; on a narrow terminal the rates at the end are cut first.
  const barWidth = Math.max(10, Math.min(30, width - label.length - facts.length - 3));
  const filled = total === 0 ? 0 : Math.round((snapshot.finished / total) * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;

  return (
    <Text wrap="truncate-end" color={snapshot.failed ? theme.warn : theme.accent}>
      {fit(`${label} ${bar}${total ? facts : ''}`, width)}
    </Text>
  );
}

function describe(snapshot: RunSnapshot): string {
  const date = snapshot.date ?? '';
  const simulated = snapshot.simulated ? ' SIMULATED' : '';
  switch (snapshot.phase) {
    case 'idle':
      return 'no run';
    case 'starting':
      return `${date} starting`;
    case 'running':
      return `${date} running${simulated}`;
    case 'finished':
      return snapshot.summary?.closed
        ? `${date} ${snapshot.summary.closed}`
        : `${date} finished${simulated}`;
    case 'cancelled':
      return `${date} cancelled`;
    case 'failed':
      return `${date} stopped`;
  }
}
