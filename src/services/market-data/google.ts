/**
 * A source that requests the old Google Finance `getprices` format the way the original tool
 * did. Google retired the endpoint; the source is for recordings served over HTTP and for
 * endpoints that still speak the format, which itself is in getprices.ts.
 */
import { MarketDataError } from '../errors.js';
import { tradingDayBounds } from '../trading-day.js';
import { type Getprices, parseGetprices } from './getprices.js';
import {
  browserUserAgent,
  decodeText,
  fetchBody,
  looksLikeHtml,
  sharedStatusError,
} from './http.js';
import type { MarketDataSource } from './types.js';

/** Options of the getprices HTTP source. */
export interface GoogleSourceOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
}

/** A source that requests getprices bodies and keeps the requested trading date. */
export function createGoogleSource(options: GoogleSourceOptions): MarketDataSource {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  return {
    name: 'google',
    simulated: false,
    toSourceSymbol: (ticker) => ticker,
    // p=10d covers about 14 calendar days of a live endpoint, but recordings are replayed with
    // any date, so no date is refused up front; a date outside the body gives zero bars.
    checkDate: () => undefined,
    async fetchDay(request) {
      const query =
        `q=${encodeURIComponent(request.sourceSymbol)}&x=${encodeURIComponent(request.exchange)}` +
        '&i=60&p=10d&f=d,o,h,l,c,v';
      const url = `${baseUrl}/finance/getprices?${query}`;
      const response = await fetchBody(url, {
        signal: request.signal,
        timeoutMs: options.timeoutMs,
        fetchImpl: options.fetchImpl,
        headers: { 'User-Agent': browserUserAgent, Accept: 'text/plain, */*' },
      });

      const parsed = readGetpricesResponse(response, url);
      const { start, end } = tradingDayBounds(request.date, request.timeZone);
      const warnings = [...parsed.warnings];
      if (parsed.exchange !== undefined && parsed.exchange !== request.exchange) {
        warnings.push(`response is for exchange ${parsed.exchange}, not ${request.exchange}`);
      }

      return {
        raw: response.body,
        rawExtension: 'txt',
        bars: parsed.bars.filter((bar) => bar.time >= start && bar.time < end),
        // The format carries neither a currency nor a zone name.
        metadata: {
          source: 'google',
          url,
          currency: undefined,
          exchangeTimeZone: undefined,
          warnings,
        },
      };
    },
  };
}

function readGetpricesResponse(
  response: { status: number; headers: Headers; body: Uint8Array },
  url: string,
): Getprices {
  const { status } = response;
  const shared = sharedStatusError('google', response, url, Date.now());
  if (shared) throw shared;

  if (status === 404) {
    throw new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)', { status });
  }
  if (status < 200 || status > 299) {
    throw new MarketDataError('refused', `google answered HTTP ${status} for ${url}`, { status });
  }
  if (looksLikeHtml(response.body)) {
    throw new MarketDataError('malformed', `HTML page instead of getprices data from ${url}`, {
      status,
    });
  }

  return parseGetprices(decodeText(response.body));
}
