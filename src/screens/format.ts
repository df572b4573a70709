/** Small text helpers the screens share. */

/** `49.8 kB`, `4.8 MB`: decimal units, so the labels mean what they say (1 kB = 1,000 B). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 999_950) return `${(bytes / 1000).toFixed(1)} kB`;

  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `0.4s`, `12s`, `3m05s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;

  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;

  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Cut text to a width with an ellipsis, so nothing wraps into the next line. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;

  return `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Pad or cut to exactly `width` characters. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = fit(text, width);

  return align === 'left' ? cut.padEnd(width) : cut.padStart(width);
}
