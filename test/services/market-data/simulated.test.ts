import { describe, expect, it } from 'vitest';

import { createSimulatedSource } from '../../../src/services/market-data/simulated.js';
import type { DayRequest } from '../../../src/services/market-data/types.js';
import { parseYahooChart } from '../../../src/services/market-data/yahoo-chart.js';

const request = (sourceSymbol: string, date: string, timeZone = 'Europe/London'): DayRequest => ({
  ticker: sourceSymbol,
  sourceSymbol,
  date,
  timeZone,
  exchange: 'LON',
});

const iso = (time: number) => new Date(time).toISOString();

describe('createSimulatedSource', () => {
  it('says it is simulated', () => {
    const source = createSimulatedSource();

    expect(source).toMatchObject({ name: 'simulated', simulated: true });
  });

  it('gives one bar a minute over the London session by default, in local time', async () => {
    const source = createSimulatedSource();

    const summer = await source.fetchDay(request('BARC.L', '2024-10-25'));
    const winter = await source.fetchDay(request('BARC.L', '2024-10-28'));

    expect(summer.bars).toHaveLength(510);
    expect(iso(summer.bars[0]?.time ?? 0)).toBe('2024-10-25T07:00:00.000Z');
    expect(iso(summer.bars.at(-1)?.time ?? 0)).toBe('2024-10-25T15:29:00.000Z');
    expect(iso(winter.bars[0]?.time ?? 0)).toBe('2024-10-28T08:00:00.000Z');
  });

  it('honours a configured session and currency', async () => {
    const source = createSimulatedSource({
      sessionOpenMinute: 570,
      sessionCloseMinute: 960,
      currency: 'USD',
    });

    const day = await source.fetchDay(request('AAPL', '2024-10-02', 'America/New_York'));

    expect(day.bars).toHaveLength(390);
    expect(iso(day.bars[0]?.time ?? 0)).toBe('2024-10-02T13:30:00.000Z');
    expect(day.metadata.currency).toBe('USD');
  });

  it('repeats a day for the same symbol and date, and varies it by symbol', async () => {
    const source = createSimulatedSource();

    const first = await source.fetchDay(request('BARC.L', '2024-10-25'));
    const again = await createSimulatedSource().fetchDay(request('BARC.L', '2024-10-25'));
    const other = await source.fetchDay(request('VOD.L', '2024-10-25'));

    expect(Buffer.from(again.raw).equals(Buffer.from(first.raw))).toBe(true);
    expect(again.bars).toEqual(first.bars);
    expect(other.bars.map((bar) => bar.close)).not.toEqual(first.bars.map((bar) => bar.close));
  });

  it('produces positive, consistent prices and integer volumes', async () => {
    const source = createSimulatedSource();

    const day = await source.fetchDay(request('TSCO.L', '2024-10-25'));

    for (const bar of day.bars) {
      expect(bar.low).toBeGreaterThan(0);
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(Number.isInteger(bar.volume)).toBe(true);
    }
  });

  it('gives zero bars on a weekend', async () => {
    const source = createSimulatedSource();

    const day = await source.fetchDay(request('BARC.L', '2024-10-26'));

    expect(day.bars).toEqual([]);
  });

  it('labels the raw chart body as simulated, and the body agrees with the bars', async () => {
    const source = createSimulatedSource();

    const day = await source.fetchDay(request('BARC.L', '2024-10-25'));

    const text = Buffer.from(day.raw).toString('utf8');
    expect(day.rawExtension).toBe('json');
    expect(JSON.parse(text).chart.result[0].meta.tickopsSimulated).toBe(true);
    expect(parseYahooChart(text, '2024-10-25', 'Europe/London').bars).toEqual(day.bars);
  });

  it('names the generated day in a simulated:// URL', async () => {
    const source = createSimulatedSource();

    const day = await source.fetchDay(request('^FTSE', '2024-10-25'));

    expect(day.metadata).toEqual({
      source: 'simulated',
      url: 'simulated://%5EFTSE/2024-10-25',
      currency: 'GBp',
      exchangeTimeZone: 'Europe/London',
      warnings: [],
    });
  });

  it('stops when the caller has aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const fetching = createSimulatedSource().fetchDay({
      ...request('BARC.L', '2024-10-25'),
      signal: controller.signal,
    });

    await expect(fetching).rejects.toMatchObject({ name: 'AbortError' });
  });
});
