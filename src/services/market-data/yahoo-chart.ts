/**
 * The Yahoo Finance chart v8 JSON: reading a chart response (status first, then body) and
 * writing a chart body. The live, replay and simulated sources all speak it.
 */
import { z } from 'zod';

import { MarketDataError } from '../errors.js';
import { tradingDayBounds } from '../trading-day.js';
import { decodeText, looksLikeHtml, sharedStatusError } from './http.js';
import type { Bar, TradingDate } from './types.js';

const series = z.array(z.number().nullable()).optional();

const chartErrorSchema = z.object({ code: z.string(), description: z.string().nullish() });

const quoteSchema = z.object({
  open: series,
  high: series,
  low: series,
  close: series,
  volume: series,
});

const resultSchema = z.object({
  meta: z
    .object({ currency: z.string().nullish(), exchangeTimezoneName: z.string().nullish() })
    .optional(),
  // Yahoo leaves `timestamp` out, and sends `quote: [{}]`, for a day without trades.
  timestamp: z.array(z.number()).optional(),
  indicators: z.object({ quote: z.array(quoteSchema) }).optional(),
});

const chartSchema = z.object({
  chart: z.object({
    result: z.array(resultSchema).nullish(),
    error: chartErrorSchema.nullish(),
  }),
});

type Chart = z.infer<typeof chartSchema>['chart'];
type ChartResult = NonNullable<Chart['result']>[number];

/** What one chart body holds for one trading day. */
export interface YahooChart {
  readonly bars: Bar[];
  readonly currency: string | undefined;
  readonly exchangeTimeZone: string | undefined;
  readonly warnings: string[];
}

/** Bars of `date` (in `timeZone`) from a chart v8 body; a `chart.error` is thrown as such. */
export function parseYahooChart(text: string, date: TradingDate, timeZone: string): YahooChart {
  const chart = readChart(text);
  if (chart.error) throw chartError(chart.error, undefined);

  const result = chart.result?.[0];
  if (!result) throw new MarketDataError('malformed', 'chart JSON has no result and no error');

  return extractDay(result, date, timeZone);
}

function readChart(text: string): Chart {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MarketDataError('malformed', `truncated or invalid chart JSON (${reason})`, {
      cause: error,
    });
  }

  const parsed = chartSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'top level';
    throw new MarketDataError('malformed', `not chart v8 JSON: ${where}: ${issue?.message ?? ''}`);
  }

  return parsed.data.chart;
}

function chartError(error: z.infer<typeof chartErrorSchema>, status: number | undefined) {
  if (error.code === 'Not Found') {
    return new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)', { status });
  }

  const description = error.description ?? 'no description';

  return new MarketDataError('refused', `yahoo refused: ${description} (${error.code})`, {
    status,
  });
}

function extractDay(result: ChartResult, date: TradingDate, timeZone: string): YahooChart {
  const { start, end } = tradingDayBounds(date, timeZone);
  const timestamps = result.timestamp ?? [];
  const quote = result.indicators?.quote[0] ?? {};
  const byTime = new Map<number, Bar>();
  let nulls = 0;
  let duplicates = 0;

  for (const [index, seconds] of timestamps.entries()) {
    const time = seconds * 1000;
    // The chart carries a "live" bar for the latest print even outside the requested range.
    if (time < start || time >= end) continue;

    const [open, high, low, close] = [quote.open, quote.high, quote.low, quote.close].map(
      (values) => values?.[index] ?? null,
    );
    if (open == null || high == null || low == null || close == null) {
      nulls += 1;
      continue;
    }

    if (byTime.has(time)) duplicates += 1;
    // A bar with prices but no volume is a real print; its volume is unknown, counted as 0.
    byTime.set(time, { time, open, high, low, close, volume: quote.volume?.[index] ?? 0 });
  }

  const warnings = describeSkips(timestamps.length, quote, nulls, duplicates);
  const exchangeTimeZone = result.meta?.exchangeTimezoneName ?? undefined;
  if (exchangeTimeZone !== undefined && exchangeTimeZone !== timeZone) {
    warnings.push(`source reports time zone ${exchangeTimeZone}; the day was cut in ${timeZone}`);
  }

  return {
    bars: [...byTime.values()].sort((a, b) => a.time - b.time),
    currency: result.meta?.currency ?? undefined,
    exchangeTimeZone,
    warnings,
  };
}

