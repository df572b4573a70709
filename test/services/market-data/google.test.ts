import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { MarketDataError } from '../../../src/services/errors.js';
import { encodeGetprices, parseGetprices } from '../../../src/services/market-data/getprices.js';
import { createGoogleSource } from '../../../src/services/market-data/google.js';
import type { DayRequest } from '../../../src/services/market-data/types.js';
import { tradingDateAt } from '../../../src/services/trading-day.js';
import { failure } from '../../support/failure.js';
import { type Reply, useReplyServer } from '../../support/reply-server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/google-getprices/${name}`, import.meta.url), 'utf8');
const bateman = fixture('bateman-AAPL-NASDAQ-i60-2013-02-28.txt');
const vfv = fixture('rebalance-VFV-TSE-i86400-daily-close.txt');

const fileA = [
  'EXCHANGE%3DLON',
  'MARKET_OPEN_MINUTE=480',
  'MARKET_CLOSE_MINUTE=990',
  'INTERVAL=60',
  'COLUMNS=DATE,CLOSE,HIGH,LOW,OPEN,VOLUME',
  'DATA=',
  'TIMEZONE_OFFSET=60',
  'a1729839600,68.92,68.98,68.80,68.84,251003',
  '1,68.90,68.95,68.86,68.92,120450',
  '2,68.94,68.96,68.88,68.90,98012',
  '5,68.99,69.02,68.93,68.95,77310',
  'TIMEZONE_OFFSET=0',
  'a1730102400,69.40,69.52,69.30,69.35,301220',
  '1,69.44,69.46,69.38,69.40,110900',
  '2,69.41,69.47,69.39,69.44,87200',
  '',
].join('\n');

const header = (columns = 'DATE,CLOSE,HIGH,LOW,OPEN,VOLUME') => [
  'EXCHANGE%3DLON',
  'INTERVAL=60',
  `COLUMNS=${columns}`,
  'DATA=',
  'TIMEZONE_OFFSET=0',
];

const iso = (time: number) => new Date(time).toISOString();

