import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { MarketDataError } from '../../../src/services/errors.js';
import {
  browserUserAgent,
  fetchBody,
  looksLikeHtml,
  parseRetryAfter,
  sharedStatusError,
} from '../../../src/services/market-data/http.js';
import { failure } from '../../support/failure.js';
import { useReplyServer } from '../../support/reply-server.js';

const { replies, requests, url: baseUrl } = useReplyServer();

describe('fetchBody', () => {
  it('returns the status, headers and every body byte', async () => {
    const bytes = Buffer.from([0x7b, 0x7d, 0x0a, 0xff]);
    replies.push((res) => res.writeHead(200, { 'x-probe': 'yes' }).end(bytes));

    const result = await fetchBody(`${baseUrl()}/ok`, { timeoutMs: 2000 });

    expect(result.status).toBe(200);
    expect(result.headers.get('x-probe')).toBe('yes');
    expect([...result.body]).toEqual([...bytes]);
  });

  it('sends the headers it is given', async () => {
    replies.push((res) => res.end('{}'));

    await fetchBody(`${baseUrl()}/headers`, {
      timeoutMs: 2000,
      headers: { 'User-Agent': browserUserAgent, Accept: 'application/json' },
    });

    expect(requests.at(-1)?.headers['user-agent']).toBe(browserUserAgent);
    expect(requests.at(-1)?.headers.accept).toBe('application/json');
  });

  it('turns a request that never answers into a timeout naming the seconds and URL', async () => {
    replies.push(() => undefined);
    const url = `${baseUrl()}/silent`;

    const error = await failure(fetchBody(url, { timeoutMs: 200 }));

    expect(error).toBeInstanceOf(MarketDataError);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect((error as Error).message).toBe(`timed out after 0.2s fetching ${url}`);
  });

  it('rethrows the caller abort as an AbortError, not a MarketDataError', async () => {
    replies.push(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(
      fetchBody(`${baseUrl()}/cancelled`, { timeoutMs: 5000, signal: controller.signal }),
    );

    expect(error).not.toBeInstanceOf(MarketDataError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('keeps the AbortError name when the caller aborts with a reason of its own', async () => {
    replies.push(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('operator pressed q')), 50);

    const error = await failure(
      fetchBody(`${baseUrl()}/cancelled`, { timeoutMs: 5000, signal: controller.signal }),
    );

    expect((error as Error).name).toBe('AbortError');
    expect(((error as Error).cause as Error).message).toBe('operator pressed q');
  });

  it('reports a socket destroyed mid-body as a network error', async () => {
    replies.push((res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"chart":{"result":[', () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const url = `${baseUrl()}/cut`;

    const error = await failure(fetchBody(url, { timeoutMs: 2000 }));

    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect((error as Error).message).toContain('other side closed');
    expect((error as Error).message).toContain(url);
  });

  it('reports a connection closed before any response as a network error', async () => {
    replies.push((res) => res.socket?.destroy());

    const error = await failure(fetchBody(`${baseUrl()}/closed`, { timeoutMs: 2000 }));

    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).toContain('UND_ERR_SOCKET');
  });

  it('reports a connection reset as a network error with ECONNRESET', async () => {
    replies.push((res) => res.socket?.resetAndDestroy());

    const error = await failure(fetchBody(`${baseUrl()}/reset`, { timeoutMs: 2000 }));

    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).toContain('ECONNRESET');
  });

  it('reports a refused connection with its code and the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(fetchBody(url, { timeoutMs: 2000 }));

    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).toContain(url);
  });

  it('reports a failed name lookup with ENOTFOUND', async () => {
    const lookupFailure = Object.assign(new Error('getaddrinfo ENOTFOUND quotes.invalid'), {
      code: 'ENOTFOUND',
    });
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed', { cause: lookupFailure });
    }) as typeof fetch;

    const error = await failure(
      fetchBody('http://quotes.invalid/x', { timeoutMs: 2000, fetchImpl }),
    );

    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).toBe(
      'network error (getaddrinfo ENOTFOUND quotes.invalid) fetching http://quotes.invalid/x',
    );
  });

  it('refuses a URL that does not parse without sending anything', async () => {
    const error = await failure(fetchBody('not a url', { timeoutMs: 2000 }));

    expect(error).toMatchObject({ kind: 'refused', retryable: false });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-10-25T12:00:00Z');

  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads each HTTP-date form relative to now', () => {
    expect(parseRetryAfter('Fri, 25 Oct 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Friday, 25-Oct-24 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Fri Oct 25 12:00:05 2024', now)).toBe(5000);
  });

  it('treats an HTTP-date in the past as no wait', () => {
    expect(parseRetryAfter('Fri, 25 Oct 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('returns undefined for a missing or garbage value', () => {
    for (const value of [null, '', 'soon', '-5', '1.5', '2 seconds', 'Fri, 99 Oct 2024']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

describe('looksLikeHtml', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('recognises HTML pages, whatever the case and leading whitespace', () => {
    expect(looksLikeHtml(bytes('<!DOCTYPE html><html><body>consent</body></html>'))).toBe(true);
    expect(looksLikeHtml(bytes('\n  <html lang="en">'))).toBe(true);
    expect(looksLikeHtml(bytes('\ufeff<!doctype html>'))).toBe(true);
  });

  it('does not mistake JSON, getprices text or a plain-text error for HTML', () => {
    expect(looksLikeHtml(bytes('{"chart":{}}'))).toBe(false);
    expect(looksLikeHtml(bytes('EXCHANGE%3DLON\nDATA=\n'))).toBe(false);
    expect(looksLikeHtml(bytes('Too Many Requests'))).toBe(false);
  });
});

describe('sharedStatusError', () => {
  const now = Date.parse('2024-10-25T12:00:00Z');
  const url = 'http://source.test/chart';

  it('makes 429 rate-limited with the Retry-After wait', () => {
    const headers = new Headers({ 'retry-after': '2', 'content-type': 'text/html' });

    const error = sharedStatusError('yahoo', { status: 429, headers }, url, now);

    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 2000, status: 429 });
    expect(error?.retryable).toBe(true);
  });

  it('makes 429 without Retry-After rate-limited with no wait', () => {
    const error = sharedStatusError('yahoo', { status: 429, headers: new Headers() }, url, now);

    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: undefined });
  });

  it('makes every 5xx a retryable server error', () => {
    for (const status of [500, 502, 503, 504]) {
      const error = sharedStatusError('google', { status, headers: new Headers() }, url, now);

      expect(error).toMatchObject({ kind: 'server', status, retryable: true });
    }
  });

  it('leaves other statuses to the source', () => {
    for (const status of [200, 400, 401, 404, 422]) {
      expect(sharedStatusError('yahoo', { status, headers: new Headers() }, url, now)).toBe(
        undefined,
      );
    }
  });
});
