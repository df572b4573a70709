/**
 * A loopback TCP proxy that holds every client-to-server chunk for a fixed delay before passing
 * it on, in order, so each request pays that delay once. Replies pass straight through. The
 * benchmark puts one in front of moto to stand in for the round trip to a real S3 region.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Where to forward and how long to hold each chunk. */
export interface DelayProxyOptions {
  readonly target: { readonly host: '127.0.0.1'; readonly port: number };
  readonly delayMs: number;
}

/** A running delay proxy. */
export interface DelayProxy {
  readonly url: string;
  readonly port: number;
  /** Drop every connection and stop listening. */
  close(): Promise<void>;
}

/** Start a delay proxy on 127.0.0.1 and a free port. */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  // Half-open on both sides: a client that sends FIN after its request still gets the reply.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({
      port: options.target.port,
      host: options.target.host,
      allowHalfOpen: true,
    });
    track(client);
    track(upstream);

    // A reset or error on either side ends the pair: half a proxied connection is useless.
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.once('close', drop);
    upstream.once('close', drop);

    upstream.pipe(client);
    forwardDelayed(client, upstream, options.delayMs, timers);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

/**
 * Copy `from` to `to`, each chunk leaving `delayMs` after it arrived. Chunks queue in arrival
 * order and one timer drains the queue, so order holds whatever the timer resolution.
 */
function forwardDelayed(from: Socket, to: Socket, delayMs: number, timers: Set<NodeJS.Timeout>) {
  const queue: { readonly chunk: Buffer; readonly due: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  const pump = () => {
    timer = undefined;
    if (to.destroyed) return;

    // Monotonic and sub-millisecond: a timer may fire a little early, and then the chunk waits.
    const now = performance.now();
    for (let head = queue[0]; head && head.due <= now; head = queue[0]) {
      queue.shift();
      // Honest backpressure: a slow server slows the client down instead of filling memory.
      if (!to.write(head.chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    }

    if (queue[0]) schedule(queue[0].due - now);
    else if (ended) to.end();
  };

  const schedule = (waitMs: number) => {
    const next = setTimeout(() => {
      timers.delete(next);
      pump();
    }, waitMs);
    timers.add(next);
    timer = next;
  };

  from.on('data', (chunk: Buffer) => {
    queue.push({ chunk, due: performance.now() + delayMs });
    if (timer === undefined) schedule(delayMs);
  });

  // The client's FIN is forwarded only after everything it sent before it.
  from.once('end', () => {
    ended = true;
    if (timer === undefined) to.end();
  });
}