describe('parseGetprices (B18: the old Google getprices format)', () => {
  it('parses File A to the seven bars of the case, columns mapped by the header', () => {
    const parsed = parseGetprices(fileA);

    expect(parsed.warnings).toEqual([]);
    expect(parsed.exchange).toBe('LON');
    expect(parsed.intervalSeconds).toBe(60);
    expect(
      parsed.bars.map((bar) => [iso(bar.time), bar.open, bar.high, bar.low, bar.close, bar.volume]),
    ).toEqual([
      ['2024-10-25T07:00:00.000Z', 68.84, 68.98, 68.8, 68.92, 251003],
      ['2024-10-25T07:01:00.000Z', 68.92, 68.95, 68.86, 68.9, 120450],
      ['2024-10-25T07:02:00.000Z', 68.9, 68.96, 68.88, 68.94, 98012],
      ['2024-10-25T07:05:00.000Z', 68.95, 69.02, 68.93, 68.99, 77310],
      ['2024-10-28T08:00:00.000Z', 69.35, 69.52, 69.3, 69.4, 301220],
      ['2024-10-28T08:01:00.000Z', 69.4, 69.46, 69.38, 69.44, 110900],
      ['2024-10-28T08:02:00.000Z', 69.44, 69.47, 69.39, 69.41, 87200],
    ]);
  });

  it('leaves the 07:03 and 07:04 gap of File A unfilled', () => {
    const times = parseGetprices(fileA).bars.map((bar) => iso(bar.time));

    expect(times).not.toContain('2024-10-25T07:03:00.000Z');
    expect(times).not.toContain('2024-10-25T07:04:00.000Z');
  });

  it('parses File B (bateman AAPL) to 5873 bars over 15 trading days', () => {
    const parsed = parseGetprices(bateman);

    const times = parsed.bars.map((bar) => bar.time);
    const days = new Set(times.map((time) => tradingDateAt(time, 'America/New_York')));
    expect(parsed.warnings).toEqual([]);
    expect(parsed.exchange).toBe('NASDAQ');
    expect(parsed.bars).toHaveLength(5873);
    expect(new Set(times).size).toBe(5873);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(days.size).toBe(15);
  });

  it('gives File B the first bar upstream expects, at 09:30 New York under offset -300', () => {
    const first = parseGetprices(bateman).bars[0];

    expect(first).toEqual({
      time: Date.parse('2013-02-28T14:30:00Z'),
      open: 444.05,
      high: 444.19,
      low: 443.8,
      close: 443.8,
      volume: 78179,
    });
    expect(first?.time).toBe(1362061800000);
  });

  it('does not add TIMEZONE_OFFSET to the anchors: 2013-03-11 starts at 13:30Z', () => {
    const bars = parseGetprices(bateman).bars;

    const anchor = bars.find((bar) => bar.time === Date.parse('2013-03-11T13:30:00Z'));
    expect(anchor).toMatchObject({ open: 429.7499, close: 429.65, volume: 82106 });
    expect(bars.some((bar) => iso(bar.time) === '2013-03-11T14:30:00.000Z')).toBe(true);
    expect(bars.filter((bar) => iso(bar.time).startsWith('2013-03-11'))).toHaveLength(391);
  });

  it('keeps the print after the nominal close: the last bar is 2013-03-20T20:01Z', () => {
    const last = parseGetprices(bateman).bars.at(-1);

    expect(iso(last?.time ?? 0)).toBe('2013-03-20T20:01:00.000Z');
  });

  it('parses the two-column daily VFV file with one price standing for all four', () => {
    const parsed = parseGetprices(vfv);

    expect(parsed.bars).toHaveLength(251);
    expect(parsed.intervalSeconds).toBe(86400);
    expect(parsed.exchange).toBe('TSE');
    expect(parsed.bars[0]).toEqual({
      time: 1473796800000,
      open: 28.89,
      high: 28.89,
      low: 28.89,
      close: 28.89,
      volume: 0,
    });
    expect(parsed.bars.every((bar) => bar.open === bar.close && bar.volume === 0)).toBe(true);
  });

  it('resolves offset rows against the latest anchor after each VFV offset change', () => {
    const bars = parseGetprices(vfv).bars;

    const times = bars.map((bar) => bar.time);
    expect(times).toContain(1478552400000);
    expect(times).toContain(1489435200000);
    expect(iso(bars.at(-1)?.time ?? 0)).toBe(iso(1489435200000 + 183 * 86_400_000));
  });

  it('maps fields by COLUMNS when the order differs from Google’s usual one', () => {
    const text = [...header('DATE,OPEN,HIGH,LOW,CLOSE,VOLUME'), 'a1730102400,1,4,0.5,2,10'].join(
      '\n',
    );

    const [bar] = parseGetprices(text).bars;

    expect(bar).toEqual({ time: 1730102400000, open: 1, high: 4, low: 0.5, close: 2, volume: 10 });
  });

  it('reports a row before any anchor with its line number and keeps going', () => {
    const text = [...header(), '1,2,2,2,2,5', 'a1730102400,2,2,2,2,5', '1,3,3,3,3,6'].join('\n');

    const parsed = parseGetprices(text);

    expect(parsed.warnings).toEqual(['line 6: offset row before any a<unix> anchor']);
    expect(parsed.bars.map((bar) => bar.close)).toEqual([2, 3]);
  });

  it('reports rows with the wrong field count or a non-number, and keeps the others', () => {
    const rows = ['a1730102400,2,2,2,2,5', '1,3,3,3', '2,x,3,3,3,6', '3,4,4,4,4,7', '4a,1,1,1,1,1'];
    const text = [...header(), ...rows].join('\n');

    const parsed = parseGetprices(text);

    expect(parsed.warnings).toEqual([
      'line 7: expected 6 fields (DATE,CLOSE,HIGH,LOW,OPEN,VOLUME), found 4',
      'line 8: CLOSE is not a number: "x"',
      'line 10: DATE is neither a<unix> nor an offset: "4a"',
    ]);
    expect(parsed.bars.map((bar) => iso(bar.time))).toEqual([
      '2024-10-28T08:00:00.000Z',
      '2024-10-28T08:03:00.000Z',
    ]);
  });

  it('takes the anchor of a rejected anchor row, so later rows stay on time', () => {
    const text = [...header(), 'a1730102400,2,2,2', '1,3,3,3,3,6'].join('\n');

    const parsed = parseGetprices(text);

    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.bars.map((bar) => iso(bar.time))).toEqual(['2024-10-28T08:01:00.000Z']);
  });

  it('sorts rows and keeps the later of two rows for one minute', () => {
    const text = [...header(), 'a1730102460,5,5,5,5,1', 'a1730102400,4,4,4,4,1', '1,6,6,6,6,1'];

    const parsed = parseGetprices(text.join('\n'));

    expect(parsed.bars.map((bar) => bar.close)).toEqual([4, 6]);
    expect(parsed.warnings).toEqual(['line 8: second row for 2024-10-28T08:01:00.000Z; kept']);
  });

  it('returns zero bars for a valid header without data rows', () => {
    const parsed = parseGetprices(`${header().join('\n')}\n`);

    expect(parsed.bars).toEqual([]);
    expect(parsed.warnings).toEqual([]);
  });

  it('throws malformed for a body without DATA=, an HTML page or an empty body', () => {
    const bodies = ['EXCHANGE%3DLON\nINTERVAL=60\n', '<!DOCTYPE html><html></html>', ''];

    for (const body of bodies) {
      expect(() => parseGetprices(body)).toThrow(MarketDataError);
      expect(() => parseGetprices(body)).toThrow(expect.objectContaining({ kind: 'malformed' }));
    }
  });

  it('throws malformed for a header without INTERVAL or without CLOSE in COLUMNS', () => {
    const noInterval = 'EXCHANGE%3DLON\nCOLUMNS=DATE,CLOSE\nDATA=\n';
    const noClose = 'EXCHANGE%3DLON\nINTERVAL=60\nCOLUMNS=DATE,OPEN\nDATA=\n';

    expect(() => parseGetprices(noInterval)).toThrow(/INTERVAL/);
    expect(() => parseGetprices(noClose)).toThrow(/COLUMNS/);
  });

  it('accepts CRLF line endings', () => {
    const parsed = parseGetprices(fileA.replaceAll('\n', '\r\n'));

    expect(parsed.bars).toHaveLength(7);
  });
});

