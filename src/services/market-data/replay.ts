/**
 * Recorded responses served from a directory, one file per symbol: `<SYMBOL>.txt` holds a
 * getprices body, `<SYMBOL>.json` a chart v8 body or a yahoo-finance2 recording envelope.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { z } from 'zod';

import { MarketDataError } from '../errors.js';
import { tradingDayBounds } from '../trading-day.js';
import { parseGetprices } from './getprices.js';
import { decodeText } from './http.js';
import type { DayRequest, DayResult, MarketDataSource } from './types.js';
import { parseYahooChart, readYahooResponse, type YahooChart } from './yahoo-chart.js';

/** Where the recordings are. */
export interface ReplaySourceOptions {
  readonly directory: string;
}

const envelopeSchema = z.object({
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    body: z.string().optional(),
    bodyJson: z.unknown().optional(),
  }),
});

type Envelope = z.infer<typeof envelopeSchema>;

/** A source that answers from recordings on disk, for any date. */
export function createReplaySource(options: ReplaySourceOptions): MarketDataSource {
  const { directory } = options;

  return {
    name: 'replay',
    simulated: false,
    toSourceSymbol: (ticker) => ticker,
    checkDate: () => undefined,
    async fetchDay(request) {
      const symbol = request.sourceSymbol;
      // The symbol is used verbatim as a file name (`^FTSE.txt`), so it must not leave the folder.
      if (symbol === '' || symbol === '.' || symbol === '..' || /[/\\\0]/.test(symbol)) {
        throw new MarketDataError('refused', `symbol "${symbol}" cannot name a recording file`);
      }

      const jsonPath = join(directory, `${symbol}.json`);
      const json = await readRecording(jsonPath, request.signal);
      if (json) return replayJson(json, jsonPath, request);

      const textPath = join(directory, `${symbol}.txt`);
      const text = await readRecording(textPath, request.signal);
      if (text) return replayGetprices(text, textPath, request);

      throw new MarketDataError('no-data', `no recording for ${symbol} in ${directory}`);
    },
  };
}

async function readRecording(path: string, signal: AbortSignal | undefined) {
  try {
    return new Uint8Array(await readFile(path, { signal }));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return undefined;
    if (error instanceof Error && error.name === 'AbortError') throw error;

    throw new MarketDataError('refused', `cannot read recording ${path} (${String(code)})`, {
      cause: error,
    });
  }
}

function replayGetprices(bytes: Uint8Array, path: string, request: DayRequest): DayResult {
  const parsed = parseGetprices(decodeText(bytes));
  const { start, end } = tradingDayBounds(request.date, request.timeZone);

  return {
    raw: bytes,
    rawExtension: 'txt',
    bars: parsed.bars.filter((bar) => bar.time >= start && bar.time < end),
    metadata: {
      source: 'replay',
      url: recordingUrl(path),
      currency: undefined,
      exchangeTimeZone: undefined,
      warnings: parsed.warnings,
    },
  };
}

function replayJson(bytes: Uint8Array, path: string, request: DayRequest): DayResult {
  const text = decodeText(bytes);
  const url = recordingUrl(path);
  const envelope = readEnvelope(text);

  let raw = bytes;
  let chart: YahooChart;
  if (envelope) {
    raw = envelopeBody(envelope, path);
    const response = { status: envelope.response.status, headers: toHeaders(envelope), body: raw };
    const context = { url, date: request.date, timeZone: request.timeZone, now: Date.now() };
    chart = readYahooResponse(response, context);
  } else {
    chart = parseYahooChart(text, request.date, request.timeZone);
  }

  return {
    raw,
    rawExtension: 'json',
    bars: chart.bars,
    metadata: {
      source: 'replay',
      url,
      currency: chart.currency,
      exchangeTimeZone: chart.exchangeTimeZone,
      warnings: chart.warnings,
    },
  };
}

/** The envelope, when the file is one; a bare chart body (or garbage) goes to the chart parser. */
function readEnvelope(text: string): Envelope | undefined {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text));

    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function envelopeBody(envelope: Envelope, path: string): Uint8Array {
  const { body, bodyJson } = envelope.response;
  if (body !== undefined) return new TextEncoder().encode(body);

  // Newer recordings keep only the parsed payload, so the exact bytes Yahoo sent are lost; the
  // raw copy is the payload serialised again, which holds the same data in compact form.
  if (bodyJson !== undefined) return new TextEncoder().encode(JSON.stringify(bodyJson));

  throw new MarketDataError('malformed', `recording ${path} has neither body nor bodyJson`);
}

function toHeaders(envelope: Envelope): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(envelope.response.headers ?? {})) {
    // Older envelopes keep each header as an array of strings.
    const joined = Array.isArray(value) ? value.join(', ') : value;
    try {
      headers.set(name, joined);
    } catch {
      // A header the Fetch API rejects tells nothing about the chart; it is left out.
    }
  }

  return headers;
}

/**
 * The recording's name, not its absolute path: the manifest must not change when the same
 * recordings are replayed from another folder, or a rerun would upload it again.
 */
function recordingUrl(path: string): string {
  return `replay:${basename(path)}`;
}
