/** Small text helpers the screens share. */

/** `48.6 kB`, `4.6 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;

  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
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
