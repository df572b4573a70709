/**
 * The old Google Finance `getprices` text format: a URL-encoded header, then one row a bar,
 * timed by `a<unix>` anchors and interval offsets from them. Read by the google and replay
 * sources, written by the local test server.
 */
import { MarketDataError } from '../errors.js';
import { tradingDateAt, utcOffsetMinutes, wallClockAt } from '../trading-day.js';
import { looksLikeHtml } from './http.js';
import type { Bar } from './types.js';

/** A parsed getprices body. */
export interface Getprices {
  readonly bars: Bar[];
  readonly warnings: string[];
  readonly exchange?: string;
  readonly intervalSeconds: number;
}

interface Header {
  readonly exchange: string | undefined;
  readonly intervalSeconds: number;
  readonly columns: readonly string[];
  readonly dataStart: number;
}

/** A broken file should not bury the manifest in thousands of identical lines. */
const maxWarnings = 50;

/** Parse a getprices body; bad rows become `line N: ...` warnings, a bad header throws. */
export function parseGetprices(text: string): Getprices {
  if (looksLikeHtml(new TextEncoder().encode(text.slice(0, 512)))) {
    throw new MarketDataError('malformed', 'HTML page instead of getprices data');
  }

  const lines = text.split(/\r?\n/);
  const header = readHeader(lines);
  const problems: string[] = [];
  const byTime = new Map<number, Bar>();
  let anchor: number | undefined;

  for (let index = header.dataStart; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    // TIMEZONE_OFFSET says how the exchange's clock relates to UTC; `a<unix>` is UTC already,
    // so the offset changes no instant and is skipped wherever it appears.
    if (line === '' || line.startsWith('TIMEZONE_OFFSET=')) continue;

    const row = readRow(line, header, anchor);
    anchor = row.anchor;
    if (row.problem !== undefined) {
      problems.push(`line ${index + 1}: ${row.problem}`);
      continue;
    }

    if (byTime.has(row.bar.time)) {
      problems.push(
        `line ${index + 1}: second row for ${new Date(row.bar.time).toISOString()}; kept`,
      );
    }
    byTime.set(row.bar.time, row.bar);
  }

  const warnings = problems.slice(0, maxWarnings);
  if (problems.length > maxWarnings) {
    warnings.push(`${problems.length - maxWarnings} more problem lines not listed`);
  }

  return {
    bars: [...byTime.values()].sort((a, b) => a.time - b.time),
    warnings,
    exchange: header.exchange,
    intervalSeconds: header.intervalSeconds,
  };
}

function readHeader(lines: readonly string[]): Header {
  let exchange: string | undefined;
  let interval: string | undefined;
  let columns: string[] | undefined;

  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line.startsWith('DATA=')) {
      return checkHeader({ exchange, interval, columns, dataStart: index + 1 });
    }

    // The exchange line is URL-encoded (`EXCHANGE%3DLON`, `UNKNOWN+EXCHANGE`): header, not data.
    const decoded = decodeFormText(line);
    const equals = decoded.indexOf('=');
    const [key, value] = [decoded.slice(0, equals), decoded.slice(equals + 1)];
    if (key === 'EXCHANGE') exchange = value;
    if (key === 'INTERVAL') interval = value;
    if (key === 'COLUMNS') columns = value.split(',').map((name) => name.trim().toUpperCase());
  }

  throw new MarketDataError('malformed', 'no DATA= line: not a getprices response');
}

function checkHeader(found: {
  exchange: string | undefined;
  interval: string | undefined;
  columns: string[] | undefined;
  dataStart: number;
}): Header {
  const intervalSeconds = Number(found.interval);
  if (!/^\d+$/.test(found.interval ?? '') || intervalSeconds <= 0) {
    throw new MarketDataError('malformed', 'getprices header has no usable INTERVAL=');
  }

  const columns = found.columns ?? [];
  if (!columns.includes('DATE') || !columns.includes('CLOSE')) {
    throw new MarketDataError('malformed', 'getprices header has no COLUMNS= with DATE and CLOSE');
  }

  return { exchange: found.exchange, intervalSeconds, columns, dataStart: found.dataStart };
}

