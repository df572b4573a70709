/**
 * An HTTP proxy in front of moto that breaks chosen S3 requests the way S3 and networks do:
 * 503 SlowDown, a connection reset in the middle of an upload, an arbitrary error reply. Each
 * rule fires on the first `times` requests it matches, then lets them through.
 */
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do to a matching request. */
export type S3Fault =
  | { readonly kind: 'slow-down' }
  | { readonly kind: 'reset-mid-upload' }
  | {
      readonly kind: 'reply';
      readonly status: number;
      readonly code: string;
      readonly message: string;
    };

/** When a fault applies. */
export interface S3FaultRule {
  readonly method: string;
  /** Matched against the request path (bucket and key, path-style). */
  readonly path: RegExp;
  readonly fault: S3Fault;
  /** How many matching requests it breaks; Infinity for all. */
  readonly times: number;
}

/** The running proxy. */
export interface S3FaultProxy {
  readonly url: string;
  /** Requests broken so far, per rule index. */
  readonly fired: number[];
  close(): Promise<void>;
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>` +
  '<RequestId>FAULT</RequestId><HostId>fault-proxy</HostId></Error>';

/** Start a proxy to `target` (moto's endpoint) applying `rules`. */
export async function startS3FaultProxy(
  target: string,
  rules: readonly S3FaultRule[],
): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const fired = rules.map(() => 0);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = rules.findIndex(
      (rule, at) =>
        rule.method === req.method &&
        rule.path.test(req.url ?? '') &&
        (fired[at] ?? 0) < rule.times,
    );
    const rule = rules[index];
    if (rule) {
      fired[index] = (fired[index] ?? 0) + 1;
      applyFault(rule.fault, req, res);
      return;
    }

    const proxied = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    proxied.on('error', () => res.destroy());
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fired,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function applyFault(fault: S3Fault, req: IncomingMessage, res: ServerResponse): void {
  if (fault.kind === 'reset-mid-upload') {
    // Take part of the body, then drop the connection, as a network fault mid-PUT would.
    req.once('data', () => req.socket.destroy());
    req.once('end', () => req.socket.destroy());
    return;
  }

  const [status, code, message] =
    fault.kind === 'slow-down'
      ? [503, 'SlowDown', 'Please reduce your request rate.']
      : [fault.status, fault.code, fault.message];
  req.resume();
  req.once('end', () => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(errorXml(code, message));
  });
}