describe('encodeGetprices', () => {
  it('reproduces the bateman fixture byte for byte from its own bars', () => {
    const { bars } = parseGetprices(bateman);

    const text = encodeGetprices({
      bars,
      exchange: 'NASDAQ',
      timeZone: 'America/New_York',
      marketOpenMinute: 570,
      marketCloseMinute: 960,
    });

    expect(text).toBe(bateman);
  });

  it('anchors a daily file only where the offset changes, as the VFV file does', () => {
    const { bars } = parseGetprices(vfv);

    const text = encodeGetprices({
      bars,
      exchange: 'TSE',
      timeZone: 'America/Toronto',
      intervalSeconds: 86400,
    });

    const marks = text.split('\n').filter((line) => /^(a|TIMEZONE)/.test(line));
    expect(marks.map((line) => line.split(',')[0])).toEqual([
      'TIMEZONE_OFFSET=-240',
      'a1473796800',
      'TIMEZONE_OFFSET=-300',
      'a1478552400',
      'TIMEZONE_OFFSET=-240',
      'a1489435200',
    ]);
    expect(parseGetprices(text).bars).toEqual(bars);
  });

  it('round-trips London bars across the clock change with a new offset and anchor', () => {
    const { bars } = parseGetprices(fileA);

    const text = encodeGetprices({ bars, exchange: 'LON', timeZone: 'Europe/London' });

    expect(text).toContain('TIMEZONE_OFFSET=60\na1729839600,');
    expect(text).toContain('TIMEZONE_OFFSET=0\na1730102400,');
    expect(text).toContain('\n5,68.99,69.02,68.93,68.95,77310\n');
    expect(
      text.startsWith('EXCHANGE%3DLON\nMARKET_OPEN_MINUTE=480\nMARKET_CLOSE_MINUTE=485\n'),
    ).toBe(true);
    expect(parseGetprices(text).bars).toEqual(bars);
  });

  it('writes a header with no rows for no bars', () => {
    const text = encodeGetprices({ bars: [], exchange: 'LON', timeZone: 'Europe/London' });

    expect(parseGetprices(text).bars).toEqual([]);
  });
});

const { replies, requests, url } = useReplyServer();

