/**
 * Generated bars for demos and load tests. The data is a seeded random walk, labelled as
 * simulated in the source, in the raw body and in the URL; it never stands in for a recording.
 */
import { isWeekend, tradingDayBounds, utcOffsetMinutes, zonedTimeToUtc } from '../trading-day.js';
import { encodeYahooChart, parseYahooChart } from './yahoo-chart.js';
import type { Bar, DayRequest, MarketDataSource } from './types.js';

/** Session and currency of the generated market. */
export interface SimulatedSourceOptions {
  /** Minutes after local midnight of the first bar; London's 08:00 by default. */
  readonly sessionOpenMinute?: number;
  /** Minutes after local midnight at which the session ends (no bar starts then); 16:30. */
  readonly sessionCloseMinute?: number;
  readonly currency?: string;
}

/** A source of deterministic generated bars: the same symbol and date always give the same day. */
export function createSimulatedSource(options: SimulatedSourceOptions = {}): MarketDataSource {
  const { sessionOpenMinute = 480, sessionCloseMinute = 990, currency = 'GBp' } = options;

  return {
    name: 'simulated',
    simulated: true,
    toSourceSymbol: (ticker) => ticker,
    checkDate: () => undefined,
    async fetchDay(request) {
      request.signal?.throwIfAborted();

      const bars = isWeekend(request.date)
        ? []
        : generateSession(request, sessionOpenMinute, sessionCloseMinute);
      const { start } = tradingDayBounds(request.date, request.timeZone);
      const body = encodeYahooChart({
        symbol: request.sourceSymbol,
        bars,
        currency,
        exchangeTimeZone: request.timeZone,
        gmtOffsetSeconds: utcOffsetMinutes(start, request.timeZone) * 60,
        simulated: true,
      });

      // Read back through the Yahoo parser so the raw copy and the bars cannot disagree.
      const parsed = parseYahooChart(body, request.date, request.timeZone);

      return {
        raw: new TextEncoder().encode(body),
        rawExtension: 'json',
        bars: parsed.bars,
        metadata: {
          source: 'simulated',
          url: `simulated://${encodeURIComponent(request.sourceSymbol)}/${request.date}`,
          currency: parsed.currency,
          exchangeTimeZone: parsed.exchangeTimeZone,
          warnings: parsed.warnings,
        },
      };
    },
  };
}

function generateSession(request: DayRequest, openMinute: number, closeMinute: number): Bar[] {
  const random = mulberry32(hashText(`${request.sourceSymbol}|${request.date}`));
  const bars: Bar[] = [];
  let price = 50 + random() * 950;

  // Clocks change in the small hours, never during a session, so the session's bars are whole
  // minutes after its opening instant; one zone lookup per day instead of one per bar.
  const sessionStart = zonedTimeToUtc(request.date, openMinute, request.timeZone);
  for (let minute = openMinute; minute < closeMinute; minute += 1) {
    const open = roundPrice(price);
    const close = roundPrice(open * (1 + (random() - 0.5) * 0.004));
    const high = roundPrice(Math.max(open, close) * (1 + random() * 0.001));
    const low = roundPrice(Math.min(open, close) * (1 - random() * 0.001));
    const volume = 100 + Math.floor(random() * 5000);
    const time = sessionStart + (minute - openMinute) * 60_000;
    bars.push({ time, open, high, low, close, volume });
    price = close;
  }

  return bars;
}

/** Two decimals, and never below one hundredth: a walk must not reach zero or go negative. */
function roundPrice(value: number): number {
  return Math.max(0.01, Math.round(value * 100) / 100);
}

/** FNV-1a, 32 bits: a stable seed from text. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }

  return hash >>> 0;
}

/** mulberry32: a tiny seeded generator of floats in [0, 1); plenty for made-up prices. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);

    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
