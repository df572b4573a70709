/**
 * A loopback market-data server that speaks the Yahoo chart v8 and Google getprices paths, with
 * simulated bars, added latency and scripted faults. It is also the benchmark's source, so each
 * encoded day is built once and then served from memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeGetprices } from '../../src/services/market-data/getprices.js';
import { createSimulatedSource } from '../../src/services/market-data/simulated.js';
import type { Bar, TradingDate } from '../../src/services/market-data/types.js';
import { encodeYahooChart } from '../../src/services/market-data/yahoo-chart.js';
import {
  isWeekend,
  tradingDateAt,
  utcOffsetMinutes,
  zonedTimeToUtc,
} from '../../src/services/trading-day.js';

/** One scripted misbehaviour, used for one request of one symbol. */
export type Fault =
  | { readonly kind: '429'; readonly retryAfterSeconds?: number; readonly body?: 'html' | 'text' }
  | { readonly kind: '500' | '503' | 'reset' | 'reset-mid-body' | 'hang' | 'truncated' }
  | { readonly kind: 'html200' | 'empty' | 'unknown' };

/** How the server behaves. */
export interface SourceServerOptions {
  /** Added before every answer except a rate-limit rejection. */
  readonly latencyMs?: number;
  /**
   * The exchange's IANA zone: sessions are in its local time, and Yahoo's date is period1's
   * date there (default Europe/London).
   */
  readonly timeZone?: string;
  /** The date getprices serves (default: the latest weekday in `timeZone`). */
  readonly date?: TradingDate;
  /** Also emit the weekday before `date` in getprices, as `p=10d` would (default true). */
  readonly getpricesPreviousDay?: boolean;
  readonly knownSymbols?: (symbol: string) => boolean;
  /** Symbols the default `knownSymbols` rejects. */
  readonly unknownSymbols?: Iterable<string>;
  /**
   * Per symbol: entry N is what the symbol's request N gets; later requests are normal. Requests
   * the rate limiter turns away use up no entry.
   */
  readonly faults?: Readonly<Record<string, readonly Fault[]>>;
  /** The schedule for every symbol that has no entry in `faults`, counted per symbol. */
  readonly defaultFaults?: readonly Fault[];
  /** More requests in flight than this are answered 429 with Retry-After: 1 at once. */
  readonly rateLimit?: { readonly maxInFlight: number };
  /** Passed to the simulated source: minutes after local midnight, and the currency unit. */
  readonly sessionOpenMinute?: number;
  readonly sessionCloseMinute?: number;
  readonly currency?: string;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly api: 'yahoo' | 'getprices' | 'other';
  readonly symbol: string | undefined;
  /** Path and query as sent. */
  readonly path: string;
  readonly receivedAt: number;
  /** Status sent; undefined when the socket was reset before headers or the request hung. */
  readonly status: number | undefined;
  /** The scripted fault applied, or `rate-limit` when the limiter answered. */
  readonly fault: Fault['kind'] | 'rate-limit' | undefined;
}

/** A running source server. */
export interface SourceServer {
  readonly url: string;
  /** Every request so far, in arrival order (live view). */
  readonly requests: readonly RecordedRequest[];
  requestCount(symbol?: string): number;
  /** Peak number of requests open at once, rejected ones included. */
  readonly maxInFlight: number;
  /** Failures of the server itself (answered 500); a test should expect none. */
  readonly errors: readonly Error[];
  /** Replace a symbol's schedule; entry 0 applies to its next request. */
  setFaults(symbol: string, faults: readonly Fault[]): void;
  /**
   * Build these symbols' Yahoo bodies for `date` now rather than on request, and their getprices
   * bodies too when given the `x=` exchange that requests will carry.
   */
  warm(symbols: readonly string[], getpricesExchange?: string): Promise<void>;
  /** Drop hanging and pending requests, then stop listening. */
  close(): Promise<void>;
}

