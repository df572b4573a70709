/** The normalized CSV of a day: `time,open,high,low,close,volume`, times in ISO-8601 UTC. */
import type { Bar } from './market-data/types.js';

/** The CSV header line, without its newline. */
export const barsCsvHeader = 'time,open,high,low,close,volume';

/** `2024-10-25T07:00:00Z`: the bar's instant, to the second. */
export function formatBarTime(time: number): string {
  // `YYYY-MM-DDTHH:MM:SS.sssZ` cut to the second; slicing beats a regular expression per bar.
  return `${new Date(time).toISOString().slice(0, 19)}Z`;
}

/** Render bars as CSV text with a trailing newline; prices are written as the source gave them. */
export function formatBarsCsv(bars: readonly Bar[]): string {
  const lines = [barsCsvHeader];
  for (const bar of bars) {
    lines.push(
      `${formatBarTime(bar.time)},${bar.open},${bar.high},${bar.low},${bar.close},${bar.volume}`,
    );
  }

  return `${lines.join('\n')}\n`;
}

/** Parse the CSV back into bars (the console's preview and chart read it). */
export function parseBarsCsv(text: string): Bar[] {
  const bars: Bar[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (line.trim() === '') continue;
    const [time, open, high, low, close, volume] = line.split(',');
    bars.push({
      time: Date.parse(time ?? ''),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    });
  }

  return bars;
}
