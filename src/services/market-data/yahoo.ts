/**
 * The live Yahoo Finance chart v8 source: one request per trading day, 1-minute bars. The
 * format itself is in yahoo-chart.ts.
 */
import { nextDate, parseTradingDate, tradingDateAt, tradingDayBounds } from '../trading-day.js';
import { browserUserAgent, fetchBody } from './http.js';
import type { DayRequest, MarketDataSource, TradingDate } from './types.js';
import { readYahooResponse } from './yahoo-chart.js';

/** Options of the live Yahoo source. */
export interface YahooSourceOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => number;
}

/** The live Yahoo chart source. */
export function createYahooSource(options: YahooSourceOptions): MarketDataSource {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;

  return {
    name: 'yahoo',
    simulated: false,
    toSourceSymbol: toYahooSymbol,
    checkDate: checkYahooDate,
    async fetchDay(request) {
      const url = yahooChartUrl(baseUrl, request);
      const response = await fetchBody(url, {
        signal: request.signal,
        timeoutMs: options.timeoutMs,
        fetchImpl: options.fetchImpl,
        headers: { 'User-Agent': browserUserAgent, Accept: 'application/json' },
      });

      const context = { url, date: request.date, timeZone: request.timeZone, now: now() };
      const chart = readYahooResponse(response, context);

      return {
        raw: response.body,
        rawExtension: 'json',
        bars: chart.bars,
        metadata: {
          source: 'yahoo',
          url,
          currency: chart.currency,
          exchangeTimeZone: chart.exchangeTimeZone,
          warnings: chart.warnings,
        },
      };
    },
  };
}

/** The chart URL for one trading day. */
export function yahooChartUrl(baseUrl: string, request: DayRequest): string {
  // One trading day is at most 25 hours, well inside Yahoo's 7-day limit on 1-minute requests,
  // so a day never needs splitting into windows.
  const { start, end } = tradingDayBounds(request.date, request.timeZone);
  const symbol = encodeURIComponent(request.sourceSymbol);

  return (
    `${baseUrl}/v8/finance/chart/${symbol}?period1=${start / 1000}&period2=${end / 1000}` +
    '&interval=1m&includePrePost=false&events=div%7Csplit'
  );
}

const dayMs = 86_400_000;

/** Yahoo keeps 1-minute bars for about 30 days and has none for days not yet started. */
export function checkYahooDate(date: TradingDate, now: number): string | undefined {
  if (parseTradingDate(date) === undefined) return `not a date: ${date} (expected YYYY-MM-DD)`;

  // The source does not know the exchange's zone here, so "today" is taken in the zone that
  // reaches a date first (UTC+14): a date is refused only when it has begun nowhere.
  if (date > tradingDateAt(now, 'Pacific/Kiritimati')) {
    return `${date} is in the future; yahoo has no bars for it yet`;
  }

  // The day must start within the last 30 days, so the day that was current 30 days ago is out.
  const cutoff = tradingDateAt(now - 30 * dayMs, 'UTC');
  if (date <= cutoff) {
    return (
      `yahoo keeps 1-minute bars for about 30 days, so ${date} is too old (the oldest date it ` +
      `can serve now is ${nextDate(cutoff)}). Use --source google against a recording or a ` +
      'compatible endpoint instead.'
    );
  }

  return undefined;
}

/** Yahoo's suffix per exchange code; the US exchanges need none. */
const yahooSuffixes = new Map<string, string>([
  ['LON', '.L'],
  ['LSE', '.L'],
  ['NASDAQ', ''],
  ['NYSE', ''],
  ['NYSEARCA', ''],
  ['TSE', '.TO'],
  ['TSX', '.TO'],
  ['ETR', '.DE'],
  ['EPA', '.PA'],
  ['ASX', '.AX'],
]);

/** An exchange's ticker in Yahoo's notation: `BT.A` on LON is `BT-A.L`. */
export function toYahooSymbol(ticker: string, exchange: string): string {
  // Indices (`^FTSE`) and FX or futures (`GBPUSD=X`, `ES=F`) are already Yahoo symbols.
  if (ticker.startsWith('^') || ticker.includes('=')) return ticker;

  const suffix = yahooSuffixes.get(exchange.toUpperCase());
  if (suffix === undefined) return ticker;
  if (suffix !== '' && ticker.toUpperCase().endsWith(suffix.toUpperCase())) return ticker;

  // Yahoo writes share classes with a dash on every exchange (`BT-A.L`, `BRK-B`).
  return `${ticker.replaceAll('.', '-')}${suffix}`;
}