const aapl: DayRequest = {
  ticker: 'AAPL',
  sourceSymbol: 'AAPL',
  date: '2013-03-11',
  timeZone: 'America/New_York',
  exchange: 'NASDAQ',
};

const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => {
  return (res) => res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
};

describe('createGoogleSource', () => {
  const source = () => createGoogleSource({ baseUrl: url(), timeoutMs: 2000 });

  it('requests getprices the original way and keeps only the requested date', async () => {
    replies.push(text(200, bateman));

    const day = await source().fetchDay(aapl);

    expect(requests.at(-1)?.url).toBe(
      '/finance/getprices?q=AAPL&x=NASDAQ&i=60&p=10d&f=d,o,h,l,c,v',
    );
    expect(requests.at(-1)?.headers['user-agent']).toMatch(/Chrome\//);
    expect(day.bars).toHaveLength(391);
    expect(iso(day.bars[0]?.time ?? 0)).toBe('2013-03-11T13:30:00.000Z');
    expect(day.metadata).toEqual({
      source: 'google',
      url: `${url()}/finance/getprices?q=AAPL&x=NASDAQ&i=60&p=10d&f=d,o,h,l,c,v`,
      currency: undefined,
      exchangeTimeZone: undefined,
      warnings: [],
    });
  });

  it('keeps the exact response bytes as the raw txt copy', async () => {
    replies.push(text(200, bateman));

    const day = await source().fetchDay(aapl);

    expect(day.rawExtension).toBe('txt');
    expect(Buffer.from(day.raw).equals(Buffer.from(bateman))).toBe(true);
  });

  it('returns zero bars for a date the body does not cover', async () => {
    replies.push(text(200, bateman));

    const day = await source().fetchDay({ ...aapl, date: '2013-03-09' });

    expect(day.bars).toEqual([]);
  });

  it('returns zero bars for a header without rows (an empty day)', async () => {
    replies.push(text(200, `${header().join('\n')}\n`));

    const day = await source().fetchDay({ ...aapl, exchange: 'LON' });

    expect(day.bars).toEqual([]);
    expect(day.metadata.warnings).toEqual([]);
  });

  it('notes a response for another exchange than the one asked for', async () => {
    replies.push(
      text(200, 'EXCHANGE%3DUNKNOWN+EXCHANGE\nINTERVAL=60\nCOLUMNS=DATE,CLOSE\nDATA=\n'),
    );

    const day = await source().fetchDay(aapl);

    expect(day.metadata.warnings).toEqual([
      'response is for exchange UNKNOWN EXCHANGE, not NASDAQ',
    ]);
  });

  it('encodes the symbol in the query', async () => {
    replies.push(text(200, `${header().join('\n')}\n`));

    await source().fetchDay({ ...aapl, sourceSymbol: '^FTSE', exchange: 'INDEXFTSE' });

    expect(requests.at(-1)?.url).toContain('?q=%5EFTSE&x=INDEXFTSE&');
  });

  it('makes an HTML page with status 200 malformed', async () => {
    replies.push(
      text(200, '<!DOCTYPE html><html><body>sorry</body></html>', { 'content-type': 'text/html' }),
    );

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'malformed' });
    expect((error as Error).message).toContain('HTML page instead of getprices data');
  });

  it('makes 404 no data, not retryable', async () => {
    replies.push(text(404, 'Not Found'));

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'no-data', retryable: false, status: 404 });
  });

  it('makes 429 rate limited with the Retry-After wait, and 503 a server error', async () => {
    replies.push(text(429, 'Too Many Requests', { 'retry-after': '7' }), text(503, 'busy'));

    const limited = await failure(source().fetchDay(aapl));
    const busy = await failure(source().fetchDay(aapl));

    expect(limited).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
    expect(busy).toMatchObject({ kind: 'server', status: 503 });
  });

  it('makes another 4xx refused', async () => {
    replies.push(text(403, 'Forbidden'));

    const error = await failure(source().fetchDay(aapl));

    expect(error).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('never refuses a date up front, since recordings are replayed with any date', () => {
    const now = Date.parse('2024-10-25T12:00:00Z');

    expect(source().checkDate('2013-02-28', now)).toBeUndefined();
    expect(source().toSourceSymbol('BT.A', 'LON')).toBe('BT.A');
  });
});