type Api = RecordedRequest['api'];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Payload {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

const yahooNotFound =
  '{"chart":{"result":null,"error":{"code":"Not Found",' +
  '"description":"No data found, symbol may be delisted"}}}';
const getpricesUnknown =
  'EXCHANGE%3DUNKNOWN+EXCHANGE\nMARKET_OPEN_MINUTE=570\nMARKET_CLOSE_MINUTE=960\n' +
  'INTERVAL=60\nCOLUMNS=DATE,CLOSE,HIGH,LOW,OPEN,VOLUME\nDATA=\n';
const htmlErrorPage =
  '<!DOCTYPE html><html><head><title>Service unavailable</title></head>' +
  '<body><h1>We could not complete your request.</h1></body></html>';
const jsonType = 'application/json;charset=utf-8';
const textType = 'text/plain; charset=utf-8';
const htmlType = 'text/html; charset=utf-8';

/** Start the server on 127.0.0.1 and a free port. */
export async function startSourceServer(options: SourceServerOptions = {}): Promise<SourceServer> {
  const unknown = new Set(options.unknownSymbols ?? []);
  const isKnown = options.knownSymbols ?? ((symbol: string) => !unknown.has(symbol));
  const bodies = createDayBodies(options);
  const faults = new Map(Object.entries(options.faults ?? {}));
  const faultCursor = new Map<string, number>();
  const requests: Mutable<RecordedRequest>[] = [];
  const errors: Error[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stats = { inFlight: 0, admitted: 0, maxInFlight: 0 };

  const nextFault = (symbol: string): Fault | undefined => {
    const index = faultCursor.get(symbol) ?? 0;
    faultCursor.set(symbol, index + 1);
    return (faults.get(symbol) ?? options.defaultFaults ?? [])[index];
  };

  const answer = async (call: Call, fault: Fault | undefined) => {
    const immediate = faultReply(fault);
    if (immediate === 'reset') return call.response.socket?.resetAndDestroy();
    if (immediate === 'hang') return;
    if (immediate) return send(call, immediate);

    const { api, symbol } = call.record;
    const unknownSymbol = fault?.kind === 'unknown' || !isKnown(symbol ?? '');
    const payload = await bodies.payload(api, symbol ?? '', call.url, unknownSymbol, fault);
    if (call.response.destroyed) return;

    const half = payload.body.subarray(0, Math.floor(payload.body.length / 2));
    if (fault?.kind === 'truncated') return send(call, { ...payload, body: half });
    if (fault?.kind !== 'reset-mid-body') return send(call, payload);

    // Headers promise the whole body; the socket is reset once half of it has left.
    writeHead(call, payload);
    call.response.write(half, () => call.response.socket?.resetAndDestroy());
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = routeOf(url);
    const record: Mutable<RecordedRequest> = {
      ...route,
      path: request.url ?? '',
      receivedAt: Date.now(),
      status: undefined,
      fault: undefined,
    };
    const call = { record, url, response };
    requests.push(record);

    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    response.once('close', () => (stats.inFlight -= 1));

    if (route.symbol === undefined) return send(call, textPayload(404, 'not a served path'));

    if (options.rateLimit && stats.admitted >= options.rateLimit.maxInFlight) {
      record.fault = 'rate-limit';
      return send(call, textPayload(429, 'Too Many Requests'), { 'retry-after': '1' });
    }
    stats.admitted += 1;
    response.once('close', () => (stats.admitted -= 1));

    const fault = nextFault(route.symbol);
    record.fault = fault?.kind;
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer(call, fault).catch((error: unknown) => {
        errors.push(error instanceof Error ? error : new Error(String(error)));
        if (response.headersSent) return response.destroy();
        send(call, textPayload(500, `source server failed: ${String(error)}`));
      });
    }, options.latencyMs ?? 0);
    timers.add(timer);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: the benchmark opens hundreds of connections at once.
    server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    errors,
    get maxInFlight() {
      return stats.maxInFlight;
    },
    requestCount: (symbol) =>
      symbol === undefined ? requests.length : requests.filter((r) => r.symbol === symbol).length,
    setFaults(symbol, schedule) {
      faults.set(symbol, schedule);
      faultCursor.set(symbol, 0);
    },
    warm: (symbols, getpricesExchange) => bodies.warm(symbols, getpricesExchange),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Hanging and keep-alive connections would otherwise hold close() open for good.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** One request and its response, as the handler passes them around. */
interface Call {
  readonly record: Mutable<RecordedRequest>;
  readonly url: URL;
  readonly response: ServerResponse;
}

function textPayload(status: number, text: string): Payload {
  return { status, contentType: textType, body: Buffer.from(`${text}\n`) };
}

function htmlPayload(status: number): Payload {
  return { status, contentType: htmlType, body: Buffer.from(htmlErrorPage) };
}

/** What a fault answers without looking at the data, if anything. */
function faultReply(fault: Fault | undefined): Payload | 'reset' | 'hang' | undefined {
  switch (fault?.kind) {
    case '429': {
      const { retryAfterSeconds: seconds } = fault;
      const headers: Record<string, string> =
        seconds === undefined ? {} : { 'retry-after': String(seconds) };
      const page = fault.body === 'html' ? htmlPayload(429) : textPayload(429, 'Too Many Requests');
      return { ...page, headers };
    }
    case '500':
      return textPayload(500, 'Internal Server Error');
    case '503':
      return textPayload(503, 'Service Unavailable');
    case 'html200':
      return htmlPayload(200);
    case 'reset':
    case 'hang':
      return fault.kind;
    default:
      return undefined;
  }
}

function writeHead(call: Call, payload: Payload, extra: Record<string, string> = {}) {
  call.record.status = payload.status;
  call.response.writeHead(payload.status, {
    'content-type': payload.contentType,
    'content-length': payload.body.length,
    ...payload.headers,
    ...extra,
  });
}

function send(call: Call, payload: Payload, extra: Record<string, string> = {}) {
  writeHead(call, payload, extra);
  call.response.end(payload.body);
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, build: () => Promise<T>) {
  let value = cache.get(key);
  if (!value) {
    value = build();
    cache.set(key, value);
  }

  return value;
}

/**
 * Bars and encoded bodies, each built once per symbol and date. On this machine generating a day
 * costs about 6 ms of CPU and encoding two days of getprices about 16 ms (both mostly per-bar
 * Intl time-zone calls), so 500 cold tickers take seconds; `warm` moves that out of the timing.
 */
function createDayBodies(options: SourceServerOptions) {
  const timeZone = options.timeZone ?? 'Europe/London';
  const currency = options.currency ?? 'GBp';
  const withPrevious = options.getpricesPreviousDay ?? true;
  const source = createSimulatedSource({
    sessionOpenMinute: options.sessionOpenMinute,
    sessionCloseMinute: options.sessionCloseMinute,
    currency,
  });
  const barsCache = new Map<string, Promise<readonly Bar[]>>();
  const bodyCache = new Map<string, Promise<Buffer>>();
  const servedDate = () => options.date ?? latestWeekday(Date.now(), timeZone);

  // The generator seeds on symbol and date only, so one day serves both paths.
  const barsOf = (symbol: string, date: TradingDate) =>
    memo(barsCache, `${symbol}|${date}`, async () => {
      const request = { sourceSymbol: symbol, ticker: symbol, date, timeZone, exchange: '' };
      return (await source.fetchDay(request)).bars;
    });

  const yahooBody = (symbol: string, date: TradingDate, empty: boolean) =>
    memo(bodyCache, `yahoo|${symbol}|${date}|${empty}`, async () => {
      const noon = zonedTimeToUtc(date, 12 * 60, timeZone);
      const chart = encodeYahooChart({
        symbol,
        bars: empty ? [] : await barsOf(symbol, date),
        currency,
        exchangeTimeZone: timeZone,
        gmtOffsetSeconds: utcOffsetMinutes(noon, timeZone) * 60,
        // The bars are generated; the marker keeps a raw copy from passing for a recording.
        simulated: true,
      });
      return Buffer.from(chart);
    });

  const getpricesBody = (symbol: string, exchange: string, empty: boolean) => {
    const date = servedDate();
    return memo(bodyCache, `getprices|${symbol}|${exchange}|${date}|${empty}`, async () => {
      const dates = withPrevious ? [previousWeekday(date), date] : [date];
      const days = empty ? [] : await Promise.all(dates.map((each) => barsOf(symbol, each)));
      return Buffer.from(encodeGetprices({ bars: days.flat(), exchange, timeZone }));
    });
  };

  const yahoo = async (symbol: string, url: URL, empty: boolean): Promise<Payload> => {
    const period1 = Number(url.searchParams.get('period1') ?? Number.NaN);
    const interval = url.searchParams.get('interval');
    if (!Number.isInteger(period1) || interval !== '1m') {
      const description = `Invalid input - period1 and interval=1m are required (${url.search})`;
      const error = { chart: { result: null, error: { code: 'Bad Request', description } } };
      return { status: 400, contentType: jsonType, body: Buffer.from(JSON.stringify(error)) };
    }

    const date = tradingDateAt(period1 * 1000, timeZone);
    return { status: 200, contentType: jsonType, body: await yahooBody(symbol, date, empty) };
  };

  const getprices = async (symbol: string, url: URL, empty: boolean): Promise<Payload> => {
    if (url.searchParams.get('i') !== '60') return textPayload(400, 'only i=60 is served');

    const body = await getpricesBody(symbol, url.searchParams.get('x') ?? '', empty);
    return { status: 200, contentType: textType, body };
  };

  return {
    payload(api: Api, symbol: string, url: URL, unknown: boolean, fault: Fault | undefined) {
      const empty = fault?.kind === 'empty';
      if (api === 'yahoo') {
        if (!unknown) return yahoo(symbol, url, empty);
        return { status: 404, contentType: jsonType, body: Buffer.from(yahooNotFound) };
      }

      if (!unknown) return getprices(symbol, url, empty);
      return { status: 200, contentType: textType, body: Buffer.from(getpricesUnknown) };
    },
    async warm(symbols: readonly string[], getpricesExchange?: string) {
      for (const symbol of symbols) {
        await yahooBody(symbol, servedDate(), false);
        if (getpricesExchange !== undefined) await getpricesBody(symbol, getpricesExchange, false);
      }
    },
  };
}

function routeOf(url: URL): { api: Api; symbol: string | undefined } {
  const chart = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
  if (chart?.[1] !== undefined) {
    try {
      return { api: 'yahoo', symbol: decodeURIComponent(chart[1]) };
    } catch {
      return { api: 'yahoo', symbol: undefined };
    }
  }

  if (url.pathname === '/finance/getprices') {
    const symbol = url.searchParams.get('q');
    return { api: 'getprices', symbol: symbol || undefined };
  }

  return { api: 'other', symbol: undefined };
}

function previousWeekday(date: TradingDate): TradingDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  let candidate = date;
  for (let back = 1; candidate === date || isWeekend(candidate); back += 1) {
    candidate = new Date(Date.UTC(year, month - 1, day - back)).toISOString().slice(0, 10);
  }

  return candidate;
}

function latestWeekday(now: number, timeZone: string): TradingDate {
  const today = tradingDateAt(now, timeZone);

  return isWeekend(today) ? previousWeekday(today) : today;
}