function decodeFormText(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

type RowOutcome =
  | { readonly anchor: number | undefined; readonly bar: Bar; readonly problem?: undefined }
  | { readonly anchor: number | undefined; readonly problem: string };

const decimal = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

function readRow(line: string, header: Header, anchor: number | undefined): RowOutcome {
  const fields = line.split(',');
  const field = (name: string) => fields[header.columns.indexOf(name)];
  const stamp = field('DATE') ?? '';

  // An anchor is taken even from a row rejected below: the rows after it count from it.
  const isAnchor = /^a\d+$/.test(stamp);
  const latest = isAnchor ? Number(stamp.slice(1)) * 1000 : anchor;
  if (fields.length !== header.columns.length) {
    const expected = `${header.columns.length} fields (${header.columns.join(',')})`;
    return { anchor: latest, problem: `expected ${expected}, found ${fields.length}` };
  }

  if (!isAnchor && !/^\d+$/.test(stamp)) {
    return { anchor: latest, problem: `DATE is neither a<unix> nor an offset: "${stamp}"` };
  }
  if (latest === undefined) return { anchor, problem: 'offset row before any a<unix> anchor' };

  const values = new Map<string, number>();
  for (const name of header.columns) {
    const text = field(name) ?? '';
    if (name === 'DATE') continue;
    if (!decimal.test(text))
      return { anchor: latest, problem: `${name} is not a number: "${text}"` };
    values.set(name, Number(text));
  }

  const time = isAnchor ? latest : latest + Number(stamp) * header.intervalSeconds * 1000;
  const close = values.get('CLOSE') ?? 0;
  // Two-column files (DATE,CLOSE) carry one price per bar; it stands for all four.
  const bar: Bar = {
    time,
    open: values.get('OPEN') ?? close,
    high: values.get('HIGH') ?? close,
    low: values.get('LOW') ?? close,
    close,
    volume: values.get('VOLUME') ?? 0,
  };

  return { anchor: latest, bar };
}

/** What encodeGetprices writes. */
export interface GetpricesInput {
  readonly bars: readonly Bar[];
  readonly exchange: string;
  readonly timeZone: string;
  readonly intervalSeconds?: number;
  /** Header minutes after local midnight; the earliest and latest bar's minute when absent. */
  readonly marketOpenMinute?: number;
  readonly marketCloseMinute?: number;
}

/** A getprices body for these bars, laid out as Google laid it out. */
export function encodeGetprices(input: GetpricesInput): string {
  const intervalSeconds = input.intervalSeconds ?? 60;
  const bars = [...input.bars].sort((a, b) => a.time - b.time);
  const lines = [`EXCHANGE%3D${encodeURIComponent(input.exchange).replaceAll('%20', '+')}`];
  const [open, close] = marketMinutes(bars, input);
  if (open !== undefined && close !== undefined) {
    lines.push(`MARKET_OPEN_MINUTE=${open}`, `MARKET_CLOSE_MINUTE=${close}`);
  }
  lines.push(`INTERVAL=${intervalSeconds}`, 'COLUMNS=DATE,CLOSE,HIGH,LOW,OPEN,VOLUME', 'DATA=');

  let offset: number | undefined;
  let anchor: { time: number; date: string } | undefined;
  for (const bar of bars) {
    const barOffset = utcOffsetMinutes(bar.time, input.timeZone);
    if (barOffset !== offset) {
      lines.push(`TIMEZONE_OFFSET=${barOffset}`);
      offset = barOffset;
      anchor = undefined;
    }

    // Intraday files start each session with an anchor; daily files anchor only when they must.
    const date = tradingDateAt(bar.time, input.timeZone);
    const newDay = intervalSeconds < 86_400 && anchor?.date !== date;
    const steps = anchor ? (bar.time - anchor.time) / (intervalSeconds * 1000) : 0;
    let stamp = String(steps);
    if (!anchor || newDay || !Number.isInteger(steps) || steps <= 0) {
      anchor = { time: bar.time, date };
      stamp = `a${Math.floor(bar.time / 1000)}`;
    }

    lines.push([stamp, bar.close, bar.high, bar.low, bar.open, bar.volume].join(','));
  }

  return `${lines.join('\n')}\n`;
}

function marketMinutes(bars: readonly Bar[], input: GetpricesInput) {
  const minutes = bars.map((bar) => {
    const wall = wallClockAt(bar.time, input.timeZone);

    return wall.hour * 60 + wall.minute;
  });
  // A reduce rather than Math.min(...minutes): a long file would overflow the argument list.
  const earliest = minutes.reduce<number | undefined>(
    (a, b) => (a === undefined || b < a ? b : a),
    undefined,
  );
  const latest = minutes.reduce<number | undefined>(
    (a, b) => (a === undefined || b > a ? b : a),
    undefined,
  );

  return [input.marketOpenMinute ?? earliest, input.marketCloseMinute ?? latest];
}
