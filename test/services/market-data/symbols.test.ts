import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createGoogleSource } from '../../../src/services/market-data/google.js';
import { createReplaySource } from '../../../src/services/market-data/replay.js';
import type { DayRequest } from '../../../src/services/market-data/types.js';
import { encodeYahooChart } from '../../../src/services/market-data/yahoo-chart.js';
import { createYahooSource, toYahooSymbol } from '../../../src/services/market-data/yahoo.js';
import { useReplyServer } from '../../support/reply-server.js';

const emptyChart = encodeYahooChart({
  symbol: 'X',
  bars: [],
  currency: 'GBp',
  exchangeTimeZone: 'Europe/London',
  gmtOffsetSeconds: 3600,
});
const emptyGetprices = 'EXCHANGE%3DLON\nINTERVAL=60\nCOLUMNS=DATE,CLOSE\nDATA=\n';

// Every request gets an empty day in the format of the path it asked for.
const { requests, url } = useReplyServer({
  fallback: (response, incoming) => {
    const path = incoming.url ?? '';
    response.end(path.startsWith('/finance/getprices') ? emptyGetprices : emptyChart);
  },
});
let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tickops-symbols-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const tickerList = ['BT.A', '^FTSE', 'GBPUSD=X', 'BRK-B', 'BRK.B'];

const request = (ticker: string, sourceSymbol: string): DayRequest => ({
  ticker,
  sourceSymbol,
  date: '2024-06-14',
  timeZone: 'Europe/London',
  exchange: 'LON',
});

describe('ticker symbols on the price sources (B06: symbols with special characters)', () => {
  it('maps the ticker list to Yahoo symbols explicitly', () => {
    const mapped = tickerList.map((ticker) => toYahooSymbol(ticker, 'LON'));

    expect(mapped).toEqual(['BT-A.L', '^FTSE', 'GBPUSD=X', 'BRK-B.L', 'BRK-B.L']);
  });

  it('adds the exchange suffix and leaves symbols already in Yahoo form alone', () => {
    expect(toYahooSymbol('BARC', 'LON')).toBe('BARC.L');
    expect(toYahooSymbol('BARC', 'LSE')).toBe('BARC.L');
    expect(toYahooSymbol('VOD.L', 'LON')).toBe('VOD.L');
    expect(toYahooSymbol('AAPL', 'NASDAQ')).toBe('AAPL');
    expect(toYahooSymbol('BRK.B', 'NYSE')).toBe('BRK-B');
    expect(toYahooSymbol('RY', 'TSE')).toBe('RY.TO');
    expect(toYahooSymbol('ES=F', 'CME')).toBe('ES=F');
  });

  it('leaves a ticker of an unknown exchange as it is', () => {
    expect(toYahooSymbol('BT.A', 'XYZ')).toBe('BT.A');
  });

  it('is what the Yahoo source uses as toSourceSymbol', () => {
    const source = createYahooSource({ baseUrl: url(), timeoutMs: 2000 });

    expect(source.toSourceSymbol('BT.A', 'LON')).toBe('BT-A.L');
  });

  it('percent-encodes the symbol in the Yahoo chart path', async () => {
    const source = createYahooSource({ baseUrl: url(), timeoutMs: 2000 });

    for (const ticker of ['^FTSE', 'GBPUSD=X', 'BT.A']) {
      await source.fetchDay(request(ticker, source.toSourceSymbol(ticker, 'LON')));
    }

    expect(requests.slice(-3).map((sent) => sent.url.split('?')[0])).toEqual([
      '/v8/finance/chart/%5EFTSE',
      '/v8/finance/chart/GBPUSD%3DX',
      '/v8/finance/chart/BT-A.L',
    ]);
  });

  it('passes symbols to Google as they are, percent-encoded in the query', async () => {
    const source = createGoogleSource({ baseUrl: url(), timeoutMs: 2000 });

    for (const ticker of tickerList) {
      await source.fetchDay(request(ticker, source.toSourceSymbol(ticker, 'LON')));
    }

    const symbols = requests
      .slice(-5)
      .map((sent) => new URL(sent.url, url()).searchParams.get('q'));
    expect(symbols).toEqual(tickerList);
    expect(requests.at(-4)?.url).toContain('q=%5EFTSE&');
    expect(requests.at(-3)?.url).toContain('q=GBPUSD%3DX&');
  });

  it('keeps BRK-B and BRK.B apart on the replay source, one file each', async () => {
    await writeFile(join(directory, 'BRK-B.json'), emptyChart.replace('"X"', '"BRK-B"'));
    await writeFile(join(directory, 'BRK.B.json'), emptyChart.replace('"X"', '"BRK.B"'));
    const source = createReplaySource({ directory });

    const dash = await source.fetchDay(request('BRK-B', source.toSourceSymbol('BRK-B', 'NYSE')));
    const dot = await source.fetchDay(request('BRK.B', source.toSourceSymbol('BRK.B', 'NYSE')));

    expect(dash.metadata.url).toBe('replay:BRK-B.json');
    expect(dot.metadata.url).toBe('replay:BRK.B.json');
    expect(Buffer.from(dash.raw).toString()).toContain('"BRK-B"');
    expect(Buffer.from(dot.raw).toString()).toContain('"BRK.B"');
  });
});
