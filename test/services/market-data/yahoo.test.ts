import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { MarketDataError } from '../../../src/services/errors.js';
import type { Bar, DayRequest } from '../../../src/services/market-data/types.js';
import {
  encodeYahooChart,
  parseYahooChart,
} from '../../../src/services/market-data/yahoo-chart.js';
import { createYahooSource } from '../../../src/services/market-data/yahoo.js';
import { tradingDayBounds } from '../../../src/services/trading-day.js';
import { failure } from '../../support/failure.js';
import { type Reply, useReplyServer } from '../../support/reply-server.js';

/** The chart payload of a yahoo-finance2 recording, from whichever key holds it. */
function recordedPayload(name: string): string {
  const path = new URL(`../../fixtures/yahoo-chart/${name}`, import.meta.url);
  const envelope = JSON.parse(readFileSync(path, 'utf8')) as {
    response: { body?: string; bodyJson?: unknown };
  };

  return envelope.response.body ?? JSON.stringify(envelope.response.bodyJson);
}

const aaplChart = recordedPayload('yf2-chart-AAPL-2024-10-02-interval-1m.json');
const tslaChart = recordedPayload('yf2-chart-TSLA-2021-11-22-to-2021-11-23-interval-30m.json');
const ocdoChart = recordedPayload('yf2-chart-OCDO.L-2020-01-01-to-2020-01-03-interval-1d.json');
const siNotFound = recordedPayload('yf2-chart-SI-404-not-found.json');
const rangeRefused = JSON.stringify({
  chart: {
    result: null,
    error: {
      code: 'Unprocessable Entity',
      description:
        '1m data not available for startTime=1717200000 and endTime=1718409600. Only 7 days ' +
        'worth of 1m granularity data are allowed to be fetched per request.',
    },
  },
});