function describeSkips(
  count: number,
  quote: Partial<Record<string, unknown[]>>,
  nulls: number,
  duplicates: number,
): string[] {
  const warnings: string[] = [];
  const short = Object.entries(quote).filter(([, values]) => (values?.length ?? 0) < count);
  if (count > 0 && short.length > 0) {
    const names = short.map(([name]) => name).join(', ');
    warnings.push(`quote arrays shorter than the ${count} timestamps: ${names}`);
  }

  // Nulls are normal in Yahoo data (a minute without trades), so they get one line, not one each.
  if (nulls > 0) warnings.push(`${nulls} null bar${nulls === 1 ? '' : 's'} skipped`);
  if (duplicates > 0) warnings.push(`${duplicates} duplicate timestamps; the last of each kept`);

  return warnings;
}

/** Where the request went and when, for reading a response. */
export interface YahooResponseContext {
  readonly url: string;
  readonly date: TradingDate;
  readonly timeZone: string;
  readonly now: number;
}

/** Read a chart response (live or replayed) by status first, then body. */
export function readYahooResponse(
  response: { status: number; headers: Headers; body: Uint8Array },
  context: YahooResponseContext,
): YahooChart {
  const { status } = response;
  const shared = sharedStatusError('yahoo', response, context.url, context.now);
  if (shared) throw shared;

  if (status === 401 || status === 403) {
    throw new MarketDataError('refused', `yahoo refused ${context.url} (HTTP ${status})`, {
      status,
      hint:
        'The live Yahoo API sometimes requires a cookie and crumb, which tickops does not send. ' +
        'Try later, or use --source google against a recording or a compatible endpoint.',
    });
  }

  if (status >= 200 && status <= 299) {
    if (looksLikeHtml(response.body)) {
      const message = `HTML page instead of chart JSON from ${context.url}`;
      throw new MarketDataError('malformed', message, {
        status,
        hint: 'Yahoo shows consent or error pages to some regions and clients.',
      });
    }

    return parseYahooChart(decodeText(response.body), context.date, context.timeZone);
  }

  const fromBody = errorInBody(response.body, status);
  if (fromBody) throw fromBody;
  if (status === 404) {
    throw new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)', { status });
  }

  throw new MarketDataError('refused', `yahoo answered HTTP ${status} for ${context.url}`, {
    status,
  });
}

function errorInBody(body: Uint8Array, status: number): MarketDataError | undefined {
  try {
    const error = readChart(decodeText(body)).error;

    return error ? chartError(error, status) : undefined;
  } catch {
    return undefined;
  }
}

/** What encodeYahooChart needs to write a chart body. */
export interface YahooChartInput {
  readonly symbol: string;
  readonly bars: readonly Bar[];
  readonly currency: string;
  readonly exchangeTimeZone: string;
  readonly gmtOffsetSeconds: number;
  readonly simulated?: boolean;
  /** Yahoo's exchange code (`LSE`, `NMS`); guessed from the symbol's suffix when absent. */
  readonly exchangeName?: string;
}

/** A chart v8 body as Yahoo would send it for these bars. */
export function encodeYahooChart(input: YahooChartInput): string {
  const bars = [...input.bars].sort((a, b) => a.time - b.time);
  const last = bars.at(-1);
  const meta: Record<string, unknown> = {
    currency: input.currency,
    symbol: input.symbol,
    exchangeName: input.exchangeName ?? guessExchangeName(input.symbol),
    instrumentType: input.symbol.startsWith('^') ? 'INDEX' : 'EQUITY',
    regularMarketTime: last ? Math.floor(last.time / 1000) : undefined,
    gmtoffset: input.gmtOffsetSeconds,
    exchangeTimezoneName: input.exchangeTimeZone,
    regularMarketPrice: last?.close,
    dataGranularity: '1m',
    range: '',
  };
  if (input.simulated) meta.tickopsSimulated = true;

  // Like Yahoo, a day without bars has no `timestamp` and an empty quote object.
  const pick = (field: keyof Omit<Bar, 'time'>) => bars.map((bar) => bar[field]);
  const quote =
    bars.length === 0
      ? {}
      : {
          open: pick('open'),
          high: pick('high'),
          low: pick('low'),
          close: pick('close'),
          volume: pick('volume'),
        };
  const timestamp = bars.length === 0 ? undefined : bars.map((bar) => Math.floor(bar.time / 1000));
  const result = { meta, timestamp, indicators: { quote: [quote] } };

  return JSON.stringify({ chart: { result: [result], error: null } });
}

function guessExchangeName(symbol: string): string {
  if (symbol.endsWith('.L')) return 'LSE';
  if (symbol.endsWith('.TO')) return 'TOR';

  return 'NMS';
}
