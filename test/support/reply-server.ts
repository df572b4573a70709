/**
 * A loopback HTTP server that answers each request with the next scripted reply and records
 * what it received, for testing the market-data sources over real sockets. Calling
 * useReplyServer in a test file starts it before that file's tests and stops it after them.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll } from 'vitest';

/** One scripted answer; a reply that never ends the response leaves the client waiting. */
export type Reply = (response: ServerResponse, request: IncomingMessage) => void;

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** How the server answers once the script has run out. */
export interface ReplyServerOptions {
  /** Used for every request that finds no scripted reply; a 500 "unscripted" by default. */
  readonly fallback?: Reply;
}

/** The script, the record and the address of a running reply server. */
export interface ReplyServer {
  /** Replies still to be used, first one first; push to script the next requests. */
  readonly replies: Reply[];
  /** Every request so far, oldest first. */
  readonly requests: ReceivedRequest[];
  /** `http://127.0.0.1:<port>`; known only once the server listens, so inside tests. */
  url(): string;
}

const unscripted: Reply = (response) => response.writeHead(500).end('unscripted');

/** A reply server for the tests of the calling file. */
export function useReplyServer(options: ReplyServerOptions = {}): ReplyServer {
  const { fallback = unscripted } = options;
  const replies: Reply[] = [];
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const reply = replies.shift() ?? fallback;
    reply(response, request);
  });
  let baseUrl: string | undefined;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    // A reply that never answers would otherwise hold close() open until its socket times out.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  return {
    replies,
    requests,
    url() {
      if (baseUrl === undefined) {
        throw new Error('the reply server is not listening yet; call url() inside a test');
      }

      return baseUrl;
    },
  };
}