const iso = (time: number) => new Date(time).toISOString();

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseYahooChart', () => {
  it('keeps the 389 regular-session bars of the AAPL recording', () => {
    const chart = parseYahooChart(aaplChart, '2024-10-02', 'America/New_York');

    expect(chart.bars).toHaveLength(389);
    expect(iso(chart.bars[0]?.time ?? 0)).toBe('2024-10-02T13:30:00.000Z');
    expect(iso(chart.bars.at(-1)?.time ?? 0)).toBe('2024-10-02T19:59:00.000Z');
    expect(chart.currency).toBe('USD');
    expect(chart.exchangeTimeZone).toBe('America/New_York');
  });

  it('skips the null bar at index 105 and counts it in one warning line', () => {
    const chart = parseYahooChart(aaplChart, '2024-10-02', 'America/New_York');

    expect(chart.bars.some((bar) => iso(bar.time) === '2024-10-02T15:15:00.000Z')).toBe(false);
    expect(chart.warnings).toEqual(['1 null bar skipped']);
  });

  it('drops the trailing live bar of the next day, which lies outside the date', () => {
    const chart = parseYahooChart(aaplChart, '2024-10-02', 'America/New_York');

    const { end } = tradingDayBounds('2024-10-02', 'America/New_York');
    expect(chart.bars.every((bar) => bar.time < end)).toBe(true);
    expect(chart.bars.some((bar) => bar.volume === 0 && bar.close === 225.6699981689453)).toBe(
      false,
    );
  });

  it('keeps pre- and post-market bars that fall inside the date (TSLA, EST)', () => {
    const chart = parseYahooChart(tslaChart, '2021-11-22', 'America/New_York');

    expect(chart.bars).toHaveLength(30);
    expect(iso(chart.bars[0]?.time ?? 0)).toBe('2021-11-22T09:00:00.000Z');
    expect(iso(chart.bars.at(-1)?.time ?? 0)).toBe('2021-11-22T23:30:00.000Z');
    expect(chart.warnings).toEqual([]);
  });

  it('reports the currency verbatim: GBp stays pence', () => {
    const chart = parseYahooChart(ocdoChart, '2020-01-02', 'Europe/London');

    expect(chart.currency).toBe('GBp');
    expect(chart.exchangeTimeZone).toBe('Europe/London');
    expect(chart.bars.map((bar) => iso(bar.time))).toEqual(['2020-01-02T08:00:00.000Z']);
  });

  it('returns zero bars for another date of the same body', () => {
    const chart = parseYahooChart(ocdoChart, '2020-01-03', 'Europe/London');

    expect(chart.bars).toEqual([]);
  });

  it('warns when the body names another zone than the one the day was cut in', () => {
    const chart = parseYahooChart(ocdoChart, '2020-01-02', 'Europe/Dublin');

    expect(chart.warnings).toEqual([
      'source reports time zone Europe/London; the day was cut in Europe/Dublin',
    ]);
  });

  it('returns zero bars, not an error, for a result without timestamps', () => {
    const body = JSON.stringify({
      chart: {
        result: [{ meta: { currency: 'GBp' }, indicators: { quote: [{}] } }],
        error: null,
      },
    });

    const chart = parseYahooChart(body, '2024-10-25', 'Europe/London');

    expect(chart.bars).toEqual([]);
    expect(chart.currency).toBe('GBp');
  });

  it('sorts bars and keeps the last of duplicate timestamps', () => {
    const t = Date.parse('2024-10-25T08:00:00Z') / 1000;
    const body = JSON.stringify({
      chart: {
        result: [
          {
            meta: {},
            timestamp: [t + 60, t, t + 60],
            indicators: {
              quote: [
                {
                  open: [2, 1, 3],
                  high: [2, 1, 3],
                  low: [2, 1, 3],
                  close: [2, 1, 3],
                  volume: [5, 6, 7],
                },
              ],
            },
          },
        ],
      },
    });

    const chart = parseYahooChart(body, '2024-10-25', 'Europe/London');

    expect(chart.bars.map((bar) => [iso(bar.time), bar.close, bar.volume])).toEqual([
      ['2024-10-25T08:00:00.000Z', 1, 6],
      ['2024-10-25T08:01:00.000Z', 3, 7],
    ]);
    expect(chart.warnings).toEqual(['1 duplicate timestamps; the last of each kept']);
  });

  it('throws no-data with the plain reason for the SI "Not Found" error', () => {
    const error = thrown(() => parseYahooChart(siNotFound, '2020-01-02', 'America/New_York'));

    expect(error).toBeInstanceOf(MarketDataError);
    expect(error).toMatchObject({ kind: 'no-data', retryable: false });
    expect((error as Error).message).toBe('no data (symbol may be delisted or wrong)');
  });

  it('throws refused with the source’s own description for other chart errors', () => {
    const error = thrown(() => parseYahooChart(rangeRefused, '2024-06-03', 'Europe/London'));

    expect(error).toMatchObject({ kind: 'refused', retryable: false });
    expect((error as Error).message).toContain('Only 7 days worth of 1m granularity data');
    expect((error as Error).message).not.toContain('delisted');
  });

  it('throws malformed, never a SyntaxError, for truncated JSON', () => {
    const error = thrown(() =>
      parseYahooChart(aaplChart.slice(0, 5000), '2024-10-02', 'America/New_York'),
    );

    expect(error).toBeInstanceOf(MarketDataError);
    expect(error).toMatchObject({ kind: 'malformed', retryable: true });
  });

  it('throws malformed for JSON that is not a chart', () => {
    for (const body of ['{"quoteResponse":{}}', '[]', 'null', '{"chart":{"result":[]}}']) {
      const error = thrown(() => parseYahooChart(body, '2024-10-02', 'America/New_York'));

      expect(error).toMatchObject({ kind: 'malformed' });
    }
  });
});

describe('encodeYahooChart', () => {
  const start = Date.parse('2024-10-25T07:00:00Z');
  const bars: Bar[] = [0, 1, 2].map((minute) => ({
    time: start + minute * 60_000,
    open: 100 + minute,
    high: 101 + minute,
    low: 99 + minute,
    close: 100.5 + minute,
    volume: 1000 + minute,
  }));

  it('writes a chart v8 body that parses back to the same bars', () => {
    const body = encodeYahooChart({
      symbol: 'BARC.L',
      bars,
      currency: 'GBp',
      exchangeTimeZone: 'Europe/London',
      gmtOffsetSeconds: 3600,
    });

    const chart = parseYahooChart(body, '2024-10-25', 'Europe/London');
    expect(chart.bars).toEqual(bars);
    expect(chart.currency).toBe('GBp');
    expect(chart.exchangeTimeZone).toBe('Europe/London');
  });

  it('fills meta the way Yahoo does, and marks simulated bodies', () => {
    const input = {
      symbol: 'BARC.L',
      bars,
      currency: 'GBp',
      exchangeTimeZone: 'Europe/London',
      gmtOffsetSeconds: 3600,
    };

    const plain = JSON.parse(encodeYahooChart(input)).chart.result[0].meta;
    const simulated = JSON.parse(encodeYahooChart({ ...input, simulated: true })).chart.result[0]
      .meta;

    expect(plain).toMatchObject({
      currency: 'GBp',
      symbol: 'BARC.L',
      exchangeName: 'LSE',
      exchangeTimezoneName: 'Europe/London',
      gmtoffset: 3600,
      dataGranularity: '1m',
    });
    expect(plain).not.toHaveProperty('tickopsSimulated');
    expect(simulated.tickopsSimulated).toBe(true);
  });

  it('writes an empty day as Yahoo does, without timestamps', () => {
    const body = encodeYahooChart({
      symbol: 'BARC.L',
      bars: [],
      currency: 'GBp',
      exchangeTimeZone: 'Europe/London',
      gmtOffsetSeconds: 0,
    });

    expect(JSON.parse(body).chart.result[0]).not.toHaveProperty('timestamp');
    expect(parseYahooChart(body, '2024-10-25', 'Europe/London').bars).toEqual([]);
  });
});

