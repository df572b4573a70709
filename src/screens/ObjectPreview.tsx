/**
 * What an opened object holds: for a day's CSV, its first and last rows and a chart of the
 * close over the day; for a manifest, the per-ticker summary; otherwise the first lines. A
 * read that is not allowed shows the error and what to do, in place.
 */
import asciichart from 'asciichart';
import { Box, Text } from 'ink';
import type { Manifest } from '../services/manifest.js';
import type { Bar } from '../services/market-data/types.js';
import { fit } from './format.js';
import type { PreviewState } from './hooks/use-object-preview.js';
import { useTheme } from './theme.js';

/** Props of ObjectPreview. */
export interface ObjectPreviewProps {
  readonly objectKey: string;
  readonly preview: PreviewState;
  readonly width: number;
  readonly height: number;
}

/** The preview pane. */
export function ObjectPreview({ objectKey, preview, width, height }: ObjectPreviewProps) {
  const theme = useTheme();
  const lines = previewLines(preview, width, height - 1);

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(objectKey, width)}
      </Text>
      {lines.map((line, index) => (
        <Text
          key={index}
          wrap="truncate-end"
          color={preview.status === 'error' ? theme.bad : undefined}
        >
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}

/** The preview as plain lines, fitted to the space; exported for tests. */
export function previewLines(preview: PreviewState, width: number, height: number): string[] {
  switch (preview.status) {
    case 'loading':
      return ['loading…'];
    case 'error':
      return [preview.message, ...(preview.hint ? [`next: ${preview.hint}`] : [])];
    case 'text':
      return preview.lines.slice(0, height);
    case 'manifest':
      return manifestLines(preview.manifest).slice(0, height);
    case 'bars':
      return barsLines(preview.bars, preview.lines, width, height);
  }
}

function barsLines(bars: readonly Bar[], lines: readonly string[], width: number, height: number) {
  if (bars.length === 0) return ['no bars in this file (an empty day)'];

  const closes = bars.map((bar) => bar.close);
  const high = Math.max(...bars.map((bar) => bar.high));
  const low = Math.min(...bars.map((bar) => bar.low));
  const facts =
    `${bars.length} bars · high ${high} · low ${low} · ` +
    `first ${lines[1]?.slice(11, 16)}Z last ${lines.at(-1)?.slice(11, 16)}Z`;
  const table = [lines[0] ?? '', ...lines.slice(1, 3), '…', ...lines.slice(-2)];
  const chartHeight = Math.max(2, height - table.length - 3);

  return [facts, ...table, '', ...chart(closes, width - 12, chartHeight)].slice(0, height);
}

/** A close-price chart, downsampled to the width so one column is one time slice. */
function chart(values: readonly number[], width: number, height: number): string[] {
  if (width < 10) return [];

  const step = Math.max(1, Math.ceil(values.length / width));
  const sampled = values.filter((_, index) => index % step === 0);

  return asciichart.plot(sampled, { height: height - 1 }).split('\n');
}

function manifestLines(manifest: Manifest): string[] {
  const count = (status: string) =>
    manifest.tickers.filter((entry) => entry.status === status).length;
  const failed = manifest.tickers.filter((entry) => entry.status === 'failed');

  return [
    `${manifest.date} ${manifest.exchange} · source ${manifest.source}` +
      (manifest.simulated ? ' (SIMULATED)' : ''),
    `${manifest.tickers.length} tickers: ${count('done')} done, ${count('empty')} empty, ` +
      `${failed.length} failed`,
    '',
    ...manifest.tickers.map(
      (entry) =>
        `${entry.ticker.padEnd(10)}${entry.status.padEnd(8)}` +
        `${String(entry.bars).padStart(5)} bars ${entry.currency ?? ''}  ${entry.reason ?? ''}`,
    ),
  ];
}
