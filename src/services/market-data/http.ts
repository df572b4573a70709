/**
 * The HTTP plumbing the live sources share: one GET with a per-request timeout, failures turned
 * into MarketDataError kinds the downloader retries on, and the status codes every source reads
 * the same way.
 */
import { MarketDataError } from '../errors.js';

/**
 * A desktop Chrome User-Agent. Yahoo answers the default `node` agent with 429 far sooner than a
 * browser, so the live sources present themselves as one.
 */
export const browserUserAgent =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/131.0.0.0 Safari/537.36';

/** How to make one request. */
export interface FetchBodyOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly headers?: Record<string, string>;
  readonly fetchImpl?: typeof fetch;
}

/** A response read to its last byte. */
export interface FetchedBody {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** GET a URL and read every body byte; a caller abort stays an AbortError, all else is typed. */
export async function fetchBody(url: string, options: FetchBodyOptions): Promise<FetchedBody> {
  if (!URL.canParse(url)) throw new MarketDataError('refused', `invalid source URL: ${url}`);

  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const fetchImpl = options.fetchImpl ?? fetch;

  try {
    const response = await fetchImpl(url, { signal, headers: options.headers });
    // The body is read inside the same try: a reset or a timeout mid-body is a failure of
    // this request, not a short but valid response.
    const body = new Uint8Array(await response.arrayBuffer());

    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    throw classifyFetchFailure(error, url, options, timeout);
  }
}

function classifyFetchFailure(
  error: unknown,
  url: string,
  options: FetchBodyOptions,
  timeout: AbortSignal,
): Error {
  if (options.signal?.aborted) return asAbortError(error, options.signal, url);

  if (timeout.aborted) {
    const seconds = options.timeoutMs / 1000;
    return new MarketDataError('timeout', `timed out after ${seconds}s fetching ${url}`, {
      cause: error,
    });
  }

  return new MarketDataError('network', `network error (${describeCause(error)}) fetching ${url}`, {
    cause: error,
  });
}

/** The caller cancelled: keep the abort recognisable, whatever reason the caller aborted with. */
function asAbortError(error: unknown, signal: AbortSignal, url: string): Error {
  if (error instanceof Error && error.name === 'AbortError') return error;

  const abort = new Error(`request cancelled: ${url}`, { cause: signal.reason ?? error });
  abort.name = 'AbortError';

  return abort;
}

/** The useful part of undici's cause chain: `fetch failed` alone says nothing. */
function describeCause(error: unknown): string {
  let code: string | undefined;
  let message = 'unknown error';
  for (let current = error; current !== undefined && current !== null;) {
    if (typeof current !== 'object') {
      message = String(current);
      break;
    }

    const fields = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === undefined && typeof fields.code === 'string') code = fields.code;
    if (typeof fields.message === 'string' && fields.message !== '') message = fields.message;
    current = fields.cause;
  }

  if (code === undefined || message.includes(code)) return message;

  return `${code}: ${message}`;
}

/** The three HTTP-date forms a recipient must accept (RFC 9110, section 5.6.7). */
const imfFixdate = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const rfc850Date = /^[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const asctimeDate = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** A Retry-After header (delta-seconds or HTTP-date) as milliseconds from now. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;

  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;

  // Date.parse accepts far more than HTTP-dates (`1.5` is a date to V8), so the shape is checked
  // first. asctime carries no zone and V8 would read it as local time, but HTTP means GMT.
  let at = Number.NaN;
  if (imfFixdate.test(text) || rfc850Date.test(text)) at = Date.parse(text);
  if (asctimeDate.test(text)) at = Date.parse(`${text} GMT`);
  if (Number.isNaN(at)) return undefined;

  return Math.max(0, at - now);
}

const htmlStart = /^<(?:!doctype\s+html|html|head|body|title|meta|script|div|p|h1)[\s>/]/i;

/** Does a body look like an HTML page (a consent wall, an error page) rather than data? */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = decodeText(bytes.subarray(0, 512)).trimStart();

  return htmlStart.test(head);
}

/** UTF-8 text of a body; a BOM is dropped and bad bytes become U+FFFD rather than throwing. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * The statuses every source reads the same way: 429 is rate limiting (a plain-text or HTML body
 * is normal there, so the body is not parsed), 5xx is the server's trouble. Other statuses are
 * left to the source, which knows what its 4xx bodies mean.
 */
export function sharedStatusError(
  source: string,
  response: { status: number; headers: Headers },
  url: string,
  now: number,
): MarketDataError | undefined {
  const { status } = response;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
    const wait = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs / 1000}s`;
    return new MarketDataError('rate-limited', `rate limited by ${source} (HTTP 429${wait})`, {
      status,
      retryAfterMs,
      hint: 'Lower the concurrency or wait before the next run.',
    });
  }

  if (status >= 500 && status <= 599) {
    return new MarketDataError('server', `${source} server error (HTTP ${status}) for ${url}`, {
      status,
    });
  }

  return undefined;
}