const { replies, requests, url } = useReplyServer();

const reply = (status: number, body: string, headers: Record<string, string> = {}): Reply => {
  return (res) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
};

const london = (ticker: string): DayRequest => ({
  ticker,
  sourceSymbol: ticker,
  date: '2024-10-25',
  timeZone: 'Europe/London',
  exchange: 'LON',
});

const aapl: DayRequest = {
  ticker: 'AAPL',
  sourceSymbol: 'AAPL',
  date: '2024-10-02',
  timeZone: 'America/New_York',
  exchange: 'NASDAQ',
};

describe('createYahooSource', () => {
  const source = (timeoutMs = 2000) => createYahooSource({ baseUrl: url(), timeoutMs });

  it('requests one trading day of 1-minute bars with browser-like headers', async () => {
    replies.push(reply(200, aaplChart));

    const day = await source().fetchDay(aapl);

    const { start, end } = tradingDayBounds('2024-10-02', 'America/New_York');
    const sent = requests.at(-1);
    expect(sent?.url).toBe(
      `/v8/finance/chart/AAPL?period1=${start / 1000}&period2=${end / 1000}` +
        '&interval=1m&includePrePost=false&events=div%7Csplit',
    );
    expect(sent?.headers['user-agent']).toMatch(/^Mozilla\/5\.0 .*Chrome\/\d+/);
    expect(sent?.headers.accept).toBe('application/json');
    expect(day.metadata.url).toBe(`${url()}${sent?.url}`);
    expect(day.bars).toHaveLength(389);
  });

  it('keeps the exact response bytes as the raw json copy', async () => {
    replies.push(reply(200, aaplChart));

    const day = await source().fetchDay(aapl);

    expect(day.rawExtension).toBe('json');
    expect(Buffer.from(day.raw).equals(Buffer.from(aaplChart))).toBe(true);
    expect(day.metadata).toMatchObject({ source: 'yahoo', currency: 'USD' });
  });

  it('asks for 25 hours on the day London leaves summer time', async () => {
    replies.push(
      reply(
        200,
        encodeYahooChart({
          symbol: 'BARC.L',
          bars: [],
          currency: 'GBp',
          exchangeTimeZone: 'Europe/London',
          gmtOffsetSeconds: 0,
        }),
      ),
    );

    await source().fetchDay({ ...london('BARC.L'), date: '2024-10-27' });

    const query = new URL(requests.at(-1)?.url ?? '', url()).searchParams;
    expect(Number(query.get('period2')) - Number(query.get('period1'))).toBe(25 * 3600);
    expect(query.get('period1')).toBe(String(Date.parse('2024-10-26T23:00:00Z') / 1000));
  });

  it('makes a 200 HTML page malformed instead of failing on JSON.parse', async () => {
    replies.push(
      reply(200, '<!DOCTYPE html><html><body>consent</body></html>', {
        'content-type': 'text/html',
      }),
    );

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'malformed', status: 200 });
    expect((error as Error).message).toContain('HTML page instead of chart JSON');
  });

  it('makes a truncated JSON body malformed', async () => {
    replies.push(reply(200, aaplChart.slice(0, 1000)));

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'malformed', retryable: true });
  });

  it('makes 404 without a chart body no data', async () => {
    replies.push(reply(404, 'Not Found', { 'content-type': 'text/plain' }));

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'no-data', status: 404 });
  });

  it('makes 401 and 403 refused with the cookie and crumb hint', async () => {
    replies.push(reply(401, '{"finance":{"error":{"code":"Unauthorized"}}}'), reply(403, ''));

    const unauthorized = await failure(source().fetchDay(aapl));
    const forbidden = await failure(source().fetchDay(aapl));

    for (const error of [unauthorized, forbidden]) {
      expect(error).toMatchObject({ kind: 'refused', retryable: false });
      expect((error as MarketDataError).hint).toMatch(/cookie and crumb/);
    }
  });

  it('makes 5xx a retryable server error', async () => {
    replies.push(
      reply(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' }),
    );

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'server', status: 502, retryable: true });
  });

  it('turns a socket destroyed mid-body into a network error', async () => {
    replies.push((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40000' });
      res.write(aaplChart.slice(0, 2000), () => setTimeout(() => res.socket?.destroy(), 20));
    });

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('turns a request that never answers into a timeout', async () => {
    replies.push(() => undefined);

    const error = await failure(source(150).fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as Error).message).toMatch(
      /^timed out after 0\.15s fetching http:\/\/127\.0\.0\.1/,
    );
  });
});

