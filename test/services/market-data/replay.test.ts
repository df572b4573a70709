import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MarketDataError } from '../../../src/services/errors.js';
import { createReplaySource } from '../../../src/services/market-data/replay.js';
import type { DayRequest } from '../../../src/services/market-data/types.js';
import { failure } from '../../support/failure.js';

const fixture = (path: string) => new URL(`../../fixtures/${path}`, import.meta.url);
const aaplEnvelope = 'yahoo-chart/yf2-chart-AAPL-2024-10-02-interval-1m.json';
const ocdoEnvelope = 'yahoo-chart/yf2-chart-OCDO.L-2020-01-01-to-2020-01-03-interval-1d.json';
const siEnvelope = 'yahoo-chart/yf2-chart-SI-404-not-found.json';
const bateman = 'google-getprices/bateman-AAPL-NASDAQ-i60-2013-02-28.txt';

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tickops-replay-'));
  await copyFile(fixture(aaplEnvelope), join(directory, 'AAPL.json'));
  await copyFile(fixture(ocdoEnvelope), join(directory, 'OCDO.L.json'));
  await copyFile(fixture(siEnvelope), join(directory, 'SI.json'));
  await copyFile(fixture(bateman), join(directory, '^NDX.txt'));
  const envelope = JSON.parse(readFileSync(fixture(aaplEnvelope), 'utf8'));
  await writeFile(join(directory, 'GBPUSD=X.json'), envelope.response.body);
  await writeFile(join(directory, 'BROKEN.json'), '{"chart":{"result":[{"meta":');
  await writeFile(join(directory, 'ODD.json'), '{"response":{"status":200}}');
  await writeFile(
    join(directory, 'LIMITED.json'),
    JSON.stringify({
      request: { url: 'https://query2.finance.yahoo.com/v8/finance/chart/LIMITED' },
      response: { status: 429, headers: { 'retry-after': ['3'] }, body: 'Too Many Requests' },
    }),
  );
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const request = (sourceSymbol: string, date: string, timeZone: string): DayRequest => ({
  ticker: sourceSymbol,
  sourceSymbol,
  date,
  timeZone,
  exchange: 'TEST',
});

describe('createReplaySource', () => {
  const source = () => createReplaySource({ directory });

  it('replays a recording envelope with a body string, raw copy byte for byte', async () => {
    const recorded = JSON.parse(readFileSync(fixture(aaplEnvelope), 'utf8')).response.body;

    const day = await source().fetchDay(request('AAPL', '2024-10-02', 'America/New_York'));

    expect(day.bars).toHaveLength(389);
    expect(day.rawExtension).toBe('json');
    expect(Buffer.from(day.raw).toString('utf8')).toBe(recorded);
    expect(day.metadata).toEqual({
      source: 'replay',
      url: 'replay:AAPL.json',
      currency: 'USD',
      exchangeTimeZone: 'America/New_York',
      warnings: ['1 null bar skipped'],
    });
  });

  it('replays a bodyJson envelope, its raw copy being the payload serialised again', async () => {
    const payload = JSON.parse(readFileSync(fixture(ocdoEnvelope), 'utf8')).response.bodyJson;

    const day = await source().fetchDay(request('OCDO.L', '2020-01-02', 'Europe/London'));

    expect(Buffer.from(day.raw).toString('utf8')).toBe(JSON.stringify(payload));
    expect(day.metadata.currency).toBe('GBp');
    expect(day.bars).toHaveLength(1);
  });

  it('replays a non-2xx envelope as that error: the SI 404 is no data', async () => {
    const error = await failure(source().fetchDay(request('SI', '2020-01-02', 'America/New_York')));

    expect(error).toBeInstanceOf(MarketDataError);
    expect(error).toMatchObject({ kind: 'no-data', status: 404 });
    expect((error as Error).message).toBe('no data (symbol may be delisted or wrong)');
  });

  it('replays a recorded 429 with its Retry-After, even when headers are arrays', async () => {
    const error = await failure(
      source().fetchDay(request('LIMITED', '2024-10-25', 'Europe/London')),
    );

    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 3000 });
  });

  it('replays a bare chart body, with the symbol verbatim as the file name', async () => {
    const day = await source().fetchDay(request('GBPUSD=X', '2024-10-02', 'America/New_York'));

    expect(day.bars).toHaveLength(389);
    expect(day.metadata.url).toMatch(/GBPUSD=X\.json$/);
  });

  it('replays a getprices file, keeping only the requested date', async () => {
    const day = await source().fetchDay(request('^NDX', '2013-03-11', 'America/New_York'));

    expect(day.rawExtension).toBe('txt');
    expect(day.bars).toHaveLength(391);
    expect(new Date(day.bars[0]?.time ?? 0).toISOString()).toBe('2013-03-11T13:30:00.000Z');
    expect(day.metadata.url).toBe('replay:^NDX.txt');
    expect(day.metadata.currency).toBeUndefined();
    expect(Buffer.from(day.raw).equals(readFileSync(fixture(bateman)))).toBe(true);
  });

  it('reports a missing recording as no data naming the symbol and folder', async () => {
    const error = await failure(
      source().fetchDay(request('NOSUCH.L', '2024-10-25', 'Europe/London')),
    );

    expect(error).toMatchObject({ kind: 'no-data' });
    expect((error as Error).message).toBe(`no recording for NOSUCH.L in ${directory}`);
  });

  it('makes a truncated recording or an envelope without a body malformed', async () => {
    const broken = await failure(
      source().fetchDay(request('BROKEN', '2024-10-25', 'Europe/London')),
    );
    const odd = await failure(source().fetchDay(request('ODD', '2024-10-25', 'Europe/London')));

    expect(broken).toMatchObject({ kind: 'malformed' });
    expect(odd).toMatchObject({ kind: 'malformed' });
  });

  it('refuses a symbol that would name a file outside the folder', async () => {
    const error = await failure(source().fetchDay(request('../AAPL', '2024-10-02', 'UTC')));

    expect(error).toMatchObject({ kind: 'refused' });
  });

  it('stops with an AbortError when the caller has aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const error = await failure(
      source().fetchDay({ ...request('AAPL', '2024-10-02', 'UTC'), signal: controller.signal }),
    );

    expect((error as Error).name).toBe('AbortError');
  });

  it('serves any date and keeps symbols as they are', () => {
    expect(source().checkDate('2001-01-02', Date.now())).toBeUndefined();
    expect(source().toSourceSymbol('BT.A', 'LON')).toBe('BT.A');
    expect(source()).toMatchObject({ name: 'replay', simulated: false });
  });
});