describe('createYahooSource (B17: Yahoo error responses)', () => {
  const source = () => createYahooSource({ baseUrl: url(), timeoutMs: 2000 });

  it('case 1: marks NOSUCH.L as no data, not retryable, with the plain reason', async () => {
    replies.push(reply(404, siNotFound));

    const error = await failure(source().fetchDay(london('NOSUCH.L')));

    expect(requests.at(-1)?.url).toMatch(/^\/v8\/finance\/chart\/NOSUCH\.L\?/);
    expect(error).toMatchObject({ kind: 'no-data', retryable: false, status: 404 });
    expect((error as Error).message).toBe('no data (symbol may be delisted or wrong)');
  });

  it('case 2: shows the source’s own words for the 7-day refusal, not "delisted"', async () => {
    replies.push(reply(422, rangeRefused));

    const error = await failure(source().fetchDay(london('VOD.L')));

    expect(error).toMatchObject({ kind: 'refused', retryable: false, status: 422 });
    expect((error as Error).message).toContain('Only 7 days worth of 1m granularity data');
    expect((error as Error).message).not.toMatch(/delisted|no data/);
  });

  it('case 2: never asks for more than one day, so never for more than 7', async () => {
    replies.push(reply(200, aaplChart));

    await source().fetchDay(aapl);

    const query = new URL(requests.at(-1)?.url ?? '', url()).searchParams;
    const seconds = Number(query.get('period2')) - Number(query.get('period1'));
    expect(seconds).toBe(86_400);
    expect(query.get('interval')).toBe('1m');
  });

  it('case 2: refuses dates older than Yahoo’s 30 days of 1-minute history up front', () => {
    const now = Date.parse('2024-10-31T12:00:00Z');

    const refusal = source().checkDate('2024-06-03', now);

    expect(refusal).toMatch(/30 days/);
    expect(refusal).toContain('--source google');
    expect(source().checkDate('2024-10-01', now)).toMatch(/30 days/);
    expect(source().checkDate('2024-10-02', now)).toBeUndefined();
    expect(source().checkDate('2024-10-31', now)).toBeUndefined();
  });

  it('case 2: refuses dates in the future', () => {
    const now = Date.parse('2024-10-31T12:00:00Z');

    expect(source().checkDate('2024-11-02', now)).toMatch(/future/);
    expect(source().checkDate('2024-11-01', now)).toBeUndefined();
  });

  it('case 3: a 429 text/html with Retry-After: 2, twice, then AZN.L succeeds', async () => {
    const tooMany = reply(429, 'Too Many Requests', {
      'content-type': 'text/html',
      'retry-after': '2',
    });
    const azn = encodeYahooChart({
      symbol: 'AZN.L',
      bars: [
        {
          time: Date.parse('2024-10-25T07:00:00Z'),
          open: 1,
          high: 2,
          low: 0.5,
          close: 1.5,
          volume: 9,
        },
      ],
      currency: 'GBp',
      exchangeTimeZone: 'Europe/London',
      gmtOffsetSeconds: 3600,
    });
    replies.push(tooMany, tooMany, reply(200, azn));

    const first = await failure(source().fetchDay(london('AZN.L')));
    const second = await failure(source().fetchDay(london('AZN.L')));
    const third = await source().fetchDay(london('AZN.L'));

    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(MarketDataError);
      expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 2000 });
      expect((error as Error).message).not.toMatch(/delisted|no data/);
    }
    expect(third.bars).toHaveLength(1);
  });

  it('case 3: a 429 without Retry-After is rate limited with no wait given', async () => {
    replies.push(reply(429, 'Too Many Requests', { 'content-type': 'text/html' }));

    const error = await failure(source().fetchDay(london('AZN.L')));

    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: undefined });
  });
});
